// A subscription's cursor kept in storage the app chose (sessionStorage, localStorage), so a page
// that reloads resumes where it stopped instead of from now — or from a device's stored position,
// which counts what was written to the old page's connection, not what the page handled.
import { decodeCursor, isStreamId } from '@tidings/protocol';

/** The part of the Web Storage API the client uses: `sessionStorage` and `localStorage` fit. */
export interface CursorStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/** One key per server, device and set of channels and patterns, in any order. */
export function cursorKey(url: string, device: string | undefined, subscriptions: readonly string[]): string {
  return `tidings.cursor ${url} ${device ?? '-'} ${[...subscriptions].sort().join(' ')}`;
}

export class StoredCursor {
  private pending = false;
  private failed = false;

  constructor(
    private readonly storage: CursorStorage,
    private readonly key: string,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** The stored cursor; one that no longer decodes (edited, or from an older client) is dropped, not sent. */
  load(): string | undefined {
    try {
      const value = this.storage.getItem(this.key);
      if (value === null) return undefined;
      if (isValid(value)) return value;
      this.storage.removeItem(this.key);
    } catch (error) {
      this.report(error);
    }
    return undefined;
  }

  /**
   * Saves what `read` gives once the events being handed over now have all been handed over: one
   * write per run of events, a microtask later, which still comes before any reload can.
   */
  save(read: () => string | undefined): void {
    if (this.pending) return;
    this.pending = true;
    queueMicrotask(() => {
      this.pending = false;
      const cursor = read();
      if (cursor === undefined) return;
      try {
        this.storage.setItem(this.key, cursor);
      } catch (error) {
        this.report(error);
      }
    });
  }

  /** Once: storage that is full or forbidden stays so. */
  private report(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.onError(error);
  }
}

function isValid(value: string): boolean {
  if (isStreamId(value)) return true;
  try {
    decodeCursor(value);
    return true;
  } catch {
    return false; // not a cursor: the caller drops it
  }
}
