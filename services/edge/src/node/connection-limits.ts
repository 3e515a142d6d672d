import { TidingsError } from '@tidings/protocol';

const NOTHING_TO_RELEASE = (): void => undefined;

/**
 * Open SSE streams and WebSockets per principal (token subject or API key) and per client address,
 * on this node. A connection counts from its acceptance until its release.
 */
export class ConnectionLimits {
  private readonly counts = new Map<string, number>();

  constructor(
    private readonly perPrincipal: number,
    private readonly perIp: number,
  ) {}

  /**
   * Counts a new connection, or throws TIDINGS_TOO_MANY_CONNECTIONS; returns its release. A
   * WebSocket that authenticates after opening is counted by address first, by principal then.
   */
  acquire(principal: string | undefined, ip: string | undefined): () => void {
    const keys: string[] = [];
    if (principal !== undefined && this.perPrincipal > 0) {
      if ((this.counts.get(`p ${principal}`) ?? 0) >= this.perPrincipal) {
        throw new TidingsError('TIDINGS_TOO_MANY_CONNECTIONS', `these credentials already hold ${this.perPrincipal} connections here`);
      }
      keys.push(`p ${principal}`);
    }
    if (ip !== undefined && this.perIp > 0) {
      if ((this.counts.get(`a ${ip}`) ?? 0) >= this.perIp) throw new TidingsError('TIDINGS_TOO_MANY_CONNECTIONS', `${ip} already holds ${this.perIp} connections here`);
      keys.push(`a ${ip}`);
    }
    if (keys.length === 0) return NOTHING_TO_RELEASE; // no limit applies: nothing kept per connection
    for (const key of keys) this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const key of keys) {
        const count = (this.counts.get(key) ?? 1) - 1;
        if (count > 0) this.counts.set(key, count);
        else this.counts.delete(key);
      }
    };
  }
}
