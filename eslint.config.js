import js from '@eslint/js';
import { tsImport } from 'tsx/esm/api';
import tseslint from 'typescript-eslint';

// The determinism plugin is linted and used from source, so `npm run lint` needs no build first.
const { default: redflow } = await tsImport('./src/eslint-plugin/index.ts', import.meta.url);

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.redis-test/**', 'docs/api/**', '.bench-build/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['eslint.config.js'] }, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    // Node 20's V8 builds an object literal that starts with a spread and goes on (`{ ...a, b }`, `{ ...a, ...b }`)
    // on a slow path: 1.7 µs for one more property, 14 µs for two spreads of 13 properties, against 0.1-0.3 µs
    // for the same object from Object.assign or with the spread not first. On the task path that was a
    // measurable share of a task's CPU.
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        {
          selector: 'ObjectExpression > SpreadElement:first-child ~ *',
          message:
            'An object literal starting with a spread and going on is slow to build on Node 20: use Object.assign({}, a, { ... }), or put the spread after the other properties when none of its keys can repeat them.',
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'warn',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  { ...redflow.configs.recommended, files: ['examples/**/*.ts'] },
  {
    files: ['eslint.config.js'],
    ...tseslint.configs.disableTypeChecked,
  },
  {
    // The diagnostics UI's browser modules: plain JavaScript served as is, outside the TypeScript project.
    files: ['src/ui/assets/**/*.js'],
    ...tseslint.configs.disableTypeChecked,
    languageOptions: {
      ...tseslint.configs.disableTypeChecked.languageOptions,
      sourceType: 'module',
      globals: Object.fromEntries(
        ['window', 'document', 'location', 'fetch', 'URLSearchParams', 'addEventListener', 'removeEventListener', 'setTimeout', 'clearTimeout'].map(
          (name) => [name, 'readonly'],
        ),
      ),
    },
  },
);
