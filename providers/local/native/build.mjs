// Builds the local provider's native part (local_link.c) at `npm ci` / `npm install` (the root
// package's "install" script). A failed build is no failed install: the provider then runs
// ip/arping/ndptool instead, says so in its log and counts it (providers/local/README.md,
// "Without the native part"). VIPD_NATIVE=0 skips the build.
import { spawnSync } from 'node:child_process';
import process from 'node:process';
import { existsSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const say = (text) => process.stderr.write(`vipd: ${text}\n`);

if (process.env.VIPD_NATIVE === '0') {
  say('VIPD_NATIVE=0: the native link part is not built; the local provider will run ip/arping/ndptool');
  process.exit(0);
}
if (process.platform !== 'linux') {
  say(`the native link part is Linux only (this is ${process.platform}); not built`);
  process.exit(0);
}
// npm hands its own node-gyp to install scripts in npm_config_node_gyp.
const nodeGyp = process.env.npm_config_node_gyp;
const argv = nodeGyp && existsSync(nodeGyp) ? [process.execPath, nodeGyp] : ['node-gyp'];
const run = spawnSync(argv[0], [...argv.slice(1), 'rebuild', '--silent'], { cwd: here, stdio: ['ignore', 'inherit', 'inherit'] });
if (run.status !== 0) {
  rmSync(join(here, 'build'), { recursive: true, force: true });
  say(`building the native link part failed (${run.error ? run.error.message : `node-gyp exited with ${run.status}`}); `
    + 'the local provider will run ip/arping/ndptool on takeover instead (slower; providers/local/README.md)');
}
process.exit(0);
