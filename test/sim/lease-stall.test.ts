/**
 * A master stalled across its lease deadline (found by the WAN property, seed 751; note in
 * docs/architecture.md and /work/coord/sim-findings.md). docs/leases.md's margin covers clock
 * drift and one release (R), not a stall: a master whose process is frozen when its lease runs
 * out releases only when it resumes, while the voters' promises — the backups' wait — ran out
 * about when the lease did. A stall of 2 s is shorter than the lease (≈ 2.94 s at 1 s adverts)
 * and still breaks "never two holders" if it straddles the deadline.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeViolations } from './invariant.js';
import { WAN } from './properties.js';
import { SimWorld } from './world.js';

it('a master stalled 2 s across its lease deadline still releases before a new master takes the VIP', { todo: 'lease margin does not cover stalls (sim-findings.md)' }, async () => {
  const w = new SimWorld({
    seed: 7,
    nodes: [{ id: 'a', kind: 'member', priority: 200 }, { id: 'b', kind: 'member', priority: 100 }, { id: 'c', kind: 'member', priority: 50 }],
    timing: WAN,
    rho: 0.001,
    providerLatencyMs: 50,
    providerFailure: 0,
    link: { latencyMs: 1, jitterMs: 0 },
  });
  await w.start();
  await w.runFor(8000);
  assert.deepEqual(w.holders(), ['a']);
  // Cut a off right after one of its adverts was granted, freeze it for 2 s over its deadline.
  w.partition(['a'], ['b', 'c']);
  await w.runFor(2000);
  w.stall('a', 2000);
  await w.runFor(10_000);
  assert.equal(w.checker.violations.filter((v) => v.kind === 'two-holders').length, 0, describeViolations(w.checker.violations));
});
