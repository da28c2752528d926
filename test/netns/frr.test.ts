/**
 * Interop with FRR's vrrpd (issue 4 §6): vipd and Debian's FRR (zebra + vrrpd) in one VRID on one
 * bridge, VRRPv3 (100 ms adverts) and VRRPv2 (1 s), each side higher priority in turn: the
 * higher wins, and killing it (SIGKILL) makes the other master with the VIP. FRR serves the VIP
 * from a macvlan with the virtual MAC and flips it with protodown; vipd binds it on its own
 * interface (`local` provider). Root only; skipped with a reason otherwise or without FRR.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { createTopology, requireRoot, requireTools, type Host, type Topology } from './lib/index.js';
import { interopVipdYaml, until, VipdAgent } from './agents.js';
import { FrrAgent, requireFrr } from './frr-agent.js';

const VIP = '192.0.2.50';

const holds = async (h: Host) => (await h.addresses()).some((a) => a.address === VIP);

async function scenario(t: TestContext, version: 2 | 3, vipdHigher: boolean): Promise<void> {
  if (!(await requireRoot(t)) || !(await requireTools(t, ['ip'])) || !(await requireFrr(t))) return;
  let topo: Topology | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-frr-interop-'));
  const vipd = new VipdAgent('vipd');
  const frr = new FrrAgent();
  // v2: Master_Down_Interval 3.6 s plus startup; v3 with 100 ms adverts: ~0.36 s.
  const slow = version === 2 ? 12_000 : 5_000;
  try {
    topo = await createTopology({ hosts: ['vipd', 'frr'], ipv6: false });
    const hv = topo.host('vipd');
    const hf = topo.host('frr');
    const [pv, pf] = vipdHigher ? [150, 100] : [100, 150];
    const show = async () => JSON.stringify(await frr.show().catch((e: Error) => e.message));
    const detail = () => `vipd:\n${vipd.text()}\nFRR:\n${frr.text()}`;
    await frr.start(hf.ns, { iface: hf.ifname, priority: pf, version, advertIntervalMs: version === 2 ? 1000 : 100, vip: `${VIP}/24` });
    await vipd.start(hv.ns, dir, interopVipdYaml(hv, pv, version, VIP));
    if (vipdHigher) {
      await until(async () => vipd.role() === 'MASTER' && frr.role() === 'BACKUP' && !(await frr.holds()), slow, 'vipd master, FRR backup (macvlan protodown)', detail);
      await until(() => holds(hv), 5000, 'vipd binds the VIP', detail);
      await new Promise((r) => setTimeout(r, version === 2 ? 3000 : 1000));
      assert.equal(vipd.role(), 'MASTER', `vipd stays master\n${detail()}`);
      assert.equal(frr.role(), 'BACKUP', `FRR stays backup\n${detail()}`);
      const [vr] = await frr.show();
      assert.equal(vr?.version, version, `FRR speaks VRRPv${version}: ${await show()}`);
      assert.equal(vr?.v4.status, 'Backup', `vtysh says FRR is backup: ${await show()}`);
      assert.ok((vr?.v4.stats.adverRx ?? 0) > 0, `FRR counted vipd's adverts: ${await show()}`);
      assert.equal(await frr.holds(), false, 'FRR does not serve the VIP');
      const t0 = Date.now();
      vipd.signal('SIGKILL');
      await until(() => frr.role() === 'MASTER', slow, 'FRR takes over', detail);
      const took = frr.lines.find((l) => l.t >= t0 && /Backup -> Master/.test(l.msg));
      t.diagnostic(`FRR took over ${(took?.t ?? Date.now()) - t0} ms after SIGKILL of vipd`);
      await until(() => frr.holds(), 5000, 'FRR lifts protodown on its macvlan', detail);
      assert.equal((await frr.show())[0]?.v4.status, 'Master', `vtysh says FRR is master: ${await show()}`);
    } else {
      await until(async () => frr.role() === 'MASTER' && (await frr.holds()), slow, 'FRR master serving the VIP', detail);
      await until(() => vipd.role() === 'BACKUP', slow, 'vipd backup', detail);
      await new Promise((r) => setTimeout(r, version === 2 ? 3000 : 1000));
      assert.ok(!/-> MASTER/.test(vipd.text()), `vipd never became master while FRR was higher\n${detail()}`);
      assert.equal(await holds(hv), false, 'vipd does not hold the VIP');
      assert.equal(frr.role(), 'MASTER', `FRR stays master\n${detail()}`);
      const [vr] = await frr.show();
      assert.equal(vr?.version, version, `FRR speaks VRRPv${version}: ${await show()}`);
      assert.equal(vr?.v4.status, 'Master', `vtysh says FRR is master: ${await show()}`);
      const t0 = Date.now();
      frr.crash();
      await until(() => vipd.role() === 'MASTER', slow, 'vipd takes over', detail);
      await until(() => holds(hv), 5000, 'vipd binds the VIP', detail);
      const took = vipd.lines.find((l) => l.t >= t0 && /BACKUP -> MASTER/.test(l.msg));
      assert.match(took?.msg ?? '', /master down: no advert from 192\.0\.2\.12/, detail());
      t.diagnostic(`vipd took over ${(took?.t ?? t0) - t0} ms after SIGKILL of zebra and vrrpd`);
    }
  } finally {
    await vipd.kill();
    await frr.kill();
    await topo?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}

describe('interop with FRR vrrpd in one VRID', () => {
  for (const version of [3, 2] as const) {
    it(`VRRPv${version}: FRR higher: it is master, vipd backup; killing FRR's daemons moves the master to vipd`, (t) => scenario(t, version, false));
    it(`VRRPv${version}: vipd higher: vipd is master, FRR backup; killing vipd moves the VIP to FRR`, (t) => scenario(t, version, true));
  }
});
