import { describe, expect, it } from 'vitest';
import { Arrivals } from './arrivals.js';

describe('Arrivals', () => {
  it('next(filter) takes the oldest matching item and leaves the others for later', async () => {
    const arrivals = new Arrivals<number>('number', String);
    for (const n of [1, 2, 3, 4]) arrivals.push(n);
    expect(await arrivals.next((n) => n % 2 === 0, 1000)).toBe(2);
    expect(await arrivals.next(() => true, 1000)).toBe(1);
    expect(await arrivals.next(() => true, 1000)).toBe(3);
    expect(await arrivals.next(() => true, 1000)).toBe(4);
  });

  it('next() waits for an item that has not arrived yet', async () => {
    const arrivals = new Arrivals<string>('word', String);
    const pending = arrivals.next((w) => w === 'b', 1000);
    arrivals.push('a');
    arrivals.push('b');
    expect(await pending).toBe('b');
    expect(await arrivals.next(() => true, 1000)).toBe('a');
  });

  it('take(n) takes the next n items not yet taken, once there are that many', async () => {
    const arrivals = new Arrivals<string>('event', String);
    arrivals.push('reset');
    arrivals.push('e1');
    expect(await arrivals.next((e) => e === 'reset', 1000)).toBe('reset');
    const pending = arrivals.take(2, 1000);
    arrivals.push('e2');
    arrivals.push('e3');
    expect(await pending).toEqual(['e1', 'e2']);
    expect(await arrivals.take(1, 1000)).toEqual(['e3']);
    expect(arrivals.items).toEqual(['reset', 'e1', 'e2', 'e3']);
  });

  it('fails waiters at once when the connection ends, naming what did arrive', async () => {
    const arrivals = new Arrivals<number>('number', String);
    arrivals.push(5);
    const pending = arrivals.take(3, 60_000);
    arrivals.end();
    await expect(pending).rejects.toThrow('the connection closed before 3 more numbers arrived; received 1 number(s), 1 not yet taken; the last: 5');
  });

  it('gives up after the limit', async () => {
    const arrivals = new Arrivals<number>('number', String);
    await expect(arrivals.next(() => true, 10)).rejects.toThrow('gave up waiting for a matching number after 10 ms');
  });
});
