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
 * With membership's hardening merged every adversarial seed passes but one: seed 656, where the
 * adversary's gossip moves a member's address to its own while the voters think that member
 * down, so the voters' lease acks for it go to the adversary and nobody holds the VIP for 30 s
 * after the calm (docs/architecture.md, the simulator). Todo until a member's address changes
 * only on its own word.
 */
const todo = { todo: 'seed 656: gossip moves a member\'s address (address hijack)' };

it('whole-node property, WAN timings (1 s adverts, stalls up to 2 s): never two holders; exactly one after the settle window', () =>
  property(FILE, 'WAN', 1000, WAN, { steps: 8, maxStallMs: 2000, maxDelayMs: 2 * 1000 }));

it('whole-node property, LAN timings (100 ms adverts, stalls up to 250 ms): never two holders; exactly one after the settle window', () =>
  property(FILE, 'LAN', 1000, LAN, { steps: 8, maxStallMs: 250, maxDelayMs: 2 * 100 }));

it('adversarial property: an allow-listed non-voter sending arbitrary adverts and gossip never makes two holders; one holder once it stops', todo, () =>
  property(FILE, 'adversarial', 1000, WAN, { steps: 4, maxStallMs: 2000, maxDelayMs: 2 * 1000, adversary: true }));
