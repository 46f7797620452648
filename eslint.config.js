// Lint with boundary rules: the engine (src/) never imports Electron or React; the renderer
// imports only the contract types from src/; nothing outside electron/ imports electron.
import tseslint from 'typescript-eslint';

export default tseslint.config(
  // Dot folders and files at the top are scratch space (.verilens-tmp/, .ci/ is shell), never source.
  { ignores: ['node_modules/', 'dist/', 'renderer/dist/', 'release/', 'test/fixtures/', 'coverage/', '**/*.d.ts', '.*', '.*/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-restricted-syntax': ['error', { selector: "CallExpression[callee.property.name='openExternal']", message: 'shell.openExternal is not allowed: the app is offline.' }],
    },
  },
  {
    files: ['src/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*'], message: 'src/ is the engine: pure Node, no Electron.' },
            { group: ['react', 'react-dom', 'react/*', 'react-dom/*'], message: 'src/ is the engine: no React.' },
            { group: ['**/renderer/**', '**/electron/**'], message: 'src/ must not reach into the app shells.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/contract/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'electron', 'react', '../*'], message: 'src/contract is shared with the renderer: types only, no Node or engine imports.' }] },
      ],
    },
  },
  {
    files: ['src/contract/analyzers/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        { patterns: [{ group: ['node:*', 'fs', 'path', 'crypto', 'electron', 'react', '../../*'], message: 'src/contract is shared with the renderer: types only, no Node or engine imports.' }] },
      ],
    },
  },
  {
    // The analyzer seam: whoever reads analyzer results reads them through the typed contract
    // (AnalyzerResults, okData), never by guessing keys, and never casts through unknown.
    files: ['renderer/**/*.{ts,tsx}', 'src/reports/**/*.ts', 'src/contract/**/*.ts', 'src/engine/**/*.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: "CallExpression[callee.property.name='openExternal']", message: 'shell.openExternal is not allowed: the app is offline.' },
        {
          selector: "MemberExpression[computed=true][object.type='MemberExpression'][object.property.name='data']",
          message: "Read analyzer data through its typed contract (src/contract/analyzers), not by an untyped index like data['key'].",
        },
        {
          selector: "MemberExpression[computed=true][object.type='MemberExpression'][object.property.name='analyzers'][property.type!='Literal']",
          message: 'Index analyzer results with a literal id (results.faces), or use okData(results, id), so the data type follows the id.',
        },
        { selector: "TSAsExpression[expression.type='TSAsExpression'][expression.typeAnnotation.type='TSUnknownKeyword']", message: 'No `as unknown as` at the analyzer seam: fix the types instead.' },
      ],
    },
  },
  {
    files: ['renderer/**/*.{ts,tsx}'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['electron', 'electron/*', 'node:*'], message: 'The renderer is sandboxed: no Electron or Node imports; use window.verilens.' },
            { group: ['**/src/*', '!**/src/contract', '!**/src/contract/*'], message: 'The renderer may import only src/contract from the engine.' },
          ],
        },
      ],
    },
  },
);
