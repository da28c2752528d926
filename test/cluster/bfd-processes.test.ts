/**
 * BFD in `vipd run` (docs/bfd.md "What runs"): two members and a witness, real processes on
 * their own loopback addresses (multihop BFD, UDP 4784, no raw socket needed). Sessions come
 * Up between every pair; a frozen master (SIGSTOP: silence, its kernel still accepts, so no
 * crash verdict) is confirmed down by a majority of the voters' BFD sessions and the backup
 * takes over with reason bfd-down. Adverts every 1 s keep Master_Down_Interval (~3.6 s) out
 * of the race with BFD's 3 × 50 ms. Last, a SIGTERM of the witness: its AdminDown reaches both
 * members before its leave, and nobody reports a failure.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalCluster, type ProcSpec } from '../../src/cli/local-cluster.js';

const VIPD = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url))];
const BFD = ['bfd: { enabled: true, mode: multihop, interval: 50ms, multiplier: 3 }'];
const group = { advertInterval: '1s' };

describe('BFD between vipd processes', () => {
  const specs: ProcSpec[] = [
    { id: 'a', host: '127.0.0.21', priority: 150, peers: ['b'], witnesses: ['w'], preempt: false, lines: BFD, group },
    { id: 'b', host: '127.0.0.22', priority: 100, peers: ['a'], witnesses: ['w'], preempt: false, lines: BFD, group },
    { id: 'w', host: '127.0.0.23', role: 'witness', lines: BFD },
  ];
  const c = new LocalCluster(specs, 'bfdtest', VIPD);
  before(async () => {
    await c.prepare();
    c.startAll();
  });
  after(() => c.destroy());

  const up = (node: string, peer: string) => c.logs.some((e) => e.node === node && /^BFD 127\.0\.0\.\d+: \w+ -> Up/.test(e.msg) && String(e.peer) === specs.find((s) => s.id === peer)?.host);

  it('sessions come Up between every pair, and a is master', async () => {
    await c.until(() => ['a', 'b', 'w'].every((n) => ['a', 'b', 'w'].every((p) => p === n || up(n, p))), 20_000, 'BFD Up everywhere');
    await c.until(() => c.masters().join() === 'a', 20_000, 'a master');
    // Let b hear a's adverts (1 s apart) so its election knows its master before the freeze.
    await new Promise((r) => setTimeout(r, 2500));
    assert.ok(!c.logs.some((e) => /bfd/i.test(e.msg) && e.level === 'warn'), c.tail(40));
  });

  it('SIGSTOP of the master: the voters agree on bfd-down and b takes over', async () => {
    const t = Date.now();
    c.signal('a', 'SIGSTOP');
    try {
      await c.until(() => c.roles().get('b') === 'MASTER', 15_000, 'b takes over from the frozen a');
      const change = c.change('b', 'MASTER', t);
      assert.match(change?.msg ?? '', /bfd-down/, c.tail(60));
      // The majority: b's own Down and the witness's report.
      assert.ok(c.logs.some((e) => e.node === 'b' && e.t >= t && /BFD: a down for/.test(e.msg)), c.tail(60));
      assert.ok(c.logs.some((e) => e.node === 'w' && e.t >= t && /BFD: session to a Down/.test(e.msg)), c.tail(60));
      console.log(`# BFD takeover after ~${(change?.t ?? t) - t} ms: ${change?.msg}`);
    } finally {
      c.signal('a', 'SIGCONT');
    }
  });

  it('SIGTERM sends AdminDown before the node goes (a graceful stop, no failure)', async () => {
    await c.until(() => c.masters().length === 1, 15_000, 'one master after SIGCONT');
    const t = Date.now();
    c.signal('w', 'SIGTERM');
    await c.until(() => ['a', 'b'].every((n) => c.logs.some((e) => e.node === n && e.t >= t && /BFD: session to w ended by AdminDown \(neighbor signaled AdminDown\)/.test(e.msg))), 10_000, 'AdminDown from w at a and b');
    assert.ok(!c.logs.some((e) => e.t >= t && /BFD: session to \w+ Down/.test(e.msg)), c.tail(40));
  });
});
