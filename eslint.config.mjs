// Type-aware lint of the TypeScript in src, test and bench; formatting is Prettier's (npm run format).
// The project service gives each file the nearest tsconfig.json that includes it: src/webview has its
// own (DOM libs), everything else the root one.
import js from '@eslint/js';
import importX from 'eslint-plugin-import-x';
import { defineConfig } from 'eslint/config';
import tseslint from 'typescript-eslint';

export default defineConfig(
  { ignores: ['dist/**', 'out/**', 'node_modules/**', '.vscode-test-host/**', '.test-output/**', 'test/webview/fixtures/**', 'test/fixtures/**', 'test/golden/**'] },
  {
    files: ['src/**/*.ts', 'test/**/*.ts', 'bench/**/*.ts'],
    extends: [js.configs.recommended, tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        projectService: true,
        tsconfigRootDir: import.meta.dirname,
      },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    rules: {
      'import-x/order': ['error', { groups: ['builtin', 'external', 'parent', 'sibling', 'index'], 'newlines-between': 'always', alphabetize: { order: 'asc' } }],
      '@typescript-eslint/no-floating-promises': 'error',
      // kernel functions are generators by contract (each may yield a Step); some return without one
      'require-yield': 'off',
    },
  },
);
