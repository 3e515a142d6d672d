// The documents state the WebSocket frame queue's limit as a number: keep them to the code's.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { MAX_QUEUED_FRAMES } from './ws-route.js';

const read = (path: string) => readFileSync(new URL(`../../../../${path}`, import.meta.url), 'utf8').replace(/\s+/g, ' ');

describe('the documented WebSocket frame queue limit', () => {
  it.each(['SECURITY.md', 'docs/architecture.md'])('in %s is the one the edge enforces', (path) => {
    const stated = [...read(path).matchAll(/at most (\d+)(?: of them,.{0,60}?)? (?:waiting|may wait)/g)].map((m) => Number(m[1]));
    expect(stated.length).toBeGreaterThan(0);
    expect(stated).toEqual(stated.map(() => MAX_QUEUED_FRAMES));
  });
});
