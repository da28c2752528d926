/**
 * Whole-node properties (issue 8 "What must exist" 8), scenarios in properties.ts: at every
 * instant of every run,
 * - never two running nodes hold the VIP by their hosts' records (quorum mode);
 * - exactly one does once the world has been stable for 2 × Master_Down_Interval.
 *
 * SIM_SEED=N replays one seed (SIM_LOG=1 prints its faults and role changes, SIM_LOG=2 the
 * nodes' logs too), SIM_SEEDS=N runs N seeds, SIM_ALL=1 runs every seed and lists the failing
 * ones instead of stopping at the first.
 */
import { it } from 'node:test';
import { LAN, property, WAN } from './properties.js';

const FILE = 'test/sim/whole-node.test.ts';
/** The adversary's gossip forgeries are refused only once membership's hardening (findings 5, 6) is merged. */
const todo = { todo: 'membership hardening not merged (sim-findings.md #4)' };

it('whole-node property, WAN timings (1 s adverts, stalls up to 2 s): never two holders; exactly one after 2 × Master_Down_Interval of calm', () =>
  property(FILE, 'WAN', 1000, WAN, { steps: 8, maxStallMs: 2000, maxDelayMs: 2 * 1000 }));

it('whole-node property, LAN timings (100 ms adverts, stalls up to 250 ms): never two holders; exactly one after the settle window', () =>
  property(FILE, 'LAN', 1000, LAN, { steps: 8, maxStallMs: 250, maxDelayMs: 2 * 100 }));

it('adversarial property: an allow-listed non-voter sending arbitrary adverts and gossip never makes two holders; one holder once it stops', todo, () =>
  property(FILE, 'adversarial', 1000, WAN, { steps: 4, maxStallMs: 2000, maxDelayMs: 2 * 1000, adversary: true }));
