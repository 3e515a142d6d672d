// A durable device over the load generator's raw connections: when its connection ends — the
// server closed it, the network cut it, or cut() — it connects again after a delay from the JS
// client's own backoff (exponential, full jitter, reset once a connection is ready) and resumes
// from its position, so one SequenceChecker sees the device's whole run across connections.
import { type Backoff, type BackoffOptions, createBackoff } from '@tidings/client';
import { SequenceChecker } from './sequence-checker.js';
import type { SourceEndpoint } from './source-endpoints.js';
import { SubscriberConnection, type SubscriberObserver, type SubscriberSpec } from './subscriber-connection.js';

/** What a resuming subscriber reports besides what a single connection does. */
export interface ResumeObserver extends SubscriberObserver {
  /** A reconnect attempt ended before it was ready; `reason` as a failed connection gives it (ECONNREFUSED, …). */
  attemptFailed(reason: string): void;
  /** A reconnect attempt is ready: the device is following its channel again. */
  resumed(): void;
}

/** A reconnect attempt not ready by then is given up and tried again (a client's connect timeout). */
const ATTEMPT_LIMIT_MS = 15_000;

export class ResumingSubscriber implements SubscriberObserver {
  readonly checker: SequenceChecker;
  everReady = false;
  private readonly backoff: Backoff;
  private connection: SubscriberConnection | null = null;
  /** The position the last connection reached: where the next one resumes. */
  private position: string | null = null;
  private attempts = 0;
  private closed = false;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly spec: Omit<SubscriberSpec, 'source' | 'durable'>,
    /** Where attempt `n` (0: the first connection) connects from. */
    private readonly sourceFor: (attempt: number) => SourceEndpoint,
    backoff: BackoffOptions,
    private readonly observer: ResumeObserver,
  ) {
    this.checker = new SequenceChecker(spec.firstSeq);
    this.backoff = createBackoff(backoff);
    this.connect();
  }

  /** Following its channel: ready once, and not closed (it may be between connections). */
  get isReady(): boolean {
    return this.everReady && !this.closed;
  }

  /** Resets the connection at once, as a network cut would, and reconnects after the backoff. */
  cut(): void {
    if (!this.isReady || this.connection === null) return;
    this.connection.close();
    this.retire(this.connection);
    this.reconnectLater();
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.timer);
    this.connection?.close();
  }

  ready(connection: SubscriberConnection): void {
    if (connection !== this.connection) return;
    clearTimeout(this.timer);
    this.backoff.reset();
    if (this.everReady) return this.observer.resumed();
    this.everReady = true;
    this.observer.ready(connection);
  }

  failed(connection: SubscriberConnection, reason: string): void {
    if (connection !== this.connection) return;
    this.retire(connection);
    // The first connection is the connect phase's: it is counted and given up there.
    if (!this.everReady) return this.observer.failed(connection, reason);
    this.observer.attemptFailed(reason);
    this.reconnectLater();
  }

  dropped(connection: SubscriberConnection, reason: string): void {
    if (connection !== this.connection) return;
    this.retire(connection);
    this.observer.dropped(connection, reason);
    this.reconnectLater();
  }

  latency(micros: number): void {
    this.observer.latency(micros);
  }

  delivered(): void {
    this.observer.delivered();
  }

  ackSent(): void {
    this.observer.ackSent();
  }

  ackConfirmed(): void {
    this.observer.ackConfirmed();
  }

  private connect(): void {
    const connection = new SubscriberConnection({ ...this.spec, source: this.sourceFor(this.attempts++), durable: { resumeFrom: this.position, checker: this.checker } }, this);
    this.connection = connection;
    if (!this.everReady) return;
    this.timer = setTimeout(() => {
      if (this.connection !== connection || connection.isReady) return;
      connection.close();
      this.failed(connection, `not ready within ${ATTEMPT_LIMIT_MS} ms`);
    }, ATTEMPT_LIMIT_MS);
  }

  private retire(connection: SubscriberConnection): void {
    this.position = connection.position;
    this.connection = null;
  }

  private reconnectLater(): void {
    if (this.closed) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), this.backoff.next());
  }
}
