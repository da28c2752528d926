// Lint rules that protect the architecture (docs/architecture.md "Layers").
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

const root = dirname(fileURLToPath(import.meta.url));

/**
 * Which folder may import which: an allow-list per layer. An import from a layer to a folder not
 * in its list fails `npm run lint` (and so `npm test`), including folders that are in no layer
 * (test/, bench/). `packages: false`: no npm package and no node:* module either.
 * Reading order, and the arrows: core <- wire <- ports <- adapters, providers <- runtime <- app <- cli;
 * api (HTTP, WebSocket, dashboard) sits beside runtime: it sees ports and config, and app wires it;
 * security and config are leaves beside them (they import only themselves).
 * test/unit/lint/layers.test.ts proves a wrong arrow fails and an allowed one passes, per layer.
 */
export const LAYERS = {
  'src/core': { allow: ['src/core'], packages: false },
  'src/wire': { allow: ['src/core', 'src/wire'] },
  'src/ports': { allow: ['src/core', 'src/wire', 'src/ports'] },
  // Certificates, identity, HMAC keyring, replay guard: used by adapters (gRPC), app and cli.
  'src/security': { allow: ['src/security'] },
  // Schema, presets, `vipd check`: read by app, cli and providers (a provider's part of the file).
  'src/config': { allow: ['src/config'] },
  'src/adapters': { allow: ['src/core', 'src/wire', 'src/ports', 'src/security', 'src/adapters'] },
  'providers': { allow: ['src/core', 'src/wire', 'src/ports', 'src/security', 'src/config', 'providers'] },
  'src/runtime': { allow: ['src/core', 'src/ports', 'src/runtime'] },
  // HTTP, WebSocket and the dashboard (docs/api.md): serves what AgentControl offers, never the election itself.
  'src/api': { allow: ['src/core', 'src/ports', 'src/config', 'src/api'] },
  'src/app': { allow: ['src/core', 'src/wire', 'src/ports', 'src/security', 'src/config', 'src/adapters', 'providers', 'src/runtime', 'src/api', 'src/app'] },
  'src/cli': { allow: ['src/core', 'src/wire', 'src/ports', 'src/security', 'src/config', 'src/adapters', 'providers', 'src/runtime', 'src/api', 'src/app', 'src/cli'] },
};

/** The layer a repository path belongs to (longest folder prefix), or undefined. */
function layerOf(path) {
  const p = path.split(sep).join('/');
  let best;
  for (const layer of Object.keys(LAYERS)) {
    if ((p === layer || p.startsWith(`${layer}/`)) && (!best || layer.length > best.length)) best = layer;
  }
  return best;
}

/** The top folder of a path outside every layer ("test", "bench"), for the message. */
const folderOf = (path) => layerOf(path) ?? path.split(sep).join('/').split('/').slice(0, 1).join('/');

const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'imports follow the per-layer allow-list in eslint.config.js (docs/architecture.md "Layers")' },
    schema: [],
  },
  create(context) {
    const file = relative(root, context.filename);
    const from = layerOf(file);
    if (!from) {
      // A new folder under src/ needs a place in the layering before it can hold code.
      if (!file.split(sep).join('/').startsWith('src/')) return {};
      return { Program: (node) => context.report({ node, message: `${file} is in no layer: add its folder to LAYERS in eslint.config.js (docs/architecture.md "Layers")` }) };
    }
    const { allow, packages = true } = LAYERS[from];
    const check = (node, spec) => {
      if (typeof spec !== 'string') return;
      if (!spec.startsWith('.')) {
        if (!packages) context.report({ node, message: `${from} imports nothing but ${allow.join(', ')}: not "${spec}" (docs/architecture.md "Layers")` });
        return;
      }
      const target = relative(root, resolve(dirname(context.filename), spec));
      const to = layerOf(target);
      if (to && allow.includes(to)) return;
      context.report({ node, message: `${from} may import only ${allow.join(', ')}; "${spec}" is in ${folderOf(target)} (docs/architecture.md "Layers")` });
    };
    const fromSource = (node) => check(node, node.source?.value);
    return {
      ImportDeclaration: fromSource,
      ExportNamedDeclaration: fromSource,
      ExportAllDeclaration: fromSource,
      ImportExpression: (node) => check(node, node.source.type === 'Literal' ? node.source.value : undefined),
      TSImportType: (node) => check(node, node.argument?.type === 'TSLiteralType' ? node.argument.literal.value : node.argument?.value),
    };
  },
};

/** The pure cores may not reach the outside world: no node modules, no timers, no clock. */
const pureCoreRules = {
  'no-restricted-imports': ['error', {
    patterns: [
      { group: ['node:*'], message: 'src/core is pure: no node modules (inject through a port).' },
      { group: ['fs', 'net', 'dgram', 'os', 'crypto', 'timers', 'timers/*', 'child_process', 'events', 'process', 'path', 'util'], message: 'src/core is pure: no node modules.' },
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
  {
    files: ['src/**/*.ts', 'providers/**/*.ts'],
    plugins: { vipd: { rules: { layers: layersRule } } },
    rules: { 'vipd/layers': 'error' },
  },
  { files: ['src/core/**/*.ts'], rules: pureCoreRules },
  {
    // The dashboard runs in the browser (served as it is, docs/api.md): its globals, not Node's.
    files: ['src/api/dashboard/**/*.js'],
    languageOptions: {
      sourceType: 'module',
      globals: Object.fromEntries(['window', 'document', 'location', 'fetch', 'WebSocket', 'setTimeout', 'clearTimeout', 'setInterval', 'clearInterval', 'URL', 'URLSearchParams', 'console', 'Date', 'Math', 'JSON', 'Intl', 'requestAnimationFrame'].map((g) => [g, 'readonly'])),
    },
  },
);
