// One flat config for every project: typescript-eslint's recommended rules plus the house rules.
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'bench/results/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      'no-empty': ['error', { allowEmptyCatch: false }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-console': 'error',
    },
  },
  {
    // Dependencies point one way: services → adapters → core → protocol (see docs/architecture.md).
    files: ['**/*.ts'],
    plugins: { '@nx': nx },
    rules: {
      '@nx/enforce-module-boundaries': [
        'error',
        {
          enforceBuildableLibDependency: false,
          depConstraints: [
            { sourceTag: 'type:protocol', onlyDependOnLibsWithTags: [] },
            { sourceTag: 'type:core', onlyDependOnLibsWithTags: ['type:protocol'] },
            { sourceTag: 'type:adapter', onlyDependOnLibsWithTags: ['type:core', 'type:protocol', 'type:testing', 'type:contract'] },
            { sourceTag: 'type:infra', onlyDependOnLibsWithTags: ['type:protocol'] },
            { sourceTag: 'type:client', onlyDependOnLibsWithTags: ['type:protocol'] },
            { sourceTag: 'type:testing', onlyDependOnLibsWithTags: ['type:protocol'] },
            { sourceTag: 'type:contract', onlyDependOnLibsWithTags: ['type:core', 'type:protocol', 'type:testing'] },
            { sourceTag: 'type:service', onlyDependOnLibsWithTags: ['type:service', 'type:adapter', 'type:core', 'type:protocol', 'type:infra', 'type:client'] },
            { sourceTag: 'type:e2e', onlyDependOnLibsWithTags: ['*'] },
            // Deployment files are checked from outside: processes started by the harness, the config schema they are generated from.
            { sourceTag: 'type:deploy', onlyDependOnLibsWithTags: ['type:testing', 'type:infra', 'type:protocol'] },
            // The bench drives servers from outside, as processes: the test harness, the wire contract, and
            // the client's policies (its reconnect backoff), so load behaves as real clients do.
            { sourceTag: 'type:bench', onlyDependOnLibsWithTags: ['type:testing', 'type:protocol', 'type:client'] },
          ],
        },
      ],
    },
  },
  {
    // A promise nobody awaits or catches is an unhandled rejection waiting to happen (and an
    // unhandled rejection ends a Node process): every one must be awaited, returned, or marked `void`.
    files: ['libs/*/src/**/*.ts', 'services/*/src/**/*.ts', 'bench/src/**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { arguments: false, attributes: false } }],
    },
  },
  {
    // The pure layers may not reach for I/O: that is what the ports are for.
    files: ['libs/protocol/src/**/*.ts', 'libs/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['ioredis', 'uWebSockets.js', 'node:*', 'pino', 'prom-client', 'bullmq'] }],
    },
  },
  { files: ['services/edge/static/**/*.js', 'examples/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['services/cli/bin/**/*.js', 'bench/**/*.mjs', 'examples/**/*.mjs', 'scripts/**/*.mjs', 'libs/client/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.mjs', 'services/cli/**/*.ts', 'examples/**/*.mjs'],
    rules: { 'no-console': 'off' },
  },
);
