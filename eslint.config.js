// Import direction is architecture, so it is enforced here rather than left to review.
// See ../shared/STYLE.md "Direction of imports".
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import globals from 'globals';
import { builtinModules } from 'node:module';

const nodeBuiltins = [...builtinModules, ...builtinModules.map((m) => `node:${m}`)];

const serverOnly = ['postgres', 'typesense', '@temporalio/client', '@temporalio/worker', '@temporalio/activity'];

const noBackendFromFrontends = [
  { group: ['**/activities', '**/activities/**'], message: 'api/ and web/ must not import activities/.' },
  { group: ['**/workers', '**/workers/**'], message: 'api/ and web/ must not import workers/.' },
  {
    group: ['**/workflows/**', '!**/workflows/contracts', '!**/workflows/contracts/**'],
    message: 'Only workflows/contracts (message definitions, ids, task queues) may be imported outside workflows/.',
  },
];

export default tseslint.config(
  { ignores: ['node_modules/**', '.tools/**', '.data/**', '.build/**', 'web/dist/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
    },
  },
  {
    files: ['workflows/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...serverOnly].map((name) => ({
            name,
            message: 'Workflow code runs in the deterministic sandbox: no Node built-ins or server clients.',
          })),
          patterns: [
            { group: ['**/platform', '**/platform/**'], message: 'Workflows may not import platform/ (server integrations).' },
          ],
        },
      ],
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/activities', '**/activities/**'],
              allowTypeImports: true,
              message: 'Workflows import activity *types* only (import type …).',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...serverOnly, '@temporalio/workflow'].map((name) => ({
            name,
            message: 'domain/ is pure and isomorphic: it imports nothing server-side.',
          })),
          patterns: [
            { group: ['**/platform/**', '**/activities/**', '**/workers/**', '**/workflows/**', '**/api/**', '**/web/**'], message: 'domain/ imports nothing of ours.' },
          ],
        },
      ],
    },
  },
  {
    files: ['api/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: noBackendFromFrontends }] },
  },
  {
    files: ['web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [...nodeBuiltins, ...serverOnly].map((name) => ({ name, message: 'The Switchboard talks HTTP only.' })),
          patterns: [
            ...noBackendFromFrontends,
            { group: ['**/platform/**', '**/api/**'], message: 'The Switchboard talks HTTP only; share types through domain/.' },
          ],
        },
      ],
    },
  },
);
