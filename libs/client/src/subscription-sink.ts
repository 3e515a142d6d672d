// Where every transport hands what it receives for one subscribe() call: drops duplicates,
// reports state changes once each, and shields the transport from callbacks that throw.
import { EventDeduper } from './event-deduper.js';
import { TidingsClientError } from './tidings-client-error.js';
import type { ConnectionState, PresenceEvent, ResetNotice, TidingsEvent } from './types.js';

export interface SinkHandlers {
  onEvent(event: TidingsEvent): void;
  onReset?: (notice: ResetNotice) => void;
  onState?: (state: ConnectionState) => void;
  onError?: (error: Error) => void;
  onPresence?: (event: PresenceEvent) => void;
  /** Called once when the sink closes, whichever side closed it. */
  onClosed?: () => void;
}

export class SubscriptionSink {
  private current: ConnectionState | undefined;
  private done = false;

  constructor(
    private readonly handlers: SinkHandlers,
    private readonly deduper = new EventDeduper(),
  ) {}

  get closed(): boolean {
    return this.done;
  }

  get currentState(): ConnectionState | undefined {
    return this.current;
  }

  /** Whether the caller asked for join and leave news (transports then ask the server for it). */
  get wantsPresence(): boolean {
    return this.handlers.onPresence !== undefined;
  }

  event(event: TidingsEvent): void {
    if (this.done) return;
    // A redelivery repeats an old id on purpose: neither dropped as a duplicate nor recorded as the channel's newest.
    if (!event.redelivery && !this.deduper.accept(event.channel, event.id)) return;
    this.call(() => this.handlers.onEvent(event));
  }

  reset(notice: ResetNotice): void {
    if (this.done) return;
    this.deduper.forget(notice.channel);
    const onReset = this.handlers.onReset;
    if (onReset) this.call(() => onReset(notice));
  }

  presence(event: PresenceEvent): void {
    const onPresence = this.handlers.onPresence;
    if (!this.done && onPresence) this.call(() => onPresence(event));
  }

  state(state: 'connecting' | 'open'): void {
    if (this.done || this.current === state) return;
    this.setState(state);
  }

  /** Reports an error that does not end the subscription. */
  warn(error: Error): void {
    if (!this.done) this.report(error);
  }

  /** The transport gave up: report why, then close. */
  fail(error: Error): void {
    if (this.done) return;
    this.report(error);
    this.close();
  }

  close(): void {
    if (this.done) return;
    this.setState('closed');
    this.done = true;
    this.handlers.onClosed?.();
  }

  private setState(state: ConnectionState): void {
    this.current = state;
    const onState = this.handlers.onState;
    if (onState) this.call(() => onState(state));
  }

  private call(run: () => void): void {
    try {
      run();
    } catch (cause) {
      this.report(TidingsClientError.of('TIDINGS_CLIENT_CALLBACK_FAILED', describe(cause), { cause }));
    }
  }

  private report(error: Error): void {
    const onError = this.handlers.onError;
    if (!onError) {
      // Nobody listens: surface it like any uncaught error, outside the transport's stack.
      queueMicrotask(() => {
        throw error;
      });
      return;
    }
    try {
      onError(error);
    } catch (again) {
      queueMicrotask(() => {
        throw again;
      });
    }
  }
}

function describe(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
