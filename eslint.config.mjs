import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const nodeBuiltins = ['assert', 'buffer', 'child_process', 'crypto', 'events', 'fs', 'fs/promises', 'os', 'path', 'process', 'stream', 'util', 'url', 'worker_threads', 'zlib', 'readline'];

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.vscode-test/**', 'out/**', '**/*.js', '**/*.mjs'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    rules: {
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-misused-promises': 'error',
      '@typescript-eslint/await-thenable': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      eqeqeq: ['error', 'smart'],
    },
  },
  {
    // src/core must run in the web extension host and the CLI: no vscode, no Node built-ins.
    files: ['src/core/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        paths: ['vscode', ...nodeBuiltins].map((name) => ({ name, message: 'src/core is pure: no vscode or Node-only imports.' })),
        patterns: [{ group: ['node:*'], message: 'src/core is pure: no node:* imports.' }, { group: ['**/extension/**', '**/cli/**', '**/node/**'], message: 'src/core must not depend on host code.' }],
      }],
      'no-restricted-globals': ['error', { name: 'Buffer', message: 'Use Uint8Array in src/core.' }, { name: 'process', message: 'No process in src/core.' }, { name: 'require', message: 'No require in src/core.' }],
    },
  },
  {
    // Core-internal modules (age's internal/): the key encodings sit behind keys.ts, the field arithmetic
    // behind shamir.ts. Hosts use those, so the encoders can change without touching a host.
    files: ['src/extension/**/*.ts', 'src/cli/**/*.ts', 'src/node/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', {
        patterns: [{ regex: '/core/(der|pkcs1|pkcs8|spki|x509|gf256|bcrypt-pbkdf)$', message: 'internal to src/core: use keys.ts (keys) or shamir.ts (shares).' }],
      }],
    },
  },
  {
    // activate() stays cheap only while core modules load on first use, through the one lazy facade.
    files: ['src/extension/**/*.ts'],
    ignores: ['src/extension/lazy-core.ts'],
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'ImportExpression', message: 'Load core modules through lazyCore (src/extension/lazy-core.ts).' },
        // The UI is localized (l10n/): a message shown to the user goes through vscode.l10n.t. The unit test
        // test/scripts/l10n.test.ts checks more positions (titles, tree items, errors); this flags the common case as you type.
        {
          selector: "CallExpression[callee.property.name=/^(show(Information|Warning|Error)Message|setStatusBarMessage)$/] > :matches(Literal[value=/(^|[^(A-Za-z-])[A-Za-z]{2}/], TemplateLiteral:has(TemplateElement[value.raw=/(^|[^(A-Za-z-])[A-Za-z]{2}/]))",
          message: 'Wrap user-visible text in vscode.l10n.t (and add its translation to l10n/bundle.l10n.es.json).',
        },
      ],
    },
  },
);
