// Typed handlers per event name. The application declares what each of its events carries; the
// client does not check data against it (validate at the edge of your app if senders are untrusted).
import type { TidingsEvent } from './types.js';

/** Handlers by event name, for `M`: event name → the type of its `data`, as an application declares them. */
export type EventHandlers<M extends object> = { [Name in keyof M & string]?: (event: TidingsEvent<M[Name], Name>) => void };

/**
 * An `onEvent` for `subscribe()` that calls the handler named after each event's `event`, typed by
 * `M`; events without a handler go to `otherwise` (or are ignored).
 *
 *   client.subscribe('orders/42', onEvents<{ status: { state: string }; shipped: { carrier: string } }>({
 *     status: (e) => show(e.data.state),
 *     shipped: (e) => track(e.data.carrier),
 *   }));
 */
export function onEvents<M extends object>(handlers: EventHandlers<M>, otherwise?: (event: TidingsEvent) => void): (event: TidingsEvent) => void {
  // Looked up by a name that arrived over the wire: own properties only, never `toString` and kin.
  const byName = handlers as Record<string, ((event: TidingsEvent) => void) | undefined>;
  return (event) => {
    const handler = Object.hasOwn(byName, event.event) ? byName[event.event] : undefined;
    if (handler) handler(event);
    else otherwise?.(event);
  };
}
