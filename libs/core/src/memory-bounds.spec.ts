import { describe, expect, it } from 'vitest';
import { MemoryPresenceStore } from './memory-presence-store.js';
import { MemoryRateLimiter } from './memory-rate-limiter.js';

// The in-process engine stands in for Redis, whose keys expire: its maps must not keep what
// counts for nothing any more, however many principals, channels and devices come and go.

describe('MemoryRateLimiter', () => {
  it('forgets the buckets that have refilled, keeping those still spent', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(10, 5, () => now); // refilled 0.5 s after the last take
    await limiter.take('busy', 5);
    for (let i = 0; i < 100_000; i++) {
      now += 1;
      await limiter.take(`passing-${i}`, 1);
    }
    expect(limiter.size).toBeLessThanOrEqual(2048);
    now = 100_000; // busy's bucket was drained at 0 and forgotten once refilled: a fresh burst
    expect(await limiter.take('busy', 5)).toEqual({ allowed: true, retryAfterMs: 0 });
  });

  it('keeps a spent bucket through sweeps, so its refusals stand', async () => {
    let now = 0;
    const limiter = new MemoryRateLimiter(1, 5, () => now); // refills over 5 s
    await limiter.take('spent', 5);
    for (let i = 0; i < 5000; i++) await limiter.take(`passing-${i}`, 1);
    now = 500;
    expect(await limiter.take('spent', 1)).toEqual({ allowed: false, retryAfterMs: 500 });
  });
});

describe('MemoryPresenceStore', () => {
  it('forgets entries past the TTL and the channels they leave empty', async () => {
    let now = 0;
    const presence = new MemoryPresenceStore(1000, () => now);
    for (let i = 0; i < 50_000; i++) {
      now += 1;
      await presence.refresh(`room/${i}`, 'n1', [`d${i}`]);
    }
    expect(presence.size).toBeLessThanOrEqual(2048);
    expect(presence.channels).toBeLessThanOrEqual(2048);
    expect(await presence.online('room/49999')).toHaveLength(1);
  });

  it('drops a channel once its last device leaves', async () => {
    const presence = new MemoryPresenceStore(1000);
    await presence.refresh('room', 'n1', ['a', 'b']);
    await presence.leave('room', 'n1', ['a', 'b']);
    expect([presence.size, presence.channels]).toEqual([0, 0]);
  });

  it('still announces a forgotten device that comes back as joining', async () => {
    let now = 0;
    const presence = new MemoryPresenceStore(10, () => now);
    const joins: string[] = [];
    presence.onChange((c) => c.action === 'join' && joins.push(c.device));
    await presence.refresh('room', 'n1', ['back']);
    for (let i = 0; i < 3000; i++) await presence.refresh('room', 'n1', [`other-${i}`]).then(() => (now += 1));
    await presence.refresh('room', 'n1', ['back']);
    expect(joins.filter((d) => d === 'back')).toHaveLength(2);
  });
});
