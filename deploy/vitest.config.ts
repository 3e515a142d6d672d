import { defineConfig } from 'vitest/config';

// Files start real Prometheus, edges, a worker and helm: one at a time on a 2-core machine.
export default defineConfig({
  test: { include: ['test/**/*.spec.ts'], fileParallelism: false, testTimeout: 60_000, hookTimeout: 120_000 },
});
