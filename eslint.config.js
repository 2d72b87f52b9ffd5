// Lint: typescript-eslint's recommended rules, plus the rule that keeps I/O out of core/.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const ioModules = [
  'postgres', 'bullmq', 'ioredis', 'execa', 'koa', '@koa/*', 'pino', 'prom-client', '@unraid/libvirt', 'undici',
  'fs', 'fs/*', 'node:fs', 'node:fs/*', 'child_process', 'node:child_process', 'net', 'node:net', 'http', 'node:http',
  'https', 'node:https', 'dgram', 'node:dgram', 'worker_threads', 'node:worker_threads',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'dist/', 'bench/results/', '.tmp/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', Buffer: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', setInterval: 'readonly', clearInterval: 'readonly', fetch: 'readonly', AbortController: 'readonly', AbortSignal: 'readonly', TextEncoder: 'readonly', TextDecoder: 'readonly', Response: 'readonly', Headers: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-empty': ['error', { allowEmptyCatch: false }],
    },
  },
  {
    files: ['core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ioModules, message: 'core/ is pure: no I/O imports (SPEC §3).' }] }],
      'no-restricted-globals': ['error', { name: 'fetch', message: 'core/ is pure: no network calls.' }, { name: 'process', message: 'core/ reads no environment: parse it in a composition root.' }],
    },
  },
  {
    // The web console runs in the browser.
    files: ['http/console/web/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(
        ['document', 'window', 'location', 'history', 'sessionStorage', 'EventSource', 'Node', 'FormData', 'URLSearchParams', 'requestAnimationFrame', 'atob', 'alert', 'fetch', 'console', 'setTimeout'].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['cli/commands/**/*.ts'],
    rules: {
      'no-restricted-globals': ['error', { name: 'process', message: 'Commands use this.context, not process.' }, { name: 'console', message: 'Commands write to this.context.stdout.' }],
    },
  },
);
