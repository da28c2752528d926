/**
 * Migrating from keepalived one node at a time (issue 12 acceptance): two hosts that ran
 * keepalived with their own keepalived.conf files (VRRPv2, 1 s adverts, PASS authentication,
 * the usual shape). One host keeps keepalived; the other runs `vipd run --keepalived-conf` with
 * its original file, converted by the importer (docs/keepalived-import.md). They elect over
 * standard VRRP and fail over both ways: vipd (priority 150) is master; SIGKILL it and
 * keepalived takes the VIP; vipd restarted removes what its crash left, and preempts back.
 * `ip addr` on both hosts says who holds the VIP. Root only; skipped with a reason otherwise.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { createTopology, requireRoot, requireTools, type Host, type Topology } from './lib/index.js';
import { KeepalivedAgent, until, VipdAgent } from './agents.js';

const VIP = '192.0.2.50';

/** A node's keepalived.conf as it was before the migration. */
const conf = (iface: string, state: 'MASTER' | 'BACKUP', priority: number) => `! Configuration File for keepalived
global_defs {
   router_id ${state === 'MASTER' ? 'lb-1' : 'lb-2'}
   vrrp_garp_master_delay 1
}

vrrp_instance VI_1 {
    state ${state}
    interface ${iface}
    virtual_router_id 51
    priority ${priority}
    advert_int 1
    authentication {
        auth_type PASS
        auth_pass s3cret
    }
    virtual_ipaddress {
        ${VIP}/24 dev ${iface}
    }
}
`;

it('keepalived on one host and vipd run --keepalived-conf with the other host\'s own file elect and fail over both ways', async (t) => {
  if (!(await requireRoot(t)) || !(await requireTools(t, ['ip', 'keepalived']))) return;
  let topo: Topology | undefined;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-migrate-'));
  const vipd = new VipdAgent('lb-1');
  const ka = new KeepalivedAgent();
  // VRRPv2 at 1 s: Master_Down_Interval 3 s + skew.
  const slow = 15_000;
  try {
    topo = await createTopology({ hosts: ['lb1', 'lb2'], ipv6: false });
    const h1 = topo.host('lb1');
    const h2 = topo.host('lb2');
    const holds = async (h: Host) => (await h.addresses()).some((a) => a.address === VIP);
    const detail = () => `vipd:\n${vipd.text()}\nkeepalived:\n${ka.text()}`;

    await ka.startConf(h2.ns, dir, conf(h2.ifname, 'BACKUP', 100));
    await vipd.startKeepalivedConf(h1.ns, dir, conf(h1.ifname, 'MASTER', 150));
    // The import's notes are warnings at start, at their keepalived line.
    await until(() => /lb-1\.keepalived\.conf: import: warning: \d+ option\(s\) were imported with a change/.test(vipd.text()), 10_000, 'vipd logs the import notes', detail);
    assert.match(vipd.text(), /lb-1\.keepalived\.conf:13:5: groups\[0\]\.auth_pass: warning: PASS authentication is cleartext/);

    await until(async () => vipd.role('vi-1') === 'MASTER' && ka.role() === 'BACKUP' && (await holds(h1)) && !(await holds(h2)), slow, 'vipd master with the VIP, keepalived backup', detail);

    // vipd -> keepalived: a crash (SIGKILL) leaves vipd's VIP bound, as keepalived's would be.
    vipd.signal('SIGKILL');
    await vipd.exited().catch(() => undefined);
    await until(async () => ka.role() === 'MASTER' && (await holds(h2)), slow, 'keepalived takes over and binds the VIP', detail);

    // keepalived -> vipd: restarted, vipd removes its leftover VIP first, then preempts (150 > 100).
    const again = new VipdAgent('lb-1');
    try {
      await again.startKeepalivedConf(h1.ns, dir, conf(h1.ifname, 'MASTER', 150));
      const detail2 = () => `vipd:\n${again.text()}\nkeepalived:\n${ka.text()}`;
      await until(() => /start: removing VIPs an earlier run left|unbind/.test(again.text()) || again.role('vi-1') !== undefined, slow, 'vipd starts', detail2);
      await until(async () => again.role('vi-1') === 'MASTER' && ka.role() === 'BACKUP' && (await holds(h1)) && !(await holds(h2)), slow, 'vipd preempts keepalived and holds the VIP alone', detail2);
      // And it stays so: no flapping over a few advert intervals.
      const end = Date.now() + 3500;
      while (Date.now() < end) {
        assert.ok(again.role('vi-1') === 'MASTER' && ka.role() === 'BACKUP' && (await holds(h1)) && !(await holds(h2)), `settled\n${detail2()}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await again.kill();
    }
  } finally {
    await vipd.kill();
    await ka.kill();
    await topo?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
});
