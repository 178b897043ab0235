// Lint of the TypeScript sources, tests, e2e tests and benchmarks: typescript-eslint's
// recommended rules, as JupyterLab's extension template has them. Formatting is prettier's
// (.prettierrc.json). Each rule changed below says why.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['lib/**', 'build/**', 'dist/**', 'node_modules/**', 'jupyterlab_axopy/labextension/**', '.venv*/**', '.jupyter-prefix/**', 'ui-tests/test-results/**', 'ui-tests/playwright-report/**']
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    rules: {
      // `_x` marks a parameter kept for its position (unused values are tsc errors already).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      // Command ids live in a namespace, as JupyterLab's own CommandIDs do.
      '@typescript-eslint/no-namespace': 'off',
      // The kernel compiles to CommonJS and loads vega, tslab and the launcher's parts with
      // require on first use (a notebook that never plots never loads vega).
      '@typescript-eslint/no-require-imports': 'off',
      // The id, folder-name and archive-name rules reject control characters by matching them.
      'no-control-regex': 'off',
      // The same files type-check under tslab's TypeScript 5.0 and the build's 5.9, whose
      // arquero/vega typings differ: an @ts-expect-error would fail under one of them.
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-ignore': false }]
    }
  },
  {
    // page.evaluate code reaches the page's untyped globals (window.jupyterapp, the test hook).
    files: ['ui-tests/**/*.ts', 'benchmarks/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' }
  }
);
