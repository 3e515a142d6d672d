import { describe, expect, it } from 'vitest';
import { type OptionSpecs, UsageError, parseOptions } from './suite-options.js';

const specs: OptionSpecs = {
  servers: { kind: 'words', default: ['tidings'], allowed: ['tidings', 'nchan'], help: 'servers' },
  connections: { kind: 'ints', default: [1000], min: 1, max: 500_000, help: 'connections' },
  seconds: { kind: 'int', default: 10, min: 1, max: 60, help: 'seconds' },
  label: { kind: 'text', default: undefined, pattern: /^[a-z]+$/, help: 'a label' },
};

describe('parseOptions', () => {
  it('fills in defaults and reads lists, integers and text in both --name value and --name=value forms', () => {
    const options = parseOptions(['--servers', 'tidings,nchan', '--connections=10000,50000', '--label', 'night'], specs);
    expect(options.words('servers')).toEqual(['tidings', 'nchan']);
    expect(options.ints('connections')).toEqual([10_000, 50_000]);
    expect(options.int('seconds')).toBe(10);
    expect(options.text('label')).toBe('night');
  });

  it.each([
    [['--servers', 'redis'], "--servers: 'redis' — expected a comma list of tidings, nchan"],
    [['--connections', '0'], "--connections: '0' — expected an integer from 1 to 500000"],
    [['--seconds', '1.5'], "--seconds: '1.5' — expected an integer from 1 to 60"],
    [['--seconds'], '--seconds needs a value'],
    [['--bogus', '1'], 'unknown option --bogus (see --help)'],
    [['stray'], "unexpected argument 'stray'"],
    [['--label', 'Night!'], "--label: 'Night!' is not allowed here (a label)"],
  ])('refuses %j with one clear line', (argv, message) => {
    expect(() => parseOptions(argv, specs)).toThrow(new UsageError(message));
  });
});
