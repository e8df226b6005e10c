// Lint configuration: typescript-eslint's recommended rules over the sources, tests and benchmarks, and the layering.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** An import pattern for a layer's folder wherever the importing file sits. */
const anywhere = (folder) => ({ group: [`**/${folder}/**`], message: `this layer may not import src/${folder} (docs/architecture.md)` });

/** `no-restricted-imports` for the files of one layer. */
const layer = (files, patterns, extra = {}) => ({ files: [files], ...extra, rules: { 'no-restricted-imports': ['error', { patterns }] } });

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'console/dist/**', 'sdk/dist/**', 'coverage/**', 'test-output/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly', URL: 'readonly', setTimeout: 'readonly', clearTimeout: 'readonly', fetch: 'readonly', AbortSignal: 'readonly', Buffer: 'readonly', performance: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', destructuredArrayIgnorePattern: '^_' }],
    },
  },
  // The layers (docs/architecture.md): core imports nothing else of ours, store only core, the service never an
  // adapter, and the adapters reach the service only through its front door, src/service/index.ts.
  layer('src/core/**', ['store', 'service', 'http', 'cli', 'runtime', 'testing'].map(anywhere)),
  layer('src/store/**', ['service', 'http', 'cli', 'runtime'].map(anywhere)),
  layer('src/service/**', ['http', 'cli', 'runtime'].map(anywhere), {
    // The authority model drives the service and, on some steps, the HTTP app built over it.
    ignores: ['src/service/authority.model.test.ts'],
  }),
  layer('src/{http,cli,runtime,testing}/**', [{ group: ['**/service/**', '!**/service/index.js'], message: 'adapters import the service from src/service/index.ts only' }], {
    // Compares the service's path reading with the route's answers.
    ignores: ['src/http/routes/gateway-routes.test.ts'],
  }),
  {
    files: ['**/*.test.ts', 'src/testing/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off', '@typescript-eslint/no-non-null-assertion': 'off' },
  },
);
