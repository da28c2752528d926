/**
 * Issue 8 findings 6 and 7 in the seeded simulator: one allow-listed member forges membership
 * gossip against another (left, dead at 2^32 − 1, dead within the jump bound, a flood of
 * made-up members) while the cluster runs on a lossy network. The victim is never `left`
 * anywhere, every acceptance of a forged death is refuted, and the made-up members never get
 * into any table. A failure prints its seed and the command that replays it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_INCARNATION_JUMP } from '../../../src/core/membership/limits.js';
import type { GossipItem, MemberRecord } from '../../../src/core/membership/messages.js';
import { Rng } from '../rng.js';
import { MembershipSim, addressOf, seeds, withSeed } from './sim.js';

const FILE = 'test/sim/membership/hardening.test.ts';
const UINT32_MAX = 0xffff_ffff;
const N = 8;

describe('simulator: an allow-listed member forging membership gossip', () => {
  for (const seed of seeds(20, 100)) {
    it(`forged left and dead against one member never stick (seed ${seed})`, () => withSeed(seed, FILE, () => {
      const sim = new MembershipSim(seed, { loss: 0.05, latencyMs: 0.5, jitterMs: 1 });
      const ids = Array.from({ length: N }, (_, i) => `n${String(i).padStart(2, '0')}`);
      const allowed = new Set(ids);
      for (const id of ids) sim.add(id, { members: ids, params: { allowed } });
      sim.startAll();
      sim.runFor(1000);
      const r = new Rng(seed ^ 0x3c6ef372);
      const forger = r.pick(ids);
      const victim = r.pick(ids.filter((x) => x !== forger));
      const honest = ids.filter((x) => x !== forger && x !== victim);
      // 3 s of forgeries every 50 ms, to a random honest member each time.
      for (let t = 0; t < 3000; t += 50) {
        sim.clock.schedule(sim.clock.now() + t, () => {
          const to = r.pick(honest);
          const known = sim.state(to).members.get(victim)?.incarnation ?? 0;
          const forged: GossipItem[] = [
            { type: 'Left', id: victim, incarnation: known + 1 },
            { type: 'Dead', id: victim, incarnation: known + 1, from: victim },
            { type: 'Dead', id: victim, incarnation: UINT32_MAX, from: forger },
            { type: 'Dead', id: victim, incarnation: known + r.int(0, MAX_INCARNATION_JUMP), from: forger },
          ];
          sim.inject(forger, to, { type: 'Gossip', from: forger, fromAddress: addressOf(forger), gossip: forged });
          const flood: MemberRecord[] = Array.from({ length: 5000 }, (_, i) => ({ id: `fake${t}-${i}`, address: `fake${i}.sim:1`, incarnation: 0, state: 'alive' }));
          sim.inject(forger, to, { type: 'Join', from: forger, fromAddress: addressOf(forger), members: flood });
        });
      }
      sim.runFor(3000);
      // The forgeries stopped: every honest member sees the victim alive again. Each refutation
      // raised the victim's Lifeguard health score, so it probes up to 8× slower for a while
      // (awareness.ts); a member that missed its last refutation hears from it at its next probe.
      assert.ok(sim.runUntil(() => honest.every((o) => sim.view(o, victim) === 'alive'), 20_000), `${victim} not alive everywhere 20 s after the forgeries stopped`);
      const left = sim.history.filter((h) => h.id === victim && h.to === 'left');
      assert.deepEqual(left, [], 'the victim was never left');
      for (const o of ids) {
        assert.ok(sim.state(o).members.size <= N - 1, `${o} holds ${sim.state(o).members.size} members`);
      }
      assert.ok(sim.state(victim).incarnation < 0x8000_0000, 'incarnations stay far from the wrap');
    }));
  }

  it('a graceful leave is still seen as left by all, heard from the leaver itself', () => withSeed(7, FILE, () => {
    const sim = new MembershipSim(7, { loss: 0.05, latencyMs: 0.5, jitterMs: 1 });
    const ids = sim.addWarmCluster(20);
    sim.startAll();
    sim.runFor(1500);
    sim.leave('n05');
    sim.runFor(400);
    sim.kill('n05');
    sim.runFor(5000);
    const others = ids.filter((x) => x !== 'n05');
    assert.deepEqual(others.filter((o) => sim.view(o, 'n05') !== 'left'), [], 'some member does not see n05 as left');
  }));
});
