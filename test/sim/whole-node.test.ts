/**
 * Whole-node properties (issue 8 "What must exist" 8), scenarios in properties.ts: at every
 * instant of every run,
 * - never two running nodes hold the VIP by their hosts' records (quorum mode);
 * - exactly one does once the world has been stable for 3 × the takeover wait,
 *   max(Master_Down_Interval, lease promise P) (world.ts takeoverWaitMs says why).
 *
 * SIM_SEED=N replays one seed (SIM_LOG=1 prints its faults and role changes, SIM_LOG=2 the
 * nodes' logs too), SIM_SEEDS=N runs N seeds, SIM_ALL=1 runs every seed and lists the failing
 * ones instead of stopping at the first.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { LAN, property, scenario, WAN } from './properties.js';

const FILE = 'test/sim/whole-node.test.ts';

// Both with a short reassert_interval, so that every master's reconcile loop (status, then
// re-acquire at its term) runs all through the faults: it must never make a second holder.
it('whole-node property, WAN timings (1 s adverts, stalls up to 2 s, reassert every 500 ms): never two holders; exactly one after the settle window', () =>
  property(FILE, 'WAN', 1000, WAN, { steps: 8, maxStallMs: 2000, maxDelayMs: 2 * 1000, reassertIntervalMs: 500 }));

it('whole-node property, LAN timings (100 ms adverts, stalls up to 250 ms, reassert every 100 ms): never two holders; exactly one after the settle window', () =>
  property(FILE, 'LAN', 1000, LAN, { steps: 8, maxStallMs: 250, maxDelayMs: 2 * 100, reassertIntervalMs: 100 }));

const ADVERSARIAL = { steps: 4, maxStallMs: 2000, maxDelayMs: 2 * 1000, adversary: true } as const;

/**
 * Known liveness gap under an insider (never two holders; tracked by the todo test below, and
 * for this seed the property asserts only safety). Seed 664 (acks sent to a gossip-hijacked
 * address) was closed by sending lease acks and relinquishes to the address a node announced on
 * its own authenticated stream (cluster-node.ts spokeFrom):
 * - 622: the adversary's forged claims make members refute up to 2^30 incarnations ahead, which
 *   relays refuse as incarnation jumps; a sees b dead until t = 30.2 s and b reaps a live a, so a
 *   preempts only at 33.4 s, after the settle window (it then holds the lease within one advert).
 */
const LIVENESS_GAPS = [622];

it('adversarial property: an allow-listed non-voter sending arbitrary adverts and gossip never makes two holders; one holder once it stops', () =>
  property(FILE, 'adversarial', 1000, WAN, ADVERSARIAL, LIVENESS_GAPS));

for (const seed of LIVENESS_GAPS) {
  it(`adversarial seed ${seed}: one holder after the settle window`, { todo: 'membership liveness under an insider; see LIVENESS_GAPS' }, async () => {
    const w = await scenario(seed, WAN, ADVERSARIAL);
    assert.deepEqual(w.checker.violations, []);
  });
}
