// Flat config: strict TypeScript rules for the web app, plain ESM with node
// globals for the test helpers and scripts.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['node_modules/', 'web/dist/', 'build/', 'build-*/', 'server/', 'var/'],
  },
  js.configs.recommended,
  {
    files: ['web/**/*.{ts,tsx}', 'tests/web/**/*.ts'],
    extends: [tseslint.configs.strict],
    languageOptions: { globals: globals.browser },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
      'no-restricted-syntax': [
        'error',
        {
          selector: "JSXAttribute[name.name='dangerouslySetInnerHTML']",
          message: 'Never inject raw HTML; render text and let Preact escape it.',
        },
      ],
    },
  },
  // The web app's layers (docs/internals/web.md): api imports nothing of the
  // app; lib, state and components never import a screen; only App.tsx and
  // the tab table import screens.
  {
    files: ['web/src/api/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '^\\.\\./', message: 'api/ imports nothing of the app (only other api/ modules).' }] },
      ],
    },
  },
  {
    files: ['web/src/{lib,state,components}/**/*.{ts,tsx}', 'web/src/routes.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ regex: '(^|/)screens/', message: 'Only App.tsx and the tab table import screens.' }] },
      ],
    },
  },
  {
    files: ['web/vite.config.ts'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.{js,mjs,cjs}'],
    languageOptions: { globals: { ...globals.node } },
  },
);
