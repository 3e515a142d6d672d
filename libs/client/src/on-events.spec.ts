import { describe, expect, expectTypeOf, it } from 'vitest';
import { onEvents } from './on-events.js';
import type { TidingsEvent } from './types.js';

interface OrderEvents {
  status: { state: 'paid' | 'shipped' };
  note: string;
}

const event = (name: string, data: unknown): TidingsEvent => ({ channel: 'orders/42', id: '1-0', event: name, data });

describe('onEvents', () => {
  it('calls the handler named after the event, the rest go to otherwise', () => {
    const seen: string[] = [];
    const handle = onEvents<OrderEvents>(
      {
        status: (e) => {
          expectTypeOf(e.data).toEqualTypeOf<{ state: 'paid' | 'shipped' }>();
          expectTypeOf(e.event).toEqualTypeOf<'status'>();
          seen.push(`status ${e.data.state}`);
        },
        note: (e) => seen.push(`note ${e.data.toUpperCase()}`),
      },
      (e) => seen.push(`other ${e.event}`),
    );
    handle(event('status', { state: 'paid' }));
    handle(event('note', 'fragile'));
    handle(event('refund', 3));
    expect(seen).toEqual(['status paid', 'note FRAGILE', 'other refund']);
  });

  it('ignores events without a handler when there is no otherwise, including inherited names', () => {
    const handle = onEvents<OrderEvents>({});
    expect(() => handle(event('toString', null))).not.toThrow();
    expect(() => handle(event('status', { state: 'paid' }))).not.toThrow();
  });
});
