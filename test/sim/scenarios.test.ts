/**
 * Election scenarios in the seeded simulator (issue 2 §3). Times are exact on the virtual
 * clock; "± one tick" is the 1 ms link latency.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { masterDownIntervalMs, skewTimeMs } from '../../src/core/election/timers.js';
import { SimCluster, withSeed, type SimNodeSpec } from './cluster.js';

const FILE = 'test/sim/scenarios.test.ts';
const TICK = 1; // link latency, ms
const abc: SimNodeSpec[] = [
  { id: 'a', priority: 100, address: '192.0.2.11' },
  { id: 'b', priority: 150, address: '192.0.2.12' },
  { id: 'c', priority: 200, address: '192.0.2.13' },
];
const mdi = (p: number, cs = 10, v: 2 | 3 = 3) => masterDownIntervalMs(p, cs, v);

function near(actual: number | undefined, expected: number, tol: number, what: string): void {
  assert.ok(actual !== undefined, `${what}: did not happen`);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: at ${actual.toFixed(2)} ms, expected ${expected.toFixed(2)} ± ${tol} ms`);
}

async function cluster(nodes: SimNodeSpec[], seed = 1, extra: Partial<ConstructorParameters<typeof SimCluster>[0]> = {}) {
  const c = new SimCluster({ seed, nodes, ...extra });
  await c.start();
  return c;
}

describe('simulator: election scenarios', () => {
  it('cold start of 3 nodes elects the highest priority, with one transition to MASTER', () =>
    withSeed(1, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['c']);
      assert.equal(c.role('a'), 'Backup');
      assert.equal(c.role('b'), 'Backup');
      assert.equal(c.history.filter((h) => h.to === 'Master').length, 1);
      // The first master appears when the highest priority's Master_Down_Interval runs out.
      near(c.firstChange('Master', 0)?.at, mdi(200), TICK, 'c becomes master');
      assert.deepEqual(c.holders(), ['c']);
    }));

  it('equal priorities break by the higher primary address, not by node id', () =>
    withSeed(2, FILE, async () => {
      const c = await cluster([
        { id: 'a', priority: 100, address: '192.0.2.30' },
        { id: 'b', priority: 100, address: '192.0.2.9' },
        { id: 'z', priority: 100, address: '192.0.2.10' },
      ]);
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['a']);
      assert.deepEqual(c.holders(), ['a']);
    }));

  it('equal priorities and no addresses break by node id', () =>
    withSeed(3, FILE, async () => {
      const c = await cluster([{ id: 'n1', priority: 100 }, { id: 'n3', priority: 100 }, { id: 'n2', priority: 100 }]);
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['n3']);
    }));

  it('crash of the master: the next highest takes over at Master_Down_Interval after its last advert', () =>
    withSeed(4, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(2035);
      await c.crash('c');
      await c.runFor(5); // adverts already on the wire still land
      const seen = c.lastSeen('b');
      const crashAt = c.now;
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['b']);
      const t = c.firstChange('Master', crashAt, 'b');
      near(t?.at, (seen ?? NaN) + mdi(150), TICK, 'b takes over');
      assert.match(t?.reason ?? '', /master down: no advert from c/);
      assert.equal(c.role('a'), 'Backup');
    }));

  it('graceful stop: priority 0 makes the backup take over after Skew_Time, not Master_Down_Interval', () =>
    withSeed(5, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(2035);
      const stopAt = c.now;
      await c.stop('c');
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['b']);
      const t = c.firstChange('Master', stopAt, 'b');
      near(t?.at, stopAt + TICK + skewTimeMs(150, 10, 3), TICK, 'b takes over');
      assert.match(t?.reason ?? '', /resigned \(priority 0\)/);
      assert.equal(c.member('c').provider.record.held, false, 'the stopped master released the VIP');
      assert.deepEqual(c.holders(), ['b']);
    }));

  it('preempt: the higher-priority node takes the VIP back when it returns', () =>
    withSeed(6, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(1000);
      await c.crash('c');
      await c.runFor(1000);
      assert.deepEqual(c.masters(), ['b']);
      const back = c.now;
      await c.restart('c');
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['c']);
      const t = c.firstChange('Master', back, 'c');
      near(t?.at, back + mdi(200), TICK, 'c preempts after its Master_Down_Interval');
      assert.match(t?.reason ?? '', /preempt: priority 200 > 150 of master b/);
      assert.match(c.firstChange('Backup', back, 'b')?.reason ?? '', /higher-ranked master c/);
      assert.ok(c.runner('c').state.term > c.history.filter((h) => h.nodeId === 'b' && h.to === 'Master')[0]!.term, 'term grows on takeover');
    }));

  it('nopreempt: the returning higher-priority node stays backup', () =>
    withSeed(7, FILE, async () => {
      const c = await cluster(abc.map((n) => ({ ...n, preempt: false })));
      await c.runFor(1000);
      await c.crash('c');
      await c.runFor(1000);
      await c.restart('c');
      await c.runFor(5000);
      assert.deepEqual(c.masters(), ['b']);
      assert.equal(c.role('c'), 'Backup');
    }));

  it('preempt_delay: no takeover before the delay, takeover within one Master_Down_Interval after it', () =>
    withSeed(8, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(1000);
      await c.crash('c');
      await c.runFor(1000);
      const back = c.now;
      await c.restart('c', { preemptDelayMs: 2000 });
      await c.runFor(1990);
      assert.deepEqual(c.masters(), ['b'], 'still b just before the delay ends');
      await c.runFor(1000);
      assert.deepEqual(c.masters(), ['c']);
      const t = c.firstChange('Master', back, 'c')?.at ?? NaN;
      assert.ok(t > back + 2000 && t <= back + 2000 + mdi(200) + TICK, `takeover at +${(t - back).toFixed(1)} ms`);
    }));

  it('partition makes two masters; heal leaves the higher priority within one advert interval', () =>
    withSeed(9, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(1000);
      c.net.partition(['c'], ['a', 'b']);
      await c.runFor(1000);
      assert.deepEqual(c.masters().sort(), ['b', 'c']);
      const healAt = c.now;
      c.net.heal();
      await c.runFor(100 + 2 * TICK);
      assert.deepEqual(c.masters(), ['c']);
      assert.ok((c.firstChange('Backup', healAt, 'b')?.at ?? Infinity) <= healAt + 100 + 2 * TICK);
    }));

  it('partition with equal priorities: after heal the higher term wins over the higher address', () =>
    withSeed(10, FILE, async () => {
      const c = await cluster(abc.map((n) => ({ ...n, priority: 100 })));
      await c.runFor(1000);
      assert.deepEqual(c.masters(), ['c']);
      c.net.partition(['c'], ['a', 'b']);
      await c.runFor(1000);
      assert.deepEqual(c.masters().sort(), ['b', 'c']);
      assert.ok(c.runner('b').state.term > c.runner('c').state.term);
      c.net.heal();
      await c.runFor(100 + 2 * TICK);
      assert.deepEqual(c.masters(), ['b']);
      assert.deepEqual(c.holders(), ['b']);
    }));

  it('VRRP ordering (orderByTerm false): after heal the higher address wins whatever the terms', () =>
    withSeed(15, FILE, async () => {
      const c = new SimCluster({ seed: 15, orderByTerm: false, nodes: abc.map((n) => ({ ...n, priority: 100 })) });
      await c.start();
      await c.runFor(1000);
      c.net.partition(['c'], ['a', 'b']);
      await c.runFor(1000);
      assert.ok(c.runner('b').state.term > c.runner('c').state.term, 'b took over later');
      c.net.heal();
      await c.runFor(100 + 2 * TICK);
      assert.deepEqual(c.masters(), ['c'], 'RFC 5798 §6.4.3: equal priority, higher address');
    }));

  it('a fault on the master resigns like a shutdown; clearing it preempts back', () =>
    withSeed(11, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(1000);
      const at = c.now;
      c.runner('c').raiseFault('eth1');
      await c.runFor(1000);
      assert.equal(c.role('c'), 'Fault');
      near(c.firstChange('Master', at, 'b')?.at, at + TICK + skewTimeMs(150, 10, 3), TICK, 'b takes over');
      c.runner('c').clearFault('eth1');
      await c.runFor(1000);
      assert.deepEqual(c.masters(), ['c']);
    }));

  it('a health weight that drops the master below a backup moves the VIP (preempt)', () =>
    withSeed(12, FILE, async () => {
      const c = await cluster(abc);
      await c.runFor(1000);
      c.runner('c').setHealthWeight(-60); // 200 - 60 = 140 < 150
      await c.runFor(1000);
      assert.deepEqual(c.masters(), ['b']);
    }));

  it('VRRPv2 timers: 1 s adverts, crash takeover at 3 s + (256-priority)/256 s', () =>
    withSeed(13, FILE, async () => {
      const c = await cluster(abc, 13, { version: 2, advertIntervalCs: 100 });
      await c.runFor(5000);
      assert.deepEqual(c.masters(), ['c']);
      await c.crash('c');
      await c.runFor(5);
      const seen = c.lastSeen('b') ?? NaN;
      await c.runFor(5000);
      near(c.firstChange('Master', seen, 'b')?.at, seen + 3000 + (106 * 1000) / 256, TICK, 'b takes over');
    }));

  it('duplicated and reordered adverts do not disturb a stable master', () =>
    withSeed(14, FILE, async () => {
      const c = await cluster(abc, 14, { link: { duplicate: 0.3, reorder: 0.3, reorderDelayMs: 150, jitterMs: 20 } });
      await c.runFor(2000);
      assert.deepEqual(c.masters(), ['c']);
      const settled = c.history.length;
      await c.runFor(20_000);
      assert.deepEqual(c.masters(), ['c']);
      assert.deepEqual(c.history.slice(settled), [], 'no role changes once settled');
    }));
});
