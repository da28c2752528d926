/**
 * The layering lint (eslint.config.js, docs/architecture.md "Layers"), through ESLint's Node API:
 * every arrow between layers is allowed or refused as the architecture says, and a real file in
 * src/core that imports src/runtime fails the same lint `npm run lint` runs (issue 8 finding 13).
 */
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

/** A real file in each folder, to import. */
const TARGETS = {
  core: 'src/core/election/step.js',
  wire: 'src/wire/vrrp.js',
  ports: 'src/ports/clock.js',
  security: 'src/security/replay.js',
  config: 'src/config/types.js',
  adapters: 'src/adapters/system-clock.js',
  providers: 'providers/noop/index.js',
  runtime: 'src/runtime/node.js',
  api: 'src/api/routes.js',
  app: 'src/app/boot.js',
  cli: 'src/cli/run.js',
  test: 'test/fakes/silent-logger.js',
} as const;

type Folder = keyof typeof TARGETS;
type Layer = Exclude<Folder, 'test'>;

/** Where a probe file of each layer goes. */
const HOMES: Record<Layer, string> = {
  core: 'src/core/election', wire: 'src/wire', ports: 'src/ports', security: 'src/security', config: 'src/config',
  adapters: 'src/adapters/grpc', providers: 'providers/local', runtime: 'src/runtime', api: 'src/api', app: 'src/app', cli: 'src/cli',
};

/**
 * What each layer may import, written out from the architecture (not read from the lint's own
 * table): core <- wire <- ports <- adapters, providers <- runtime <- app <- cli, with security and
 * config as leaves. Nothing in src/ or providers/ may import test/.
 */
const ALLOWED: Record<Layer, readonly Folder[]> = {
  core: ['core'],
  wire: ['core', 'wire'],
  ports: ['core', 'wire', 'ports'],
  security: ['security'],
  config: ['config'],
  adapters: ['core', 'wire', 'ports', 'security', 'adapters'],
  providers: ['core', 'wire', 'ports', 'security', 'config', 'providers'],
  runtime: ['core', 'ports', 'runtime'],
  api: ['core', 'ports', 'config', 'api'],
  app: ['core', 'wire', 'ports', 'security', 'config', 'adapters', 'providers', 'runtime', 'api', 'app'],
  cli: ['core', 'wire', 'ports', 'security', 'config', 'adapters', 'providers', 'runtime', 'api', 'app', 'cli'],
};

const eslint = new ESLint({ cwd: root });

function specifier(fromDir: string, target: string): string {
  const r = relative(join(root, fromDir), join(root, target));
  return r.startsWith('.') ? r : `./${r}`;
}

/** The layering errors ESLint reports for `code` as if it were the file `path`. */
async function layerErrors(path: string, code: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  assert.ok(result);
  return result.messages.filter((m) => m.ruleId === 'vipd/layers').map((m) => m.message);
}

describe('layering lint: an allow-list per layer', () => {
  for (const [layer, allowed] of Object.entries(ALLOWED) as Array<[Layer, readonly Folder[]]>) {
    it(`${layer} may import ${allowed.join(', ')} and nothing else`, async () => {
      const path = `${HOMES[layer]}/lint-probe.ts`;
      for (const folder of Object.keys(TARGETS) as Folder[]) {
        const spec = specifier(HOMES[layer], TARGETS[folder]);
        // A type-only import is an arrow too; so is a re-export.
        for (const code of [`import type * as m from '${spec}';\nexport type M = typeof m;\n`, `export * from '${spec}';\n`]) {
          const errors = await layerErrors(path, code);
          if (allowed.includes(folder)) assert.deepEqual(errors, [], `${layer} -> ${folder} must pass: ${code}`);
          else assert.equal(errors.length, 1, `${layer} -> ${folder} must fail: ${code}`);
        }
      }
    });
  }

  it('names the layer, the import and where to read why', async () => {
    const errors = await layerErrors('src/core/lint-probe.ts', "import { VipdNode } from '../runtime/node.js';\nexport const n = VipdNode;\n");
    assert.deepEqual(errors, ['src/core may import only src/core; "../runtime/node.js" is in src/runtime (docs/architecture.md "Layers")']);
  });

  it('catches dynamic imports and import() types in core', async () => {
    assert.equal((await layerErrors('src/core/lint-probe.ts', "export const load = () => import('../runtime/node.js');\n")).length, 1);
    assert.equal((await layerErrors('src/core/lint-probe.ts', "export type N = import('../../providers/noop/index.js').NoopProvider;\n")).length, 1);
  });

  it('a file in a folder of src/ that is in no layer fails until the folder gets a place', async () => {
    const errors = await layerErrors('src/nowhere/lint-probe.ts', 'export const a = 1;\n');
    assert.deepEqual(errors, ['src/nowhere/lint-probe.ts is in no layer: add its folder to LAYERS in eslint.config.js (docs/architecture.md "Layers")']);
  });

  it('core imports no package at all; other layers may', async () => {
    assert.equal((await layerErrors('src/core/lint-probe.ts', "import { z } from 'zod';\nexport const s = z;\n")).length, 1);
    assert.deepEqual(await layerErrors('src/config/lint-probe.ts', "import { z } from 'zod';\nexport const s = z;\n"), []);
  });

  it('keeps the purity rules of core: no node:* modules, no timers, no Date', async () => {
    const [r] = await eslint.lintText("import { setTimeout as t } from 'node:timers';\nexport const a = t;\nexport const b = () => setTimeout(() => Date.now(), 1);\n", {
      filePath: join(root, 'src/core/lint-probe.ts'),
    });
    assert.ok(r);
    const rules = r.messages.map((m) => m.ruleId).sort();
    assert.deepEqual(rules, ['no-restricted-globals', 'no-restricted-globals', 'no-restricted-imports', 'vipd/layers']);
  });

  it('a file in src/core importing src/runtime fails the lint `npm run lint` runs', async () => {
    const probe = join(root, 'src/core', `lint-probe-${process.pid}.ts`);
    try {
      writeFileSync(probe, "import type { VipdNode } from '../runtime/node.js';\nexport type N = VipdNode;\n");
      const results = await new ESLint({ cwd: root }).lintFiles(['src/core']);
      const mine = results.find((r) => r.filePath === probe);
      assert.ok(mine, 'the lint of src/core reads the probe file');
      assert.equal(mine.errorCount, 1);
      assert.equal(mine.messages[0]?.ruleId, 'vipd/layers');
      assert.deepEqual(results.filter((r) => r.filePath !== probe && r.errorCount > 0).map((r) => r.filePath), [], 'the rest of src/core is clean');
    } finally {
      rmSync(probe, { force: true });
    }
  });
});
