/**
 * `vipd cleanup -c FILE` in a namespace (issue 8 must-exist 1): after a crash it removes the
 * VIPs the agent added (they carry the mark) and leaves an identical address an operator added.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { requireRoot, requireTools, withTopology, type Host } from './lib/index.js';
import { lanVipdYaml, until, VipdAgent } from './agents.js';

const VIPD = fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url));

/** `vipd cleanup -c file` inside the host's namespace, bounded. */
function cleanup(h: Host, file: string): Promise<{ code: number | null; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn('ip', ['netns', 'exec', h.ns, process.execPath, '--import', 'tsx', VIPD, 'cleanup', '-c', file]);
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => (out += d.toString()));
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const t = setTimeout(() => { p.kill('SIGKILL'); reject(new Error(`vipd cleanup did not exit within 20 s\n${out}\n${err}`)); }, 20_000);
    p.on('exit', (code) => { clearTimeout(t); resolve({ code, out, err }); });
  });
}

it('vipd cleanup removes the VIPs a SIGKILLed agent left and keeps an operator\'s identical address', async (t) => {
  if (!(await requireRoot(t)) || !(await requireTools(t, ['ip', 'arping']))) return;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-cleanup-'));
  const agent = new VipdAgent('a');
  try {
    await withTopology({ hosts: ['a'] }, async (topo) => {
      const h = topo.host('a');
      const has = async (a: string) => (await h.addresses()).some((x) => x.address === a);
      // One group with two VIPs; the second is also configured by hand (no mark).
      await h.run(['ip', '-4', 'addr', 'add', '192.0.2.61/24', 'dev', h.ifname]);
      await agent.start(h.ns, dir, lanVipdYaml({ ifname: h.ifname, node: 'node-a', priority: 150, vips: '192.0.2.50/24, 192.0.2.61/24' }));
      await until(async () => agent.role() === 'MASTER' && (await has('192.0.2.50')), 15_000, 'a master with its VIP', () => agent.text());
      agent.signal('SIGKILL');
      await agent.exited();
      assert.equal(await has('192.0.2.50'), true, 'a crash leaves the VIP bound');

      const file = join(dir, 'a.yaml');
      const first = await cleanup(h, file);
      assert.equal(first.code, 0, first.err);
      assert.equal(first.out, [
        'web: removed 192.0.2.50/24 from ' + h.ifname,
        `web: 192.0.2.61/24 on ${h.ifname} was not added by vipd (no metric 5798); left in place`,
        `vipd cleanup: removed 1 VIP(s) of 1 group(s) in ${file}`,
        '',
      ].join('\n'));
      assert.equal(await has('192.0.2.50'), false);
      assert.equal(await has('192.0.2.61'), true, 'the operator\'s address stays');
      assert.equal(await has(h.ipv4), true);

      const again = await cleanup(h, file);
      assert.equal(again.code, 0, again.err);
      assert.match(again.out, /vipd cleanup: removed 0 VIP\(s\) of 1 group\(s\)/);

      // Another interface name in the file: nothing to remove there, still exit 0.
      const other = join(dir, 'other.yaml');
      await writeFile(other, lanVipdYaml({ ifname: 'nosuch0', node: 'node-a', priority: 150, vips: '192.0.2.50/24' }));
      const missing = await cleanup(h, other);
      assert.equal(missing.code, 0, missing.err);
      assert.match(missing.out, /^web: interface nosuch0 does not exist; nothing to remove$/m);
    });
  } finally {
    await agent.kill();
    await rm(dir, { recursive: true, force: true });
  }
});
