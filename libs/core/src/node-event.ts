import { type StreamId, streamIdParts, TidingsError } from '@tidings/protocol';
import type { LoggedEvent } from './ports.js';

/**
 * Values derived once from an event or a batch — its wire encodings — by whichever connection
 * needs each first, and shared by all the others. The builder function is the key, so there is
 * no string to build and no closure per lookup; a batch rarely has more than a few.
 */
class Derived<Owner> {
  private builders: ((owner: Owner) => unknown)[] | undefined;
  private values: unknown[] | undefined;

  get<T>(owner: Owner, build: (owner: Owner) => T): T {
    const builders = (this.builders ??= []);
    const at = builders.indexOf(build);
    if (at >= 0) return this.values![at] as T;
    const value = build(owner);
    builders.push(build);
    (this.values ??= []).push(value);
    return value;
  }
}

/**
 * An event as it travels through one node: the logged event with its id parsed once (no regex per
 * delivery), and room for the encodings every connection copies.
 */
export class NodeEvent implements LoggedEvent {
  readonly ms: number;
  readonly seq: number;
  private readonly derived = new Derived<NodeEvent>();

  constructor(
    readonly channel: string,
    readonly id: StreamId,
    readonly event: string,
    readonly data: string,
    readonly ack: boolean | undefined,
  ) {
    const parts = streamIdParts(id);
    if (!parts) throw new TidingsError('TIDINGS_EVENT_ID_INVALID', `event id ${JSON.stringify(id)} is not a stream id`);
    [this.ms, this.seq] = parts;
  }

  static of(event: LoggedEvent): NodeEvent {
    return event instanceof NodeEvent ? event : new NodeEvent(event.channel, event.id, event.event, event.data, event.ack);
  }

  /** Built by `build` on first use for this event, then shared. */
  derive<T>(build: (event: NodeEvent) => T): T {
    return this.derived.get(this, build);
  }

  /** Whether this event comes after the position (ms, seq). */
  isAfter(ms: number, seq: number): boolean {
    return this.ms > ms || (this.ms === ms && this.seq > seq);
  }
}

/**
 * Consecutive events of one channel handed to connections together: a fan-out pass gives each
 * listener everything new on the channel since the last pass, so a connection writes them at once.
 */
export class EventBatch {
  private readonly derived = new Derived<EventBatch>();

  constructor(readonly events: readonly NodeEvent[]) {}

  get first(): NodeEvent {
    return this.events[0]!;
  }

  get last(): NodeEvent {
    return this.events[this.events.length - 1]!;
  }

  /** Built by `build` on first use for this batch (the concatenated frames of all its events), then shared. */
  derive<T>(build: (batch: EventBatch) => T): T {
    return this.derived.get(this, build);
  }

  /** The events after position (ms, seq): all of them in the common case, without a copy. */
  after(ms: number, seq: number): EventBatch | undefined {
    if (this.first.isAfter(ms, seq)) return this;
    const at = this.events.findIndex((e) => e.isAfter(ms, seq));
    return at < 0 ? undefined : new EventBatch(this.events.slice(at));
  }
}
