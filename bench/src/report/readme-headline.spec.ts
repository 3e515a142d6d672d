import { describe, expect, it } from 'vitest';
import { HEADLINE_END, HEADLINE_START, withHeadline } from './readme-headline.js';

describe('withHeadline', () => {
  it('replaces only what stands between the markers', () => {
    const readme = `intro\n${HEADLINE_START}\n| old |\n${HEADLINE_END}\nafter\n`;
    expect(withHeadline(readme, '| new |\n')).toBe(`intro\n${HEADLINE_START}\n| new |\n${HEADLINE_END}\nafter\n`);
  });

  it('leaves a README without markers as it is', () => {
    expect(withHeadline('no markers here\n', '| new |\n')).toBe('no markers here\n');
  });
});
