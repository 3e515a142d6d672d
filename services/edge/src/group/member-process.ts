import { type ChildProcess, fork } from 'node:child_process';
import type { Logger, MetricsSnapshot } from '@tidings/observability';
import { type SupervisorMessage, readMemberMessage } from './group-messages.js';

/** What a member is started with. */
export interface MemberSpec {
  /** 1-based position in the group. */
  readonly index: number;
  /** Its node id, `<node>-<index>`. */
  readonly node: string;
  /** The member entry point. */
  readonly main: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly execArgv: readonly string[];
}

export interface MemberExit {
  /** null when a signal ended it. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly becameReady: boolean;
  /** Time from ready to exit; 0 when it never became ready. */
  readonly servedMs: number;
}

/** What the supervisor hears from a member. */
export interface MemberEvents {
  ready(member: MemberProcess, port: number): void;
  scrape(member: MemberProcess, id: number): void;
  exit(member: MemberProcess, exit: MemberExit): void;
}

/**
 * One forked edge process of a group, as the supervisor sees it: its readiness, its exit, and the
 * metrics it hands in. Its stdout and stderr are the supervisor's, so its log lines and start-up
 * errors reach the operator unchanged.
 */
export class MemberProcess {
  readonly exited: Promise<MemberExit>;
  private readonly child: ChildProcess;
  private readyAt: number | undefined;
  private readonly pendingSnapshots = new Map<number, (snapshot: MetricsSnapshot | undefined) => void>();

  constructor(
    readonly spec: MemberSpec,
    private readonly events: MemberEvents,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {
    this.child = fork(spec.main, [...spec.args], {
      env: { ...spec.env },
      execArgv: [...spec.execArgv],
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.child.on('message', (message) => this.receive(message));
    this.exited = new Promise((resolve) => {
      let ended = false;
      const end = (code: number | null, signal: NodeJS.Signals | null) => {
        if (ended) return;
        ended = true;
        for (const settle of this.pendingSnapshots.values()) settle(undefined);
        this.pendingSnapshots.clear();
        const exit = { code, signal, becameReady: this.readyAt !== undefined, servedMs: this.readyAt === undefined ? 0 : this.now() - this.readyAt };
        resolve(exit);
        this.events.exit(this, exit);
      };
      this.child.once('exit', end);
      this.child.on('error', (error) => {
        this.logger.error({ err: error, member: spec.node }, 'edge process error');
        // A fork that never started has no exit to wait for.
        if (this.child.pid === undefined) end(null, null);
      });
    });
  }

  get node(): string {
    return this.spec.node;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get isReady(): boolean {
    return this.readyAt !== undefined;
  }

  /** This member's metrics for scrape `id`; undefined when it does not answer within `timeoutMs` or ends first. */
  collect(id: number, timeoutMs: number): Promise<MetricsSnapshot | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => settle(undefined), timeoutMs);
      const settle = (snapshot: MetricsSnapshot | undefined) => {
        clearTimeout(timer);
        this.pendingSnapshots.delete(id);
        resolve(snapshot);
      };
      this.pendingSnapshots.set(id, settle);
      this.send({ type: 'collect', id });
    });
  }

  send(message: SupervisorMessage): void {
    if (!this.child.connected) return;
    this.child.send(message, (error) => {
      // The member is ending; its exit is handled on its own.
      if (error) this.logger.debug({ err: error, member: this.node, type: message.type }, 'could not message an edge process');
    });
  }

  /** Asks it to drain and exit. */
  terminate(): void {
    this.signal('SIGTERM');
  }

  /** Ends it at once: the last resort after the grace period. */
  kill(): void {
    this.signal('SIGKILL');
  }

  private signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  private receive(raw: unknown): void {
    const message = readMemberMessage(raw);
    if (message === undefined) {
      this.logger.warn({ member: this.node }, 'dropped a message from an edge process that is not of the group protocol');
      return;
    }
    switch (message.type) {
      case 'ready':
        this.readyAt = this.now();
        return this.events.ready(this, message.port);
      case 'scrape':
        return this.events.scrape(this, message.id);
      case 'snapshot':
        // A late answer to a scrape that went on without it finds nothing to settle.
        return this.pendingSnapshots.get(message.id)?.(message.metrics);
    }
  }
}
