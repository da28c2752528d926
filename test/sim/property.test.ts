/**
 * Property (issue 2 §3): whatever happened before — loss up to 20 %, jitter, duplicates,
 * reordering, crashes, restarts, partitions — once the network is stable for
 * 2 × Master_Down_Interval there is exactly one master, it stays master, only it holds the VIP,
 * and with preemption everywhere it has the highest priority. Over ≥ 500 seeds.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { masterDownIntervalMs } from '../../src/core/election/timers.js';
import { SimCluster, seeds, withSeed, type SimNodeSpec } from './cluster.js';
import { Rng } from './rng.js';

const FILE = 'test/sim/property.test.ts';

async function scenario(seed: number): Promise<void> {
  // The scenario's own stream, apart from the network's, so both replay from the seed.
  const r = new Rng(seed ^ 0x9e3779b9);
  const n = r.int(2, 5);
  const allPreempt = r.chance(0.7);
  const nodes: SimNodeSpec[] = Array.from({ length: n }, (_, i) => ({
    id: `n${i}`,
    priority: r.chance(0.3) ? 100 : r.int(1, 254),
    address: `192.0.2.${10 + r.int(0, 200)}`,
    preempt: allPreempt || r.chance(0.5),
  }));
  const c = new SimCluster({
    seed,
    nodes,
    link: { loss: r.next() * 0.2, jitterMs: r.int(0, 20), duplicate: r.next() * 0.05, reorder: r.next() * 0.05, reorderDelayMs: r.int(10, 200) },
  });
  await c.start();

  // Chaos: 5 s of random crashes, restarts, partitions and heals.
  for (let i = 0; i < 10; i++) {
    await c.runFor(r.int(100, 900));
    const live = c.ids().filter((id) => c.member(id).alive);
    const dead = c.ids().filter((id) => !c.member(id).alive);
    const roll = r.next();
    if (roll < 0.2 && live.length > 1) await c.crash(r.pick(live));
    else if (roll < 0.3 && live.length > 1) await c.stop(r.pick(live));
    else if (roll < 0.5 && dead.length > 0) await c.restart(r.pick(dead));
    else if (roll < 0.7) {
      const ids = c.ids();
      const cut = r.int(1, ids.length - 1);
      c.net.partition(ids.slice(0, cut), ids.slice(cut));
    } else if (roll < 0.8) c.net.heal();
  }

  // Stable network from here on.
  c.net.heal();
  c.net.params = { ...c.net.params, loss: 0, duplicate: 0 };
  const maxMdi = Math.max(...nodes.map((x) => masterDownIntervalMs(x.priority, 10, 3))) + c.net.params.jitterMs + c.net.params.reorderDelayMs;
  await c.runFor(2 * maxMdi);

  const masters = c.masters();
  assert.equal(masters.length, 1, `expected one master, got [${masters.join(', ')}]`);
  const settled = c.history.length;
  await c.runFor(2000);
  assert.deepEqual(c.masters(), masters, 'the master stays master');
  assert.deepEqual(c.history.slice(settled).map((h) => `${h.nodeId} ${h.from}->${h.to}`), [], 'no role changes once stable');
  assert.deepEqual(c.holders(), masters, 'only the master holds the VIP');
  fired += c.clock.fired;
  if (allPreempt) {
    const live = nodes.filter((x) => c.member(x.id).alive);
    const best = Math.max(...live.map((x) => x.priority));
    assert.equal(c.member(masters[0]!).spec.priority, best, 'with preemption the highest priority is master');
  }
}

let fired = 0;

it('simulator property: one master after 2 × Master_Down_Interval of stable network (500 seeds)', async () => {
  const list = seeds(500);
  for (const seed of list) await withSeed(seed, FILE, scenario);
  assert.ok(list.length >= 1);
  console.log(`# ${list.length} seeds, ${fired} simulated events`);
});
