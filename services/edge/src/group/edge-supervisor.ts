import type { EdgeGroupMetrics, Logger } from '@tidings/observability';
import { GroupScraper } from './group-scraper.js';
import { memberNodeId } from './member-node-id.js';
import { type MemberEvents, type MemberExit, MemberProcess } from './member-process.js';
import { NO_RESTARTS, type RestartPolicy, type RestartState, planRestart } from './restart-policy.js';

export interface SupervisorOptions {
  /** Members to run. */
  readonly processes: number;
  /** The group's node id; member n is `<node>-<n>`. */
  readonly node: string;
  /** The port every member listens on (already picked when 0 was asked for). */
  readonly port: number;
  /** The member entry point and what it is started with: the edge's own flags, then the member's. */
  readonly main: string;
  readonly argv: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly execArgv: readonly string[];
  readonly restart: RestartPolicy;
  /** How long a scrape waits for each member's metrics. */
  readonly scrapeTimeoutMs: number;
}

/** A member ended before the group had started: the group does not start. */
export class GroupStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GroupStartError';
  }
}

/** A member kept ending before it was ready: the supervisor stopped restarting it. */
export class RestartsExhaustedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RestartsExhaustedError';
  }
}

/** One position in the group: member n, whichever process holds it now. */
interface Slot {
  readonly index: number;
  readonly node: string;
  member: MemberProcess | undefined;
  restart: RestartState;
  timer: NodeJS.Timeout | undefined;
  /** Settles the group's start with this slot's first run. */
  started?: { resolve(): void; reject(error: Error): void };
}

type Phase = 'starting' | 'running' | 'failed' | 'stopping';

/**
 * Runs the N edge processes of `tidings edge --processes N` on one port: starts them, restarts one
 * that ends unasked (capped, jittered backoff; gives up on one that cannot start), answers their
 * scrapes with the group's metrics, and drains them all on stop.
 */
export class EdgeSupervisor {
  /** Resolves with the reason when the supervisor gives up on a member; the caller then stops the group. */
  readonly failed: Promise<Error>;
  private giveUp!: (error: Error) => void;
  private readonly slots: Slot[];
  private readonly scraper: GroupScraper;
  private phase: Phase = 'starting';
  private stopped: Promise<void> | undefined;
  private readonly events: MemberEvents = {
    ready: (member, port) => this.onReady(member, port),
    scrape: (member, id) => void this.onScrape(member, id),
    exit: (member, exit) => this.onExit(member, exit),
  };

  constructor(
    private readonly options: SupervisorOptions,
    private readonly metrics: EdgeGroupMetrics,
    private readonly logger: Logger,
    private readonly random: () => number = Math.random,
  ) {
    this.failed = new Promise((resolve) => (this.giveUp = resolve));
    this.slots = Array.from({ length: options.processes }, (_, i) => ({
      index: i + 1,
      node: memberNodeId(options.node, i + 1),
      member: undefined,
      restart: NO_RESTARTS,
      timer: undefined,
    }));
    this.scraper = new GroupScraper(() => this.serving(), metrics, logger, options.scrapeTimeoutMs);
    metrics.processesConfigured.set(options.processes);
  }

  /** The members' node ids, in order. */
  get nodes(): string[] {
    return this.slots.map((slot) => slot.node);
  }

  /** The whole group's metrics, aggregated, for the supervisor's own ops listener. */
  renderMetrics(): Promise<string> {
    return this.scraper.render();
  }

  /** Ready while running with at least one member serving; not while starting or draining. */
  readiness(): { ready: boolean; draining: boolean; processes: number; configured: number } {
    const serving = this.serving().length;
    return { ready: this.phase === 'running' && serving > 0, draining: this.phase === 'stopping', processes: serving, configured: this.options.processes };
  }

  /** Starts every member; resolves once all serve, rejects with a GroupStartError when one ends first. */
  async start(): Promise<void> {
    const starts = this.slots.map((slot) => new Promise<void>((resolve, reject) => (slot.started = { resolve, reject })));
    for (const slot of this.slots) this.launch(slot);
    await Promise.all(starts);
    if (this.phase === 'starting') this.phase = 'running';
  }

  /** Drains every member (each under its own grace deadline); rejects when one did not stop cleanly. Idempotent. */
  stop(): Promise<void> {
    this.stopped ??= this.drain();
    return this.stopped;
  }

  /** Ends every member at once: the last resort after the grace period. */
  kill(): void {
    for (const slot of this.slots) slot.member?.kill();
  }

  private async drain(): Promise<void> {
    this.phase = 'stopping';
    const members: MemberProcess[] = [];
    for (const slot of this.slots) {
      clearTimeout(slot.timer);
      if (slot.member) members.push(slot.member);
    }
    for (const member of members) member.terminate();
    const exits = await Promise.all(members.map(async (member) => ({ member, exit: await member.exited })));
    // SIGTERM ends a member that had not finished starting before it could catch it: asked for, so clean.
    const unclean = exits.filter(({ exit }) => exit.code !== 0 && exit.signal !== 'SIGTERM').map(({ member, exit }) => `${member.node} (${describeExit(exit)})`);
    if (unclean.length > 0) throw new Error(`edge processes did not stop cleanly: ${unclean.join(', ')}`);
  }

  private launch(slot: Slot): void {
    const { options } = this;
    slot.timer = undefined;
    slot.member = new MemberProcess(
      {
        index: slot.index,
        node: slot.node,
        main: options.main,
        // A repeated flag keeps its last value: the member's own settings go last.
        args: [...options.argv, '--node-id', slot.node, '--port', String(options.port), '--processes', String(options.processes)],
        env: options.env,
        execArgv: options.execArgv,
      },
      this.events,
      this.logger,
    );
  }

  private serving(): MemberProcess[] {
    return this.slots.flatMap((slot) => (slot.member?.isReady ? [slot.member] : []));
  }

  private onReady(member: MemberProcess, port: number): void {
    const slot = this.slots[member.spec.index - 1]!;
    this.metrics.processes.set(this.serving().length);
    this.logger.info({ member: member.node, memberPid: member.pid, port }, 'edge process ready');
    slot.started?.resolve();
    slot.started = undefined;
  }

  private async onScrape(member: MemberProcess, id: number): Promise<void> {
    try {
      member.send({ type: 'scraped', id, text: await this.scraper.render() });
    } catch (error) {
      this.logger.error({ err: error }, 'could not aggregate the group\'s metrics');
      member.send({ type: 'scrape-failed', id, reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private onExit(member: MemberProcess, exit: MemberExit): void {
    const slot = this.slots[member.spec.index - 1]!;
    if (slot.member === member) slot.member = undefined;
    this.metrics.processes.set(this.serving().length);
    const fields = { member: member.node, memberPid: member.pid, code: exit.code, signal: exit.signal };
    if (this.phase === 'stopping') {
      this.logger.info(fields, 'edge process stopped');
      return;
    }
    if (this.phase === 'failed') return;
    if (slot.started) {
      this.phase = 'failed';
      slot.started.reject(new GroupStartError(`edge process ${member.node} ended before it was ready (${describeExit(exit)}); the group does not start`));
      slot.started = undefined;
      return;
    }
    this.logger.warn(fields, 'edge process ended unexpectedly');
    this.planRestart(slot, exit);
  }

  private planRestart(slot: Slot, exit: MemberExit): void {
    const decision = planRestart(slot.restart, exit, this.options.restart, this.random);
    if (decision.action === 'give-up') {
      this.phase = 'failed';
      this.giveUp(
        new RestartsExhaustedError(
          `edge process ${slot.node} ended before it was ready ${decision.startFailures} times in a row (last: ${describeExit(exit)}); ` +
            'giving up on the group rather than restarting it forever',
        ),
      );
      return;
    }
    slot.restart = decision.state;
    this.logger.info({ member: slot.node, delayMs: decision.delayMs, crashes: decision.state.crashes }, 'restarting edge process');
    slot.timer = setTimeout(() => {
      this.metrics.restartsTotal.inc();
      this.launch(slot);
    }, decision.delayMs);
  }
}

function describeExit(exit: MemberExit): string {
  return exit.signal === null ? `exit code ${exit.code}` : `signal ${exit.signal}`;
}
