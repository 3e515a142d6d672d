import { z } from 'zod';
import { type ConfigDefinition, loadConfig } from './load-config.js';
import { type ConfigOption, listOptions } from './list-options.js';
import { enumOption, integerOption, redisUrlOption } from './option-schema.js';
import type { RedisTarget } from './redis-target.js';

/** `tidings dev`: edges listen on port, port+1, … */
export interface DevConfig {
  readonly port: number;
  readonly redis: RedisTarget | null;
  readonly edges: number;
  /** Worker processes next to the edges; 0 runs none. */
  readonly workers: number;
  /** auto: a redis-server from PATH if there is one, else the in-process engine. */
  readonly engine: 'auto' | 'redis' | 'memory';
}

export const devConfigSchema = z
  .strictObject({
    port: integerOption(1, 65535, 8080, 'Port of the first edge; edge n listens on port+n-1.', { flag: '--port', env: 'PORT' }),
    redis: redisUrlOption('Redis to use; when absent a redis-server from PATH is started on a free port, in memory.', {
      flag: '--redis',
      env: 'REDIS_URL',
    }),
    edges: integerOption(1, 8, 2, 'Number of edge processes to start.', { env: 'TIDINGS_DEV_EDGES' }),
    workers: integerOption(0, 4, 1, 'Number of worker processes to start next to the edges; 0 starts none.', { env: 'TIDINGS_DEV_WORKERS' }),
    engine: enumOption(
      ['auto', 'redis', 'memory'],
      'auto',
      'auto: a redis-server from PATH when there is one, else the in-process engine (all edges in one process, events in memory only).',
      { env: 'TIDINGS_DEV_ENGINE' },
    ),
  })
  .superRefine((c, ctx) => {
    const last = c.port + c.edges - 1;
    if (last > 65535) {
      ctx.addIssue({ code: 'custom', path: ['port'], message: `with ${c.edges} edges the last would listen on ${last}; use a port up to ${65536 - c.edges}` });
    }
  });

const DEV: ConfigDefinition<typeof devConfigSchema> = {
  schema: devConfigSchema,
  envPrefix: 'TIDINGS_DEV_',
  // Everything else under TIDINGS_ configures the edges `tidings dev` starts.
  envPolicy: { prefix: 'TIDINGS_DEV_', foreign: [] },
};

export function loadDevConfig(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): DevConfig {
  return loadConfig(DEV, argv, env);
}

export function describeDevConfig(): ConfigOption[] {
  return listOptions(DEV.schema, DEV.envPrefix);
}
