import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { globalSetup: ['./src/spec-support/redis-servers.global.ts'] },
});
