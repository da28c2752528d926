/**
 * Interop with keepalived (issue 4 §6): vipd and Debian's keepalived in one VRID on one bridge,
 * VRRPv2 (1 s adverts) and VRRPv3 (100 ms), each side higher priority in turn: the higher
 * wins, and killing it moves the VIP to the other. Root only; skipped with a reason otherwise.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTopology, requireRoot, requireTools, type Host, type Topology } from './lib/index.js';
import { KeepalivedAgent, until, VipdAgent } from './agents.js';

const VIP = '192.0.2.50';

function vipdYaml(h: Host, priority: number, version: 2 | 3): string {
  return [
    'cluster_id: interop',
    'node: { id: vipd-node }',
    'log: { format: json }',
    'groups:',
    '  - name: web',
    '    vrid: 51',
    `    interface: ${h.ifname}`,
    `    priority: ${priority}`,
    `    version: ${version}`,
    `    advert_interval: ${version === 2 ? '1s' : '100ms'}`,
    `    vips: [${VIP}/24]`,
    '',
  ].join('\n');
}

const holds = async (h: Host) => (await h.addresses()).some((a) => a.address === VIP);

async function scenario(t: TestContext, version: 2 | 3, vipdHigher: boolean): Promise<void> {
  if (!(await requireRoot(t)) || !(await requireTools(t, ['ip', 'keepalived']))) return;
  let topo: Topology | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-interop-'));
  const vipd = new VipdAgent('vipd');
  const ka = new KeepalivedAgent();
  const slow = version === 2 ? 12_000 : 5_000;
  try {
    topo = await createTopology({ hosts: ['vipd', 'ka'], ipv6: false });
    const hv = topo.host('vipd');
    const hk = topo.host('ka');
    const [pv, pk] = vipdHigher ? [150, 100] : [100, 150];
    const detail = () => `vipd:\n${vipd.text()}\nkeepalived:\n${ka.text()}`;
    await ka.start(hk.ns, dir, { iface: hk.ifname, priority: pk, version, advertInt: version === 2 ? 1 : 0.1, vip: `${VIP}/24` });
    await vipd.start(hv.ns, dir, vipdYaml(hv, pv, version));
    if (vipdHigher) {
      await until(() => vipd.role() === 'MASTER' && ka.role() === 'BACKUP', slow, 'vipd master, keepalived backup', detail);
      await new Promise((r) => setTimeout(r, version === 2 ? 3000 : 1000));
      assert.equal(vipd.role(), 'MASTER', 'stays master');
      assert.equal(await holds(hk), false, 'keepalived does not hold the VIP');
      vipd.signal('SIGKILL');
      await until(() => ka.role() === 'MASTER', slow, 'keepalived takes over', detail);
      await until(() => holds(hk), 5000, 'keepalived binds the VIP', detail);
    } else {
      await until(async () => ka.role() === 'MASTER' && (await holds(hk)), slow, 'keepalived master with the VIP', detail);
      await until(() => vipd.role() === 'BACKUP', slow, 'vipd backup', detail);
      await new Promise((r) => setTimeout(r, version === 2 ? 3000 : 1000));
      assert.ok(!/-> MASTER/.test(vipd.text()), 'vipd never became master while keepalived was higher');
      const t0 = Date.now();
      await ka.crash();
      await until(() => vipd.role() === 'MASTER', slow, 'vipd takes over', detail);
      const took = vipd.lines.find((l) => l.t >= t0 && /BACKUP -> MASTER/.test(l.msg));
      assert.match(took?.msg ?? '', /master down: no advert from 192\.0\.2\.12/);
    }
  } finally {
    await vipd.kill();
    await ka.kill();
    await topo?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('interop with keepalived in one VRID', () => {
  for (const version of [2, 3] as const) {
    it(`VRRPv${version}: keepalived higher: it is master, vipd backup; killing keepalived moves the master to vipd`, (t) => scenario(t, version, false));
    it(`VRRPv${version}: vipd higher: vipd is master, keepalived backup; killing vipd moves the VIP to keepalived`, (t) => scenario(t, version, true));
  }
});
