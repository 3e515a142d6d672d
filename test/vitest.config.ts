import { defineConfig } from 'vitest/config';

// Every file starts its own Redis and edge processes; running files one at a time keeps a
// 2-core machine from timing out on start-up rather than on anything under test.
export default defineConfig({
  test: { fileParallelism: false, testTimeout: 30_000, hookTimeout: 60_000 },
});
