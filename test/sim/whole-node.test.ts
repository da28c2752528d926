/**
 * Whole-node properties (issue 8 "What must exist" 8), scenarios in properties.ts: at every
 * instant of every run,
 * - never two running nodes hold the VIP by their hosts' records (quorum mode);
 * - exactly one does once the world has been stable for 3 × the takeover wait,
 *   max(Master_Down_Interval, lease promise P) (world.ts takeoverWaitMs says why).
 * Reloads run under them in a quarter of the WAN and LAN seeds (a member's group restarted in
 * place with a new priority: ClusterNode.reconfigure, issue 11).
 * Every new path of issue 10 runs under them: crash verdicts, handoffs, and BFD (docs/bfd.md)
 * in a share of the seeds of each (1,000 seeds, and the 60 of the lossy link property), with a
 * lossy link among their faults; the lossy link property (lossy-link.ts) checks what
 * docs/bfd.md promises under loss.
 *
 * SIM_SEED=N replays one seed (SIM_LOG=1 prints its faults and role changes, SIM_LOG=2 the
 * nodes' logs too), SIM_SEEDS=N runs N seeds, SIM_ALL=1 runs every seed and lists the failing
 * ones instead of stopping at the first.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { lossyProperty } from './lossy-link.js';
import { LAN, property, scenario, WAN } from './properties.js';
import type { SimBfd } from './world.js';

const FILE = 'test/sim/whole-node.test.ts';

/** bfd.interval and bfd.multiplier's defaults (docs/configuration.md "BFD"): detection in 60 ms. */
const LAN_BFD: SimBfd = { intervalMs: 20, multiplier: 3 };
/**
 * FRR bfdd's default timers, a usual choice between data centres: detection in 0.9 s, well
 * inside the Master_Down_Interval of 3-4 s at 1 s adverts, so the majority rule can still win.
 */
const WAN_BFD: SimBfd = { intervalMs: 300, multiplier: 3 };

/*
 * BFD runs in one seed in 2 (LAN) or 4 (WAN, adversarial), 1,000 seeds in all: BFD's
 * packets about double a seed's cost, and in every seed they would take this file from about
 * 55 s to over 110 s on a 2-core machine (CI's budget is 20 minutes for the whole suite). The
 * other seeds run as `bfd.enabled: false`, the default, does.
 */

// Both with a short reassert_interval, so that every master's reconcile loop (status, then
// re-acquire at its term) runs all through the faults: it must never make a second holder.
it('whole-node property, WAN timings (1 s adverts, stalls up to 2 s, reassert every 500 ms, BFD 300 ms x 3 in a quarter of the seeds): never two holders; exactly one after the settle window', () =>
  property(FILE, 'WAN', 1000, WAN, { steps: 8, maxStallMs: 2000, maxDelayMs: 2 * 1000, reassertIntervalMs: 500, bfd: { timers: WAN_BFD, every: 4 }, reload: { every: 4 } }));

it('whole-node property, LAN timings (100 ms adverts, stalls up to 250 ms, reassert every 100 ms, BFD 20 ms x 3 in half the seeds): never two holders; exactly one after the settle window', () =>
  property(FILE, 'LAN', 1000, LAN, { steps: 8, maxStallMs: 250, maxDelayMs: 2 * 100, reassertIntervalMs: 100, bfd: { timers: LAN_BFD, every: 2 }, lan: { every: 3 }, reload: { every: 4 } }));

const ADVERSARIAL = { steps: 4, maxStallMs: 2000, maxDelayMs: 2 * 1000, adversary: true, bfd: { timers: WAN_BFD, every: 4 } } as const;

/**
 * Known liveness gap under an insider (never two holders; tracked by the todo test below, and
 * for this seed the property asserts only safety). Seed 664 (acks sent to a gossip-hijacked
 * address) was closed by sending lease acks and relinquishes to the address a node announced on
 * its own authenticated stream (cluster-node.ts spokeFrom):
 * - 622: the adversary's forged claims make members refute up to 2^30 incarnations ahead, which
 *   relays refuse as incarnation jumps; a sees b dead until t = 30.2 s and b reaps a live a, so a
 *   preempts only at 33.4 s, after the settle window (it then holds the lease within one advert).
 *   It runs without BFD (properties.ts bfdSeed), as it did when found. Since the world seeds
 *   Math.random (the provider driver's retry jitter), 622 draws a different run and passes;
 *   the gap itself is not fixed: with BFD on in every seed, seed 621 shows the same refused
 *   refutation (b kept at the adversary's hijacked address, a without quorum at 31.7 s).
 */
const LIVENESS_GAPS = [622];

it('adversarial property (BFD 300 ms x 3 in a quarter of the seeds): an allow-listed non-voter sending arbitrary adverts and gossip never makes two holders; one holder once it stops', () =>
  property(FILE, 'adversarial', 1000, WAN, ADVERSARIAL, LIVENESS_GAPS));

for (const seed of LIVENESS_GAPS) {
  it(`adversarial seed ${seed}: one holder after the settle window`, { todo: 'membership liveness under an insider; see LIVENESS_GAPS' }, async () => {
    const w = await scenario(seed, WAN, ADVERSARIAL);
    assert.deepEqual(w.checker.violations, []);
  });
}

it('lossy link property (100 ms adverts, BFD 20 ms x 3; 10-20 % loss on one path or on every link of the master, or one path cut one way or both, for 3 s): never two holders, exactly one after the settle window; BFD sessions go Down only across the bad path, the majority rule confirms nobody down over one bad path, the adaptive multiplier rises under loss', () =>
  lossyProperty(FILE, 'lossy link', 60, { timing: LAN, bfd: LAN_BFD, stallToleranceMs: 250, lossyMs: 3000 }));
