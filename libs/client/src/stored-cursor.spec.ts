import { encodeCursor } from '@tidings/protocol';
import { describe, expect, it } from 'vitest';
import { createClient } from './create-client.js';
import { FakeFetch, jsonResponse } from './spec-support/fake-fetch.js';
import { settle } from './spec-support/manual-timers.js';
import { type CursorStorage, cursorKey, StoredCursor } from './stored-cursor.js';
import type { TidingsEvent } from './types.js';

class MapStorage implements CursorStorage {
  readonly map = new Map<string, string>();
  writes = 0;
  getItem(key: string): string | null {
    return this.map.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes += 1;
    this.map.set(key, value);
  }
  removeItem(key: string): void {
    this.map.delete(key);
  }
}

const cursor = (id: string) => encodeCursor({ floor: '0-0', positions: new Map([['news', id]]) });
const ev = (id: string) => ({ channel: 'news', id, event: 'message', data: id });

describe('StoredCursor', () => {
  it('keys by server, device and the set of subscriptions, whatever their order', () => {
    expect(cursorKey('http://a', 'phone', ['b', 'a/#'])).toBe(cursorKey('http://a', 'phone', ['a/#', 'b']));
    expect(cursorKey('http://a', 'phone', ['a'])).not.toBe(cursorKey('http://a', 'laptop', ['a']));
    expect(cursorKey('http://a', undefined, ['a'])).not.toBe(cursorKey('http://b', undefined, ['a']));
  });

  it('loads what it saved, and drops a value that is not a cursor instead of sending it', () => {
    const storage = new MapStorage();
    storage.map.set('k', cursor('5-0'));
    storage.map.set('id', '7-1');
    storage.map.set('junk', 'not a cursor!');
    const errors: unknown[] = [];
    expect(new StoredCursor(storage, 'k', (e) => errors.push(e)).load()).toBe(cursor('5-0'));
    expect(new StoredCursor(storage, 'id', (e) => errors.push(e)).load()).toBe('7-1');
    expect(new StoredCursor(storage, 'junk', (e) => errors.push(e)).load()).toBeUndefined();
    expect(storage.map.has('junk')).toBe(false);
    expect(new StoredCursor(storage, 'none', (e) => errors.push(e)).load()).toBeUndefined();
    expect(errors).toEqual([]);
  });

  it('writes once per run of events, the cursor as it stands after the last of them', async () => {
    const storage = new MapStorage();
    const stored = new StoredCursor(storage, 'k', () => undefined);
    let current = cursor('1-0');
    stored.save(() => current);
    current = cursor('2-0');
    stored.save(() => current);
    expect(storage.writes).toBe(0);
    await Promise.resolve();
    expect(storage.writes).toBe(1);
    expect(storage.map.get('k')).toBe(cursor('2-0'));
  });

  it('reports a storage that refuses writes once, and carries on', async () => {
    const errors: unknown[] = [];
    const full: CursorStorage = {
      getItem: () => null,
      setItem: () => {
        throw new Error('QuotaExceededError');
      },
      removeItem: () => undefined,
    };
    const stored = new StoredCursor(full, 'k', (e) => errors.push(e));
    for (let i = 0; i < 3; i++) {
      stored.save(() => cursor(`${i}-0`));
      await Promise.resolve();
    }
    expect(errors).toHaveLength(1);
  });
});

describe('createClient with cursorStorage', () => {
  it('resumes a new page from the cursor the last one kept, after the last event it handled', async () => {
    const storage = new MapStorage();
    const fake = new FakeFetch();
    const page = () => createClient({ url: 'http://edge.test', transport: 'poll', device: 'd1', fetch: fake.fetch, cursorStorage: storage });
    const got: TidingsEvent[] = [];
    page().subscribe('news', (e) => got.push(e));
    expect(fake.last().url).not.toContain('since=');
    fake.last().respond(jsonResponse(200, { events: [ev('1-0'), ev('2-0')], resets: [], cursor: cursor('2-0') }));
    await settle();
    expect(got.map((e) => e.id)).toEqual(['1-0', '2-0']);
    expect(storage.writes).toBe(1);

    // The page reloads: a new client, the same storage.
    page().subscribe('news', () => undefined);
    expect(fake.last().url).toContain(`since=${cursor('2-0')}`);
    // An explicit since still wins.
    page().subscribe('news', () => undefined, { since: '1-0' });
    expect(fake.last().url).toContain('since=1-0');
  });

  it('tells onError when the storage fails, and keeps delivering', async () => {
    const fake = new FakeFetch();
    const broken: CursorStorage = {
      getItem: () => {
        throw new Error('SecurityError');
      },
      setItem: () => undefined,
      removeItem: () => undefined,
    };
    const errors: Error[] = [];
    const got: string[] = [];
    createClient({ url: 'http://edge.test', transport: 'poll', fetch: fake.fetch, cursorStorage: broken }).subscribe('news', (e) => got.push(e.id), { onError: (e) => errors.push(e) });
    fake.last().respond(jsonResponse(200, { events: [ev('1-0')], resets: [], cursor: cursor('1-0') }));
    await settle();
    expect(errors.map((e) => (e as { code?: string }).code)).toEqual(['TIDINGS_CLIENT_STORAGE']);
    expect(got).toEqual(['1-0']);
  });
});
