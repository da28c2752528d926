// Shared by the keepalived importer's tests: fixtures, the real provider registry, a loader
// check on a written file, and throw-away directory trees for include tests.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { PROVIDER_PLUGINS } from '../../../../src/app/providers.js';
import { loadConfigFile } from '../../../../src/config/load.js';
import type { VipdConfig } from '../../../../src/config/types.js';
import { importKeepalived, type ImportOptions } from '../../../../src/config/keepalived/import.js';

export const REGISTRY = { providers: PROVIDER_PLUGINS } as const;

export const FIXTURES = fileURLToPath(new URL('../../../fixtures/keepalived/', import.meta.url));

/** Relative to the working directory, as a user would type it (messages name files so). */
export const fixture = (name: string): string => relative(process.cwd(), join(FIXTURES, name));

/** The fixtures directory as messages name it; goldens say test/fixtures/keepalived. */
export const SHOWN_DIR = relative(process.cwd(), FIXTURES).replace(/\/$/, '');
export const normalize = (text: string): string => text.split(SHOWN_DIR).join('test/fixtures/keepalived');

/** Host name and config id fixed, so the results do not depend on the machine. */
export function importFixture(name: string, options: Partial<ImportOptions> = {}) {
  return importKeepalived(fixture(name), { ...REGISTRY, hostName: 'test-host', ...options });
}

/** The import must succeed; returns it. */
export function imported(name: string, options: Partial<ImportOptions> = {}) {
  const r = importFixture(name, options);
  assert.ok(r.ok, r.ok ? '' : JSON.stringify(r.errors, null, 2));
  return r;
}

/** Writes the YAML into a fresh directory and loads it with vipd's loader, as `vipd check -c` would. */
export async function loadsAsFile(yaml: string): Promise<VipdConfig> {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-ka-'));
  try {
    const file = join(dir, 'vipd.yaml');
    writeFileSync(file, yaml);
    const loaded = await loadConfigFile(file, REGISTRY);
    assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.errors, null, 2));
    return loaded.config;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** A directory tree of files (path -> text); removed by the returned function. */
export function tree(files: Record<string, string>): { dir: string; remove: () => void } {
  const dir = mkdtempSync(join(tmpdir(), 'vipd-ka-tree-'));
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), text);
  }
  return { dir, remove: () => rmSync(dir, { recursive: true, force: true }) };
}
