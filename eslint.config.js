// Lint rules that protect the architecture (STYLE.md "The shape of the house").
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** The pure cores may not reach the outside world: no node modules, no timers, no clock. */
const pureCoreRules = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ['node:*'], message: 'src/core is pure: no node modules (inject through a port).' },
      { group: ['fs', 'net', 'dgram', 'os', 'crypto', 'timers', 'timers/*', 'child_process', 'events', 'process', 'path', 'util'], message: 'src/core is pure: no node modules.' },
      { group: ['../../adapters/*', '../../runtime/*', '../../ports/*', '../../config/*', '../../cli/*', '../../api/*'], message: 'src/core imports nothing but core.' },
    ],
  }],
  'no-restricted-globals': ['error',
    { name: 'Date', message: 'src/core is pure: time arrives as the `now` argument.' },
    { name: 'setTimeout', message: 'src/core is pure: deadlines live in state; the runtime arms timers.' },
    { name: 'setInterval', message: 'src/core is pure: deadlines live in state; the runtime arms timers.' },
    { name: 'setImmediate', message: 'src/core is pure.' },
    { name: 'clearTimeout', message: 'src/core is pure.' },
    { name: 'clearInterval', message: 'src/core is pure.' },
    { name: 'queueMicrotask', message: 'src/core is pure.' },
    { name: 'performance', message: 'src/core is pure: time arrives as the `now` argument.' },
    { name: 'process', message: 'src/core is pure.' },
    { name: 'require', message: 'src/core is pure.' },
    { name: 'fetch', message: 'src/core is pure.' },
  ],
  'no-restricted-properties': ['error',
    { object: 'Math', property: 'random', message: 'src/core is deterministic: randomness is injected.' },
    { object: 'globalThis', message: 'src/core is pure.' },
  ],
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', 'docs/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/switch-exhaustiveness-check': 'off',
    },
  },
  { files: ['src/core/**/*.ts'], rules: pureCoreRules },
);
