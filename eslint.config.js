// One flat config for every project: typescript-eslint's recommended rules plus the house rules.
import js from '@eslint/js';
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
    // The pure layers may not reach for I/O: that is what the ports are for.
    files: ['libs/protocol/src/**/*.ts', 'libs/core/src/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: ['ioredis', 'uWebSockets.js', 'node:*', 'pino', 'prom-client', 'bullmq'] }],
    },
  },
  { files: ['services/edge/static/**/*.js'], languageOptions: { globals: globals.browser } },
  { files: ['services/cli/bin/**/*.js', 'bench/**/*.mjs'], languageOptions: { globals: globals.node } },
  {
    files: ['**/*.spec.ts', 'test/**/*.ts', 'bench/**/*.ts', 'bench/**/*.mjs', 'services/cli/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
);
