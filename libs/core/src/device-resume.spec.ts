import { describe, expect, it } from 'vitest';
import { deviceResumePoint } from './device-resume.js';

describe('deviceResumePoint', () => {
  it('resumes each exact channel at its position, with no floor when there is no pattern', () => {
    const { cursor, lapses } = deviceResumePoint(
      [
        { channel: 'a', position: '5-0' },
        { channel: 'b', position: '0-0' },
      ],
      [],
    );
    expect(cursor).toEqual({ floor: '0-0', positions: new Map([['a', '5-0'], ['b', '0-0']]) });
    expect(lapses).toEqual([]);
  });

  it('takes the earliest pattern floor and the lowest position any standing gives a channel, so nothing is skipped', () => {
    const { cursor } = deviceResumePoint(
      [{ channel: 'news/a', position: '9-0' }],
      [
        { pattern: 'news/+', floor: '4-0', positions: new Map([['news/a', '7-0'], ['news/b', '8-0']]) },
        { pattern: 'news/#', floor: '3-0', positions: new Map([['news/b', '8-5'], ['news/c/d', '6-0']]) },
      ],
    );
    expect(cursor.floor).toBe('3-0');
    expect(Object.fromEntries(cursor.positions)).toEqual({ 'news/a': '7-0', 'news/b': '8-0', 'news/c/d': '6-0' });
  });

  it('reports every lapsed membership and pattern, to be told before any event', () => {
    const lapsedChannel = { channel: 'a', lostFrom: '1-0', lostTo: '5-0', reason: 'membership-expired' } as const;
    const lapsedPattern = { channel: 'n/#', lostFrom: '2-0', lostTo: '9-0', reason: 'membership-expired' } as const;
    const { lapses } = deviceResumePoint(
      [
        { channel: 'a', position: '5-0', lapsed: lapsedChannel },
        { channel: 'b', position: '1-0' },
      ],
      [{ pattern: 'n/#', floor: '9-0', positions: new Map(), lapsed: lapsedPattern }],
    );
    expect(lapses).toEqual([lapsedChannel, lapsedPattern]);
  });
});
