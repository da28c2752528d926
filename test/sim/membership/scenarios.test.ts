/**
 * Membership scenarios in the seeded simulator (issue 3 §2): N pure cores on the virtual clock
 * over a lossy network. A failure prints its seed and the command that replays it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MembershipSim, addressOf, seeds, withSeed } from './sim.js';

const FILE = 'test/sim/membership/scenarios.test.ts';
const LOSSY = { loss: 0.05, latencyMs: 0.5, jitterMs: 1 };

/** n nodes that all join through the first one's address, started a few ms apart. */
function joinedCluster(seed: number, n: number): { sim: MembershipSim; ids: string[] } {
  const sim = new MembershipSim(seed, LOSSY);
  const ids = Array.from({ length: n }, (_, i) => `m${i}`);
  for (const id of ids) sim.add(id, { seeds: [addressOf('m0')] });
  for (const [i, id] of ids.entries()) {
    sim.clock.schedule(i * 7, () => sim.start(id));
  }
  return { sim, ids };
}

function allAliveEverywhere(sim: MembershipSim, ids: readonly string[]): boolean {
  return ids.every((o) => ids.every((x) => x === o || sim.view(o, x) === 'alive'));
}

describe('simulator: membership scenarios', () => {
  for (const seed of seeds(3)) {
    it(`3 nodes converge to all-alive after joining through one seed (seed ${seed})`, () => withSeed(seed, FILE, () => {
      const { sim, ids } = joinedCluster(seed, 3);
      assert.ok(sim.runUntil(() => allAliveEverywhere(sim, ids), 3000), 'not converged within 3 s');
      sim.runFor(5000);
      assert.ok(sim.runUntil(() => allAliveEverywhere(sim, ids), 2000), 'did not stay converged');
      // With one helper, a probe fails on 5 % loss about once in 600 (two pings and the relayed
      // path all lost): a suspicion is allowed, and is refuted; a death is not.
      assert.deepEqual(sim.falseDeaths(), []);
    }));
  }

  for (const seed of seeds(3, 10)) {
    it(`10 nodes: a killed node is declared dead by all, each live node keeps everyone else alive (seed ${seed})`, () => withSeed(seed, FILE, () => {
      const { sim, ids } = joinedCluster(seed, 10);
      assert.ok(sim.runUntil(() => allAliveEverywhere(sim, ids), 5000), 'not converged');
      sim.runFor(1000);
      sim.kill('m7');
      const t0 = sim.clock.now();
      assert.ok(sim.runUntil(() => sim.allSee('m7', 'dead'), 6000), 'm7 not dead everywhere within 6 s');
      const at = sim.seenByAllAt('m7', 'dead', t0) as number;
      assert.ok(at - t0 < 4000, `detection took ${Math.round(at - t0)} ms`);
      const live = ids.filter((x) => x !== 'm7');
      assert.ok(allAliveEverywhere(sim, live), 'a live member is not alive somewhere');
      assert.deepEqual(sim.falseDeaths(), []);
      // Nobody sends to it once it is reaped.
      sim.runFor(31_000);
      assert.ok(live.every((o) => sim.view(o, 'm7') === 'unknown'), 'm7 not reaped after 30 s');
    }));
  }

  for (const seed of seeds(3, 20)) {
    it(`graceful leave is seen as left, not dead, by all (seed ${seed})`, () => withSeed(seed, FILE, () => {
      const { sim, ids } = joinedCluster(seed, 10);
      assert.ok(sim.runUntil(() => allAliveEverywhere(sim, ids), 5000), 'not converged');
      sim.leave('m4');
      sim.runFor(500);
      sim.kill('m4'); // the process exits shortly after leaving
      sim.runFor(5000);
      const others = ids.filter((x) => x !== 'm4');
      assert.deepEqual(others.filter((o) => sim.view(o, 'm4') !== 'left'), [], 'some member does not see m4 as left');
      assert.deepEqual(sim.history.filter((h) => h.id === 'm4' && (h.to === 'suspect' || h.to === 'dead')), []);
      assert.ok(allAliveEverywhere(sim, others));
    }));
  }

  for (const seed of seeds(3, 30)) {
    it(`a partitioned node is declared dead, then refutes and is alive again after the heal (seed ${seed})`, () => withSeed(seed, FILE, () => {
      const { sim, ids } = joinedCluster(seed, 10);
      assert.ok(sim.runUntil(() => allAliveEverywhere(sim, ids), 5000), 'not converged');
      const rest = ids.filter((x) => x !== 'm3');
      sim.partition(['m3'], rest);
      assert.ok(sim.runUntil(() => rest.every((o) => sim.view(o, 'm3') === 'dead'), 8000), 'm3 not declared dead by the majority');
      sim.runFor(4000);
      const incBefore = sim.state('m3').incarnation;
      sim.heal();
      const healed = sim.clock.now();
      assert.ok(sim.runUntil(() => allAliveEverywhere(sim, ids), 10_000), 'not all-alive 10 s after the heal');
      assert.ok(sim.state('m3').incarnation > incBefore, 'm3 refuted with a higher incarnation');
      const back = sim.history.filter((h) => h.id === 'm3' && h.to === 'alive' && h.at >= healed);
      assert.ok(back.length >= rest.length, 'every member saw m3 come back');
    }));
  }

  it('refused connections (SendFailed) and ProbeNow hints detect a killed node sooner', () => withSeed(40, FILE, () => {
    const sim = new MembershipSim(40, { ...LOSSY, refuseWhenDown: true });
    const ids = sim.addWarmCluster(10);
    sim.startAll();
    sim.runFor(1500);
    sim.kill('n05');
    const t0 = sim.clock.now();
    // Its gRPC streams broke: the runtime on three members asks for a probe now.
    for (const o of ['n01', 'n02', 'n03']) sim.feedEvent(o, { type: 'ProbeNow', id: 'n05' });
    assert.ok(sim.runUntil(() => sim.allSee('n05', 'dead'), 5000));
    const first = sim.history.filter((h) => h.id === 'n05' && h.to === 'suspect').map((h) => h.at - t0);
    assert.ok(Math.min(...first) <= 210, `first suspicion after ${Math.min(...first)} ms`);
    const byProbe = sim.history.filter((h) => h.id === 'n05' && h.to === 'suspect' && h.confirmedByProbe).map((h) => h.observer);
    assert.ok(['n01', 'n02', 'n03'].every((o) => byProbe.includes(o)), `confirmed by probe: ${byProbe.join(',')}`);
    assert.deepEqual(sim.falseDeaths(), []);
    assert.ok(ids.length === 10);
  }));
});
