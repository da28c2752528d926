/**
 * Crash verdict in the whole-node simulator (docs/leases.md "Crash verdict"): a crashed
 * process's streams close and its address refuses redials (world.ts, memory-membership.ts); a
 * stalled process keeps its address, a partition is silence.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { masterDownIntervalMs } from '../../src/core/election/timers.js';
import { LAN } from './properties.js';
import { SimWorld, type WorldNode } from './world.js';

/** Three members and two witnesses: five voters, two backups that could move. */
const FIVE: WorldNode[] = [
  { id: 'a', kind: 'member', priority: 100 }, { id: 'b', kind: 'member', priority: 150 }, { id: 'c', kind: 'member', priority: 200 },
  { id: 'w1', kind: 'witness' }, { id: 'w2', kind: 'witness' },
];

function world(seed: number, stallToleranceMs: number): SimWorld {
  return new SimWorld({
    seed, nodes: FIVE, timing: LAN, rho: 0.001, providerLatencyMs: 5, providerFailure: 0,
    link: { latencyMs: 1, jitterMs: 0 }, stallToleranceMs,
  });
}

async function settled(seed: number, stallToleranceMs = 250): Promise<SimWorld> {
  const w = world(seed, stallToleranceMs);
  await w.start();
  await w.runFor(4000);
  assert.deepEqual(w.holders(), ['c'], w.report());
  return w;
}

/** Role changes journaled since `from` (world time), without the crashed node's. */
const changes = (w: SimWorld, from: number): string[] => w.journal.filter((l) => / -> /.test(l) && Number(/^t=([\d.]+)/.exec(l)?.[1]) >= from - 0.1);

/** Runs in 1 ms steps until `cond` or `ms` pass; returns when (world time) or undefined. */
async function whenTrue(w: SimWorld, cond: () => boolean, ms: number): Promise<number | undefined> {
  for (let i = 0; i < ms; i++) {
    if (cond()) return w.clock.now();
    await w.runFor(1);
  }
  return undefined;
}

const MDI_B = masterDownIntervalMs(150, 10, 3);

describe('simulator: crash verdict', () => {
  it('SIGKILL of the master: the top backup takes the VIP within a few ms, the other backup never moves', async () => {
    for (const seed of [1, 2, 3]) {
      const w = await settled(seed);
      const t = w.clock.now();
      await w.crash('c');
      const at = await whenTrue(w, () => w.holders().join() === 'b', 1000);
      assert.ok(at !== undefined && at - t < 20, `seed ${seed}: b holds ${at === undefined ? 'never' : `${(at - t).toFixed(1)} ms`} after the crash (Master_Down_Interval ${MDI_B.toFixed(0)} ms)\n${w.report()}`);
      await w.runFor(2000);
      const moved = changes(w, t);
      assert.equal(moved.length, 1, `seed ${seed}: one role change only\n${moved.join('\n')}`);
      assert.match(moved[0] ?? '', /b#1 Backup -> Master term \d+ \(crash-verdict: master c gone/);
      assert.deepEqual(w.holders(), ['b']);
      assert.deepEqual(w.checker.violations, []);
    }
  });

  it('a stalled master (its process frozen, its address still accepting) gets no verdict: no takeover before Master_Down_Interval', async () => {
    // A stall the lease tolerates (S = 2 s; a longer one is the limit of docs/leases.md).
    const w = await settled(4, 2000);
    const t = w.clock.now();
    w.stall('c', 1500);
    await w.runFor(3000);
    const moved = changes(w, t);
    assert.ok(moved.every((l) => !/crash-verdict/.test(l)), moved.join('\n'));
    const first = moved.find((l) => / b#1 Backup -> Master/.test(l));
    const at = Number(/^t=([\d.]+)/.exec(first ?? '')?.[1]);
    assert.ok(at - t >= MDI_B - 100, `b took over only after its timers (at +${(at - t).toFixed(0)} ms)\n${moved.join('\n')}`);
    assert.deepEqual(w.checker.violations, []);
  });

  it('a partitioned master (silence) gets no verdict', async () => {
    const w = await settled(5);
    const t = w.clock.now();
    w.partition(['c'], ['a', 'b', 'w1', 'w2']);
    await w.runFor(3000);
    const moved = changes(w, t);
    assert.ok(moved.some((l) => / b#1 Backup -> Master/.test(l)), moved.join('\n'));
    assert.ok(moved.every((l) => !/crash-verdict/.test(l)), moved.join('\n'));
    assert.deepEqual(w.checker.violations, []);
  });
});
