/**
 * Interop with keepalived (issue 4 §6): vipd and Debian's keepalived in one VRID on one bridge,
 * VRRPv2 (1 s adverts) and VRRPv3 (100 ms), each side higher priority in turn: the higher
 * wins, killing it moves the VIP to the other, and a client keeps reaching the VIP.
 * Root only; skipped with a reason otherwise.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTopology, requireRoot, requireTools, type Host, type Topology } from './lib/index.js';
import { clientReaches, interopVipdYaml, KeepalivedAgent, until, VipdAgent } from './agents.js';

const VIP = '192.0.2.50';

const holds = async (h: Host) => (await h.addresses()).some((a) => a.address === VIP);

async function scenario(t: TestContext, version: 2 | 3, vipdHigher: boolean): Promise<void> {
  if (!(await requireRoot(t)) || !(await requireTools(t, ['ip', 'keepalived', 'ping', 'arping']))) return;
  let topo: Topology | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-interop-'));
  const vipd = new VipdAgent('vipd');
  const ka = new KeepalivedAgent();
  const slow = version === 2 ? 12_000 : 5_000;
  try {
    topo = await createTopology({ hosts: ['vipd', 'ka', 'client'], ipv6: false });
    const hv = topo.host('vipd');
    const hk = topo.host('ka');
    const client = topo.host('client');
    const [pv, pk] = vipdHigher ? [150, 100] : [100, 150];
    const detail = () => `vipd:\n${vipd.text()}\nkeepalived:\n${ka.text()}`;
    await ka.start(hk.ns, dir, { iface: hk.ifname, priority: pk, version, advertInt: version === 2 ? 1 : 0.1, vip: `${VIP}/24` });
    await vipd.start(hv.ns, dir, interopVipdYaml(hv, pv, version, VIP));
    if (vipdHigher) {
      await until(() => vipd.role() === 'MASTER' && ka.role() === 'BACKUP', slow, 'vipd master, keepalived backup', detail);
      await new Promise((r) => setTimeout(r, version === 2 ? 3000 : 1000));
      assert.equal(vipd.role(), 'MASTER', 'stays master');
      assert.equal(await holds(hk), false, 'keepalived does not hold the VIP');
      await until(() => holds(hv), 5000, 'vipd binds the VIP', detail);
      await clientReaches(client, VIP, hv.mac, detail);
      vipd.signal('SIGKILL');
      await until(() => ka.role() === 'MASTER', slow, 'keepalived takes over', detail);
      await until(() => holds(hk), 5000, 'keepalived binds the VIP', detail);
      await clientReaches(client, VIP, hk.mac, detail);
    } else {
      await until(async () => ka.role() === 'MASTER' && (await holds(hk)), slow, 'keepalived master with the VIP', detail);
      await until(() => vipd.role() === 'BACKUP', slow, 'vipd backup', detail);
      await new Promise((r) => setTimeout(r, version === 2 ? 3000 : 1000));
      assert.ok(!/-> MASTER/.test(vipd.text()), 'vipd never became master while keepalived was higher');
      assert.equal(await holds(hv), false, 'vipd does not hold the VIP as backup');
      await clientReaches(client, VIP, hk.mac, detail);
      const t0 = Date.now();
      await ka.crash();
      await until(() => vipd.role() === 'MASTER', slow, 'vipd takes over', detail);
      const took = vipd.lines.find((l) => l.t >= t0 && /BACKUP -> MASTER/.test(l.msg));
      assert.match(took?.msg ?? '', /master down: no advert from 192\.0\.2\.12/);
      await until(() => holds(hv), 5000, 'vipd binds the VIP', detail);
      // keepalived's host still has the VIP after the crash (both its processes were killed, so
      // nothing removed it: test/netns/agents.ts); the client follows
      // vipd's gratuitous ARP.
      await clientReaches(client, VIP, hv.mac, detail);
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
