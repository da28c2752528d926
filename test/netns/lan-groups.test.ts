/**
 * 100 LAN groups on two nodes (issue 8 acceptance, finding 3): they settle with exactly one
 * holder per VIP and stay so for 60 s, read with `ip addr` on both hosts. Before the fix node b
 * kept VIPs it had released (the local provider's spawn queue lost the wake-up of releases
 * queued behind aborted acquires), so some VIPs had two holders for as long as one cared to look.
 * One long test (about 75 s), bounded: at most 60 s to settle, then 60 s of samples.
 *
 * Role changes in the window are reported, not asserted: on this shared 2-core machine another
 * suite can starve a node past the 361 ms Master_Down_Interval (seen once inside a full
 * `npm test` at load ~10: b took ~60 groups for a moment, holders stayed one per sample). What
 * the test asserts is the promise: one holder per VIP at every sample, and at the end every
 * group with one master holding its VIP and one backup without it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { requireRoot, requireTools, type Host } from './lib/index.js';
import { lanGroupsYaml, lanGroupVips, until, withLanPair } from './agents.js';

const GROUPS = 100;
const SETTLE_MS = 60_000;
const WINDOW_MS = 60_000;
const SAMPLE_EVERY_MS = 1_000;

interface Sample {
  readonly at: number;
  /** VIP → the hosts whose interface carries it. */
  readonly holders: Map<string, string[]>;
}

async function sample(hosts: ReadonlyArray<[string, Host]>, vips: readonly string[]): Promise<Sample> {
  const holders = new Map(vips.map((v) => [v, [] as string[]]));
  for (const [name, h] of hosts) {
    for (const a of await h.addresses()) holders.get(a.address)?.push(name);
  }
  return { at: Date.now(), holders };
}

const notExactlyOne = (s: Sample) => [...s.holders].filter(([, hs]) => hs.length !== 1);
const describeBad = (bad: Array<[string, string[]]>) => bad.slice(0, 10).map(([v, hs]) => `${v}: ${hs.length === 0 ? 'nobody' : hs.join('+')}`).join(', ') + (bad.length > 10 ? ` … (${bad.length})` : '');

describe('LAN mode: 100 groups on two nodes', () => {
  it('settle with exactly one holder per VIP (ip addr on both) and stay so for 60 s', { timeout: 170_000 }, async (t) => {
    if (!(await requireRoot(t)) || !(await requireTools(t, ['ip', 'arping']))) return;
    const vips = lanGroupVips(GROUPS);
    const yaml = (h: Host, node: 'node-a' | 'node-b') => lanGroupsYaml({ ifname: h.ifname, node, priority: node === 'node-a' ? 150 : 100, count: GROUPS });
    await withLanPair('vipd-groups-', yaml, async ({ a, b, ha, hb, startedAt: started }) => {
      const hosts: Array<[string, Host]> = [['a', ha], ['b', hb]];
      const detail = () => `a roles: ${JSON.stringify(Object.fromEntries(a.roles()))}\nb roles: ${JSON.stringify(Object.fromEntries(b.roles()))}\nb's last lines:\n${b.lines.slice(-20).map((l) => l.msg).join('\n')}`;

      // Settled: in every group one node says MASTER and the other BACKUP, and the VIP is on
      // the master only.
      let last: Sample | undefined;
      let unsettled: string[] = [];
      const unsettledGroups = async () => {
        last = await sample(hosts, vips);
        const aRoles = a.roles();
        const bRoles = b.roles();
        return vips.filter((v, i) => {
          const roles = [aRoles.get(`g${i + 1}`), bRoles.get(`g${i + 1}`)];
          const master = roles[0] === 'MASTER' && roles[1] === 'BACKUP' ? 'a' : roles[0] === 'BACKUP' && roles[1] === 'MASTER' ? 'b' : undefined;
          return !master || last?.holders.get(v)?.join() !== master;
        });
      };
      await until(async () => {
        unsettled = await unsettledGroups();
        return unsettled.length === 0;
      }, SETTLE_MS, 'every group with one master holding its VIP and one backup without it', () => `${unsettled.length} unsettled: ${unsettled.slice(0, 10).join(', ')}; holders ${last ? describeBad(notExactlyOne(last)) : ''}\n${detail()}`);
      const settledAt = Date.now();
      t.diagnostic(`settled ${((settledAt - started) / 1000).toFixed(1)} s after start; a holds ${[...(last?.holders ?? [])].filter(([, h]) => h[0] === 'a').length}`);

      const bad: Array<{ at: number; vips: Array<[string, string[]]> }> = [];
      let samples = 0;
      for (let i = 0; i < WINDOW_MS / SAMPLE_EVERY_MS + 5 && Date.now() - settledAt < WINDOW_MS; i++) {
        await new Promise((r) => setTimeout(r, SAMPLE_EVERY_MS));
        const s = await sample(hosts, vips);
        samples += 1;
        const wrong = notExactlyOne(s);
        if (wrong.length > 0) bad.push({ at: s.at - settledAt, vips: wrong });
      }
      const changes = [...a.roleChanges(settledAt), ...b.roleChanges(settledAt)];
      t.diagnostic(`${samples} samples over ${((Date.now() - settledAt) / 1000).toFixed(1)} s, ${changes.length} role changes`);
      // Before the assertion: when it fails, the first changes say why.
      for (const c of changes.slice(0, 10)) t.diagnostic(`role change +${((c.t - settledAt) / 1000).toFixed(1)} s: ${c.group}: ${c.msg}`);
      assert.deepEqual(bad.map((x) => `+${(x.at / 1000).toFixed(1)} s: ${describeBad(x.vips)}`), [], `every sample: each VIP on exactly one host\n${detail()}`);
      // A change still resolving when the window ends gets a few seconds to finish.
      await until(async () => (unsettled = await unsettledGroups()).length === 0, 10_000, 'at the end every group with one master holding its VIP and one backup without it', () => `${unsettled.length} unsettled: ${unsettled.slice(0, 10).join(', ')}\n${detail()}`);
      assert.ok(samples >= WINDOW_MS / SAMPLE_EVERY_MS / 2, `only ${samples} samples in the window`);
    });
  });
});
