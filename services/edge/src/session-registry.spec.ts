import { describe, expect, it } from 'vitest';
import { type Session, SessionRegistry } from './session-registry.js';

describe('SessionRegistry', () => {
  it('closes every session on shutdown, each told a retry delay spread over the window', async () => {
    const registry = new SessionRegistry();
    const retries: number[] = [];
    const sessions: Session[] = Array.from({ length: 7 }, () => ({
      transport: 'sse',
      heartbeat: () => undefined,
      closeForShutdown: (retryMs) => retries.push(retryMs),
    }));
    sessions.forEach((s) => registry.add(s));
    let n = 0;
    await registry.closeAll(3, 1000, () => (n++ % 7) / 7);
    expect(retries).toHaveLength(7);
    expect(new Set(retries).size).toBe(7);
    expect(Math.min(...retries)).toBeGreaterThanOrEqual(250);
    expect(Math.max(...retries)).toBeLessThanOrEqual(1250);
    expect(registry.size).toBe(0);
  });

  it('drives every heartbeat from one call', () => {
    const registry = new SessionRegistry();
    let beats = 0;
    for (let i = 0; i < 3; i++) registry.add({ transport: 'ws', heartbeat: () => beats++, closeForShutdown: () => undefined });
    registry.heartbeat();
    expect(beats).toBe(3);
  });
});
