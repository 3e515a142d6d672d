import { describe, expect, it } from 'vitest';
import { connackCode, subackCode } from './mqtt-reason-codes.js';
import { filterSpec, topicChannel } from './mqtt-topics.js';

describe('MQTT topics as channels', () => {
  it('maps a topic that is a channel to that channel, and a filter to the same subscription', () => {
    expect(topicChannel('news/eu/sport')).toBe('news/eu/sport');
    expect(filterSpec('news/eu/sport')).toEqual({ kind: 'channel', channel: 'news/eu/sport' });
    expect(filterSpec('news/+/sport')).toEqual({ kind: 'pattern', pattern: 'news/+/sport' });
    expect(filterSpec('#')).toEqual({ kind: 'pattern', pattern: '#' });
  });

  it('refuses empty levels, a leading slash, $-topics, other characters and wildcards in names', () => {
    for (const filter of ['/news/+/sport', 'news//sport', 'news/', '$SYS/#', 'news/sp ort', 'news/#/x', 'news/sp+', '']) {
      expect(filterSpec(filter)).toBeUndefined();
    }
    for (const topic of ['/news', 'news/+', 'news/#', 'a b', 'x'.repeat(201)]) expect(topicChannel(topic)).toBeUndefined();
  });

  it('says no with each version’s own codes', () => {
    expect(subackCode('topic-filter-invalid', 4)).toBe(0x80);
    expect(subackCode('topic-filter-invalid', 5)).toBe(0x8f);
    expect(subackCode('not-authorized', 5)).toBe(0x87);
    expect(connackCode('client-id-invalid', 4)).toBe(0x02);
    expect(connackCode('client-id-invalid', 5)).toBe(0x85);
    expect(connackCode('bad-credentials', 4)).toBe(0x04);
    expect(connackCode('bad-credentials', 5)).toBe(0x86);
  });
});
