import { afterAll, beforeAll, describe } from 'vitest';

/** What one implementation of a port needs for a whole suite: servers and connections, brought up once. */
export interface Backend<Options, Fixture> {
  /** A fresh instance, isolated from every other one (its own key prefix), configured with `options`. */
  create(options: Options): Promise<Fixture>;
  tearDown(): Promise<void>;
}

export interface Implementation<Options, Fixture> {
  readonly name: string;
  setUp(): Promise<Backend<Options, Fixture>>;
}

/** Slow set-ups (a Redis Cluster forms in a few seconds) get this long. */
const SET_UP_LIMIT_MS = 60_000;

/**
 * Runs `contract` against each implementation, in a describe block of its own named after the
 * port and the implementation; `contract` registers its tests and makes instances through `create`.
 */
export function runContract<Options, Fixture>(
  port: string,
  implementations: readonly Implementation<Options, Fixture>[],
  contract: (create: (options: Options) => Promise<Fixture>) => void,
): void {
  for (const implementation of implementations) {
    describe(`${port} on ${implementation.name}`, () => {
      let backend: Backend<Options, Fixture> | undefined;
      beforeAll(async () => {
        backend = await implementation.setUp();
      }, SET_UP_LIMIT_MS);
      afterAll(async () => {
        await backend?.tearDown();
      });
      contract((options) => {
        if (!backend) throw new Error(`${implementation.name} did not set up`);
        return backend.create(options);
      });
    });
  }
}

/** The in-memory twin of a port: nothing to start or stop, a fresh instance per fixture. */
export function inMemory<Options, Fixture>(create: (options: Options) => Fixture): Implementation<Options, Fixture> {
  return { name: 'memory', setUp: async () => ({ create: async (options) => create(options), tearDown: async () => undefined }) };
}
