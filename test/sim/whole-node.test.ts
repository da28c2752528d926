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
import { it } from 'node:test';
import { LAN, property, WAN } from './properties.js';

const FILE = 'test/sim/whole-node.test.ts';
/**
 * The adversary's forged gossip (a Suspect at incarnation 2^32 - 1, made-up members) is refused
 * only once membership's hardening (issue 8 findings 5, 6) is merged; until then it takes the
 * quorum away for good (docs/architecture.md, the simulator).
 */
const todo = { todo: 'membership hardening (issue 8 findings 5, 6) not merged' };

it('whole-node property, WAN timings (1 s adverts, stalls up to 2 s): never two holders; exactly one after the settle window', () =>
  property(FILE, 'WAN', 1000, WAN, { steps: 8, maxStallMs: 2000, maxDelayMs: 2 * 1000 }));

it('whole-node property, LAN timings (100 ms adverts, stalls up to 250 ms): never two holders; exactly one after the settle window', () =>
  property(FILE, 'LAN', 1000, LAN, { steps: 8, maxStallMs: 250, maxDelayMs: 2 * 100 }));

it('adversarial property: an allow-listed non-voter sending arbitrary adverts and gossip never makes two holders; one holder once it stops', todo, () =>
  property(FILE, 'adversarial', 1000, WAN, { steps: 4, maxStallMs: 2000, maxDelayMs: 2 * 1000, adversary: true }));
