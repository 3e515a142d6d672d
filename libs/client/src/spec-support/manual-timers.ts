// Timers that only fire when the test says so, so reconnect logic is tested without waiting.
import type { TimerHandle, Timers } from '../types.js';

interface Pending {
  readonly id: number;
  readonly ms: number;
  readonly run: () => void;
}

export class ManualTimers implements Timers {
  private nextId = 1;
  private pending: Pending[] = [];
  /** Every delay ever asked for, in order. */
  readonly delays: number[] = [];

  setTimeout(run: () => void, ms: number): TimerHandle {
    const id = this.nextId++;
    this.pending.push({ id, ms, run });
    this.delays.push(ms);
    return id;
  }

  clearTimeout(handle: TimerHandle): void {
    this.pending = this.pending.filter((p) => p.id !== handle);
  }

  get count(): number {
    return this.pending.length;
  }

  /** Delays of the timers still pending. */
  get pendingDelays(): number[] {
    return this.pending.map((p) => p.ms);
  }

  /** Runs the pending timer with the shortest delay (the earliest set among equals). */
  runNext(): void {
    const next = [...this.pending].sort((a, b) => a.ms - b.ms || a.id - b.id)[0];
    if (!next) throw new Error('no timer pending');
    this.pending = this.pending.filter((p) => p !== next);
    next.run();
  }
}

/** Lets pending promise callbacks (fetch, stream reads) run. */
export async function settle(rounds = 20): Promise<void> {
  for (let i = 0; i < rounds; i++) await new Promise<void>((resolve) => setImmediate(resolve));
}
