import { describe, expect, it } from 'vitest';
import { resultsProblems } from './results-file.js';

const good = {
  bench: 'connections',
  when: '2026-11-27T07:00:00.000Z',
  machine: { node: 'v20.20.2' },
  argv: ['connections'],
  options: { connections: [1000] },
  results: [
    { server: 'tidings', description: '1 edge', config: { connections: 1000 }, loadAverageAtStart: 0.5, figures: { held: 1000 } },
    { server: 'nchan', description: 'nchan', config: { connections: 1000 }, loadAverageAtStart: 0.5, figures: null, error: 'nginx missing' },
  ],
};

describe('resultsProblems', () => {
  it('finds nothing wrong with a well-formed file, failed runs included', () => {
    expect(resultsProblems(good)).toEqual([]);
  });

  it('names the dotted path of each missing or mistyped field', () => {
    const bad = { ...good, when: 'yesterday', results: [{ ...good.results[0], figures: null }, { server: 3 }] };
    expect(resultsProblems(bad)).toEqual(['when (not a date)', 'results.0.figures', 'results.1.server', 'results.1.description', 'results.1.config', 'results.1.loadAverageAtStart', 'results.1.figures']);
  });
});
