/**
 * Items arriving over a connection, kept in order, read like a mailbox with selective receive:
 * next(filter) takes the oldest item not yet taken that matches, leaving the others for later
 * calls; take(n) takes the next n not yet taken. Timeouts only guard against hangs; when the
 * connection ends first, waiters fail at once, naming what did arrive.
 */
export class Arrivals<T> {
  readonly items: T[] = [];
  private readonly taken: boolean[] = [];
  /** Every item before this index is taken. */
  private firstUntaken = 0;
  private ended = false;
  private readonly listeners = new Set<() => void>();

  constructor(
    private readonly what: string,
    private readonly describe: (item: T) => string,
  ) {}

  push(item: T): void {
    this.items.push(item);
    this.taken.push(false);
    for (const listener of [...this.listeners]) listener();
  }

  end(): void {
    this.ended = true;
    for (const listener of [...this.listeners]) listener();
  }

  /** The oldest item not yet taken that passes `filter`, once there is one. */
  next(filter: (item: T) => boolean, timeoutMs: number): Promise<T> {
    return this.until(`a matching ${this.what}`, timeoutMs, () => {
      for (let i = this.firstUntaken; i < this.items.length; i++) {
        if (!this.taken[i] && filter(this.items[i]!)) return [this.takeAt(i)];
      }
      return undefined;
    }).then(([item]) => item as T);
  }

  /** The next `n` items not yet taken, in arrival order, once that many are there. */
  take(n: number, timeoutMs: number): Promise<T[]> {
    return this.until(`${n} more ${this.what}s`, timeoutMs, () => {
      const indexes: number[] = [];
      for (let i = this.firstUntaken; i < this.items.length && indexes.length < n; i++) if (!this.taken[i]) indexes.push(i);
      return indexes.length < n ? undefined : indexes.map((i) => this.takeAt(i));
    });
  }

  private takeAt(index: number): T {
    this.taken[index] = true;
    while (this.firstUntaken < this.items.length && this.taken[this.firstUntaken]) this.firstUntaken++;
    return this.items[index]!;
  }

  private until<R>(what: string, timeoutMs: number, check: () => R | undefined): Promise<R> {
    return new Promise((resolve, reject) => {
      const done = () => {
        clearTimeout(timer);
        this.listeners.delete(listener);
      };
      const listener = () => {
        const result = check();
        if (result !== undefined) {
          done();
          resolve(result);
        } else if (this.ended) {
          done();
          reject(new Error(`the connection closed before ${what} arrived; ${this.received()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`gave up waiting for ${what} after ${timeoutMs} ms (a guard against hangs); ${this.received()}`));
      }, timeoutMs);
      this.listeners.add(listener);
      listener();
    });
  }

  private received(): string {
    const last = this.items.slice(-5).map(this.describe);
    const untaken = this.taken.filter((t) => !t).length;
    return `received ${this.items.length} ${this.what}(s), ${untaken} not yet taken${last.length > 0 ? `; the last: ${last.join(' | ')}` : ''}`;
  }
}
