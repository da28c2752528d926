/**
 * The simulator's BFD (bfd-link.ts, liveness-link.ts, world.ts) is honest: real BfdSessions come
 * Up between every pair of voters; a crashed process's BFD stops, and its peers see Detection
 * Time expire (RFC 5880 §6.8.4), not AdminDown; a restarted one starts fresh sessions with new
 * discriminators (§6.8.1); a graceful stop sends AdminDown (§6.8.16), which is no failure; a
 * one-way cut and a stall take the sessions across them Down, and they come Up again; a stalled
 * or cut-off master is taken over on the majority rule (docs/bfd.md), as in
 * test/cluster/bfd-processes.test.ts, and the lease still decides when the VIP moves.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { promiseMs } from '../../src/core/election/lease.js';
import { LAN } from './properties.js';
import { SimWorld } from './world.js';

function world(seed: number): SimWorld {
  return new SimWorld({
    seed,
    nodes: [{ id: 'a', kind: 'member', priority: 200 }, { id: 'b', kind: 'member', priority: 100 }, { id: 'w', kind: 'witness' }],
    timing: LAN, rho: 0.001, providerLatencyMs: 20, providerFailure: 0, link: { latencyMs: 1, jitterMs: 0 },
    stallToleranceMs: 250, bfd: { intervalMs: 20, multiplier: 3 },
  });
}

const PAIRS = [['a', 'b'], ['a', 'w'], ['b', 'w']] as const;

function states(w: SimWorld): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [x, y] of PAIRS) {
    out[`${x}>${y}`] = w.bfdSession(x, y)?.state;
    out[`${y}>${x}`] = w.bfdSession(y, x)?.state;
  }
  return out;
}

function allUp(w: SimWorld): void {
  assert.deepEqual(Object.entries(states(w)).filter(([, s]) => s !== 'Up'), [], 'every session Up');
}

/** The My Discriminators `from` sent in its latest packets, per peer. */
function discriminators(w: SimWorld): Map<string, number> {
  const seen = new Map<string, number>();
  const net = w.bfdNet;
  assert.ok(net);
  net.tap = (from, to, p) => seen.set(`${from}>${to}`, p.myDiscriminator);
  return seen;
}

describe('simulator: BFD', () => {
  it('sessions come Up between every pair; a crash times out at the peers; a restart comes Up with new discriminators', async () => {
    const w = world(1);
    const discr = discriminators(w);
    await w.start();
    await w.runFor(3000);
    allUp(w);
    assert.equal(w.bfdDowns.length, 0, "no session Down");
    const before = discr.get('b>a');
    await w.crash('b');
    await w.runFor(200);
    assert.equal(w.bfdSession('a', 'b')?.state, 'Down');
    assert.equal(w.bfdSession('w', 'b')?.state, 'Down');
    assert.deepEqual(w.bfdDowns.map((d) => `${d.node}>${d.peer}`).sort(), ['a>b', 'w>b'], 'Detection Time expired at both peers, no AdminDown');
    await w.restart('b');
    await w.runFor(3000);
    allUp(w);
    assert.ok(before !== undefined && discr.get('b>a') !== undefined && discr.get('b>a') !== before, 'a fresh discriminator after the restart');
    assert.deepEqual(w.checker.violations, []);
  });

  it('a graceful stop ends the sessions with AdminDown: no Down at the peers', async () => {
    const w = world(2);
    await w.start();
    await w.runFor(3000);
    allUp(w);
    await w.stop('b');
    await w.runFor(500);
    assert.equal(w.bfdDowns.length, 0, "no session Down");
    assert.equal(w.bfdSession('a', 'b'), undefined, 'the leave removed the session');
  });

  it('a one-way cut takes both ends of its sessions Down, and heal brings them Up; so does a stall', async () => {
    const w = world(3);
    await w.start();
    await w.runFor(3000);
    allUp(w);
    w.cut('b', 'w');
    await w.runFor(300);
    assert.equal(w.bfdSession('w', 'b')?.state, 'Down', "w hears nothing from b: Detection Time");
    assert.notEqual(w.bfdSession('b', 'w')?.state, 'Up', 'b hears w say Down');
    assert.equal(w.bfdSession('a', 'b')?.state, 'Up');
    w.heal();
    await w.runFor(3000);
    allUp(w);
    const downs = w.bfdDowns.length;
    w.stall('w', 200);
    await w.runFor(3000);
    allUp(w);
    assert.ok(w.bfdDowns.slice(downs).some((d) => d.node === 'a' && d.peer === 'w'), 'a saw the stalled w Down');
    assert.deepEqual(w.checker.violations, []);
  });

  it('a stalled or cut-off master: b becomes master on the majority rule (bfd-down) before Master_Down_Interval, and holds the VIP only once the lease lets it', async () => {
    for (const fault of ['stall', 'partition'] as const) {
      const w = world(4);
      await w.start();
      await w.runFor(3000);
      assert.deepEqual(w.holders(), ['a']);
      const at = w.clock.now();
      // A stall up to the lease's tolerance S (docs/leases.md A3), or a cut off from both voters.
      if (fault === 'stall') w.stall('a', w.opts.stallToleranceMs);
      else w.partition(['a'], ['b', 'w']);
      await w.runFor(3000);
      const msg = `${fault}:\n${w.report()}`;
      assert.ok(w.bfdConfirms.some((c) => c.node === 'b' && c.peer === 'a'), `b and w saw a Down, the majority rule confirmed it: ${msg}`);
      const [takeover] = w.bfdTakeovers;
      assert.ok(takeover !== undefined && takeover - at < w.masterDownIntervalMs(), `b took over for bfd-down within Master_Down_Interval: ${msg}`);
      // BFD shortened b's wait, not a's lease: b holds the VIP only once the voters' promise to a ran out.
      const acquired = w.record('b').changes.find((c) => c.held)?.at;
      if (fault === 'stall') assert.equal(acquired, undefined, `a kept the VIP through a stall within S: ${msg}`);
      // The voters granted a at its last advert, at most one interval before the cut, for P.
      else assert.ok(acquired !== undefined && acquired - at >= promiseMs(LAN.advertIntervalCs, w.opts.stallToleranceMs) - 10 * LAN.advertIntervalCs, `b held the VIP once the promise to a ran out: ${msg}`);
      assert.deepEqual(w.checker.violations, [], msg);
    }
  });
});
