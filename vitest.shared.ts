import { mergeConfig, type ViteUserConfig } from 'vitest/config';

/**
 * Unit and integration tests import the workspace's libs from their TypeScript source: every lib's
 * package.json maps the "@tidings/source" export condition to src/index.ts, so a change in a lib
 * is seen by its dependents' tests without building it first. A condition of our own, not the
 * generic "development": @tidings/client and @tidings/protocol are published, and a consumer's
 * bundler may well set "development". Processes the tests spawn still run the built dist/.
 */
const SOURCE_CONDITIONS = ['@tidings/source', 'module', 'node', 'development|production'];

export function fromSource(config: ViteUserConfig = {}): ViteUserConfig {
  const resolve = { conditions: SOURCE_CONDITIONS };
  // ssr: the test files; __vitest__: what vitest itself loads, such as global setup files.
  return mergeConfig({ ssr: { resolve }, environments: { __vitest__: { resolve } } }, config);
}
