/**
 * How the bench starts vipd: as it runs in production, `node dist/src/cli/vipd.js`, compiled
 * once per bench into a temporary directory (the repository's dist/ is left alone). The
 * directory gets links to proto/, node_modules/ and providers/ (native addons built at install) and a copy of package.json (ESM, version), which
 * is all the compiled code looks up. If compiling fails the bench falls back to tsx (slower
 * start, larger footprint) and says so.
 */
import { copyFile, mkdtemp, rm, symlink } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { exec } from '../test/netns/lib/index.js';

export const ROOT = fileURLToPath(new URL('../', import.meta.url));
/** `--import` value that loads tsx wherever the bench is started from. */
export const TSX_IMPORT = import.meta.resolve('tsx');

export interface VipdCommand {
  /** argv before `run -c FILE`. */
  readonly argv: readonly string[];
  /** "compiled" or "tsx (compile failed: …)", printed with the results. */
  readonly how: string;
  /** The temporary build directory, if any (removed synchronously by the interrupt handler). */
  readonly dir: string | undefined;
  /** Removes the temporary build. */
  cleanup(): Promise<void>;
}

export async function prepareVipd(): Promise<VipdCommand> {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-bench-build-'));
  const cleanup = () => rm(dir, { recursive: true, force: true });
  const tsc = join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc');
  // Type errors elsewhere in the tree (work in progress) do not stop tsc from emitting.
  const built = await exec([process.execPath, tsc, '-p', join(ROOT, 'tsconfig.build.json'), '--outDir', join(dir, 'dist'), '--sourceMap', 'false'], { check: false, timeoutMs: 180_000 });
  const entry = join(dir, 'dist', 'src', 'cli', 'vipd.js');
  if (existsSync(entry)) {
    await symlink(join(ROOT, 'proto'), join(dir, 'proto'));
    await symlink(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
    // Native parts built at npm install (a provider's addon) are found from dist/ by the
    // source-tree path ../../../providers/…: the link keeps the compiled vipd on them.
    await symlink(join(ROOT, 'providers'), join(dir, 'providers'));
    await copyFile(join(ROOT, 'package.json'), join(dir, 'package.json'));
    return { argv: [process.execPath, entry], how: 'compiled with tsc (node dist/src/cli/vipd.js)', dir, cleanup };
  }
  await cleanup();
  const why = (built.stderr || built.stdout).trim().split('\n')[0] ?? `exit ${built.code}`;
  return {
    argv: [process.execPath, '--import', TSX_IMPORT, join(ROOT, 'src', 'cli', 'vipd.ts')],
    how: `tsx (compiling failed: ${why})`,
    dir: undefined,
    cleanup: async () => undefined,
  };
}
