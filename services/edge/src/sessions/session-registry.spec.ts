import { describe, expect, it } from 'vitest';
import { type Session, SessionRegistry } from './session-registry.js';

describe('SessionRegistry', () => {
  it('closes every session on shutdown, each told a retry delay spread over the window', async () => {
    const registry = new SessionRegistry();
    const retries: number[] = [];
    const sessions: Session[] = Array.from({ length: 7 }, () => ({
      transport: 'sse',
      expiresAt: undefined,
      expire: () => undefined,
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
    for (let i = 0; i < 3; i++) registry.add({ transport: 'ws', expiresAt: undefined, expire: () => undefined, heartbeat: () => beats++, closeForShutdown: () => undefined });
    registry.heartbeat();
    expect(beats).toBe(3);
  });

  it('expires the sessions whose token ran out, instead of beating their heart, and forgets them', () => {
    const registry = new SessionRegistry();
    const events: string[] = [];
    for (const [name, expiresAt] of [['old', 1000], ['fresh', 5000], ['forever', undefined]] as const) {
      registry.add({ transport: 'sse', expiresAt, expire: () => events.push(`expired ${name}`), heartbeat: () => events.push(`beat ${name}`), closeForShutdown: () => undefined });
    }
    registry.heartbeat(2000);
    expect(events).toEqual(['expired old', 'beat fresh', 'beat forever']);
    expect(registry.size).toBe(2);
  });
});
