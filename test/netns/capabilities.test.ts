/**
 * Issue 4 §2: without CAP_NET_RAW `vipd run` stops at start with an error that says what is
 * missing and how to grant it, instead of running an election that cannot speak.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, chmod } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { createTopology, requireRoot, requireTools, type Topology } from './lib/index.js';

const VIPD = fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url));

it('a LAN group without CAP_NET_RAW: vipd run exits non-zero naming the capability', async (t) => {
  if (!(await requireRoot(t)) || !(await requireTools(t, ['ip', 'setpriv']))) return;
  let topo: Topology | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-caps-'));
  try {
    await chmod(dir, 0o755);
    topo = await createTopology({ hosts: ['a'], ipv6: false });
    const h = topo.host('a');
    const file = join(dir, 'a.yaml');
    await writeFile(file, [
      'cluster_id: caps', 'node: { id: node-a }', 'log: { format: json }', 'groups:', '  - name: web', '    vrid: 51',
      `    interface: ${h.ifname}`, '    vips: [192.0.2.50/24]', '',
    ].join('\n'), { mode: 0o644 });
    // An unprivileged user with no capabilities at all, in the test's namespace.
    const r = await h.run(
      ['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--inh-caps=-all', '--bounding-set=-all',
        process.execPath, '--import', 'tsx', VIPD, 'run', '-c', file],
      { check: false, timeoutMs: 20_000 },
    );
    assert.notEqual(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout + r.stderr, /CAP_NET_RAW/);
    assert.match(r.stdout + r.stderr, /setcap cap_net_raw,cap_net_admin\+ep/);
  } finally {
    await topo?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
