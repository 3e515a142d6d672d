import { defineConfig } from 'vitest/config';

// Files start real Prometheus, edges, a worker and helm: one at a time on a 2-core machine.
export default defineConfig({
  test: {
    include: ['test/**/*.spec.ts'],
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Set before testcontainers loads: its reaper image cannot be pulled here, and containers use
    // the host's network, so the host is 127.0.0.1.
    env: { TESTCONTAINERS_RYUK_DISABLED: 'true', TESTCONTAINERS_HOST_OVERRIDE: '127.0.0.1' },
  },
});
