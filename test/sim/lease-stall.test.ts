/**
 * A master stalled across its lease deadline (found by the WAN property, seed 751, when the
 * lease's margin covered clock drift and one release R but no stall): a master whose process is
 * frozen when its lease runs out releases only when it resumes. With the stall tolerance S of
 * docs/leases.md (voters promise P = base + S, the lease stays L = P(1-RHO)/(1+RHO) - R - S), a
 * stall up to S is safe whatever it straddles. Before S existed this run had two holders for
 * 1174 ms.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeViolations } from './invariant.js';
import { WAN } from './properties.js';
import { SimWorld } from './world.js';

it('a master stalled 2 s (= S) across its lease deadline still releases before a new master takes the VIP', async () => {
  const w = new SimWorld({
    seed: 7,
    nodes: [{ id: 'a', kind: 'member', priority: 200 }, { id: 'b', kind: 'member', priority: 100 }, { id: 'c', kind: 'member', priority: 50 }],
    timing: WAN,
    rho: 0.001,
    providerLatencyMs: 50,
    providerFailure: 0,
    link: { latencyMs: 1, jitterMs: 0 },
    stallToleranceMs: 2000,
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
