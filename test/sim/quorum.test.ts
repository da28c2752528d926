/**
 * Split-brain guard and probe-confirmed takeover in the simulator (issue 3 §3, §5). Membership
 * is played by the test here (it reports quorum and probe verdicts); the membership simulator
 * and the multi-process tests cover the real thing.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { masterDownIntervalMs, skewTimeMs } from '../../src/core/election/timers.js';
import { SimCluster, withSeed, type SimNodeSpec } from './cluster.js';

const FILE = 'test/sim/quorum.test.ts';
const pair: SimNodeSpec[] = [
  { id: 'a', priority: 150, address: '192.0.2.11', requireQuorum: true },
  { id: 'b', priority: 100, address: '192.0.2.12', requireQuorum: true },
];

async function pairWithQuorum(seed: number): Promise<SimCluster> {
  const c = new SimCluster({ seed, nodes: pair });
  await c.start();
  for (const id of ['a', 'b']) c.runner(id).setQuorum(true, '3/3 voters');
  await c.runFor(1000);
  assert.deepEqual(c.masters(), ['a']);
  return c;
}

describe('simulator: quorum guard', () => {
  it('without quorum nobody becomes master, however long it waits', () =>
    withSeed(21, FILE, async () => {
      const c = new SimCluster({ seed: 21, nodes: pair });
      await c.start();
      await c.runFor(5000);
      assert.deepEqual(c.masters(), []);
      assert.deepEqual(c.holders(), []);
      const at = c.now;
      c.runner('b').setQuorum(true, '2/3 voters');
      await c.runFor(masterDownIntervalMs(100, 10, 3) - 1);
      assert.deepEqual(c.masters(), [], 'gives a master one Master_Down_Interval to speak up');
      await c.runFor(2);
      assert.deepEqual(c.masters(), ['b']);
      assert.equal(c.firstChange('Master', at, 'b')?.at, at + masterDownIntervalMs(100, 10, 3));
    }));

  it('an isolated master steps down after Master_Down_Interval; the side with the witness takes over', () =>
    withSeed(22, FILE, async () => {
      const c = await pairWithQuorum(22);
      c.net.partition(['a'], ['b']);
      const cut = c.now;
      c.runner('a').setQuorum(false, '1/3 voters');
      await c.runFor(3000);
      assert.deepEqual(c.masters(), ['b']);
      assert.deepEqual(c.holders(), ['b']);
      const down = c.firstChange('Backup', cut, 'a');
      assert.equal(down?.at, cut + masterDownIntervalMs(150, 10, 3));
      assert.match(down?.reason ?? '', /lost quorum \(1\/3 voters\)/);
    }));

  it('a short quorum blip (less than Master_Down_Interval) keeps the master', () =>
    withSeed(23, FILE, async () => {
      const c = await pairWithQuorum(23);
      c.runner('a').setQuorum(false, '1/3 voters');
      await c.runFor(200);
      c.runner('a').setQuorum(true, '3/3 voters');
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['a']);
      assert.equal(c.history.filter((h) => h.to === 'Master').length, 1);
    }));

  it('a backup that lost quorum does not take over when the master crashes', () =>
    withSeed(24, FILE, async () => {
      const c = await pairWithQuorum(24);
      c.runner('b').setQuorum(false, '1/3 voters');
      await c.crash('a');
      await c.runFor(3000);
      assert.deepEqual(c.masters(), []);
    }));
});

describe('simulator: probe-confirmed master failure', () => {
  it('a confirmed-down master is replaced after 3 × Skew_Time, not the rest of Master_Down_Interval (1 s adverts)', () =>
    withSeed(25, FILE, async () => {
      const c = new SimCluster({ seed: 25, advertIntervalCs: 100, nodes: [{ id: 'a', priority: 200 }, { id: 'b', priority: 150 }, { id: 'x', priority: 100 }] });
      await c.start();
      await c.runFor(5005);
      await c.crash('a');
      await c.runFor(50);
      const at = c.now;
      for (const id of ['b', 'x']) c.runner(id).peerConfirmedDown('a', 'direct and indirect probes failed');
      await c.runFor(5000);
      assert.deepEqual(c.masters(), ['b'], 'priority order still holds among backups');
      assert.equal(c.history.filter((h) => h.to === 'Master' && h.at >= at).length, 1, 'x never became master');
      const t = c.firstChange('Master', at, 'b');
      assert.equal(t?.at, at + 3 * skewTimeMs(150, 100, 3));
      assert.ok((t?.at ?? Infinity) - at < 3000 - 50, 'well before Master_Down_Interval');
      assert.match(t?.reason ?? '', /^probe-confirmed: master a down/);
    }));

  it('backups whose verdicts arrive 40 ms apart still take over in priority order (100 ms adverts)', () =>
    withSeed(27, FILE, async () => {
      const c = new SimCluster({ seed: 27, nodes: [{ id: 'a', priority: 200 }, { id: 'b', priority: 150 }, { id: 'x', priority: 100 }] });
      await c.start();
      await c.runFor(1005);
      await c.crash('a');
      await c.runFor(150);
      c.runner('x').peerConfirmedDown('a', 'probes failed'); // x hears first
      await c.runFor(40);
      c.runner('b').peerConfirmedDown('a', 'probes failed');
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['b']);
      assert.equal(c.history.filter((h) => h.nodeId === 'x' && h.to === 'Master').length, 0, 'no flap through x');
    }));

  it('a verdict about a node that is not our master changes nothing', () =>
    withSeed(26, FILE, async () => {
      const c = new SimCluster({ seed: 26, nodes: [{ id: 'a', priority: 200 }, { id: 'b', priority: 150 }, { id: 'x', priority: 100 }] });
      await c.start();
      await c.runFor(1000);
      c.runner('b').peerConfirmedDown('x', 'probes failed');
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['a']);
      assert.equal(c.history.filter((h) => h.to === 'Master').length, 1);
    }));
});
