import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InlineMap } from './inline-map.js';

describe('InlineMap', () => {
  it('behaves as a Map for any sequence of sets, deletes, clears and lookups', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('set', 'delete', 'clear'), fc.constantFrom('a', 'b', 'c', 'd'), fc.integer())), (ops) => {
        const inline = new InlineMap<string, number>();
        const map = new Map<string, number>();
        for (const [op, key, value] of ops) {
          if (op === 'set') {
            inline.set(key, value);
            map.set(key, value);
          } else if (op === 'delete') expect(inline.delete(key)).toBe(map.delete(key));
          else {
            inline.clear();
            map.clear();
          }
          expect(inline.size).toBe(map.size);
          for (const probe of ['a', 'b', 'c', 'd', 'e']) {
            expect(inline.get(probe)).toBe(map.get(probe));
            expect(inline.has(probe)).toBe(map.has(probe));
          }
        }
        expect([...inline.entries()]).toEqual([...map.entries()]);
        expect([...inline.keys()]).toEqual([...map.keys()]);
        expect([...inline.values()]).toEqual([...map.values()]);
      }),
    );
  });
});
