/**
 * The virtual clock lets promises settle between timers (issue 8 finding 12): a provider call
 * that resolves through the clock continues at the virtual time it resolves, so the simulator
 * sees a VIP taken when it was taken, not when a run window ends.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { masterDownIntervalMs } from '../../src/core/election/timers.js';
import { SimCluster, withSeed } from './cluster.js';
import { VirtualClock } from './virtual-clock.js';

const FILE = 'test/sim/virtual-clock.test.ts';

describe('virtual clock: promises settle in virtual time', () => {
  it('a continuation after an awaited timer runs at that timer\'s time, before later timers', async () => {
    const clock = new VirtualClock();
    const seen: string[] = [];
    const sleep = (ms: number) => new Promise<void>((r) => clock.schedule(clock.now() + ms, r));
    void (async () => {
      await sleep(100);
      seen.push(`continued at ${clock.now()}`);
      await sleep(50);
      seen.push(`again at ${clock.now()}`);
    })();
    clock.schedule(120, () => seen.push('timer at 120'));
    await clock.advanceTo(10_000);
    assert.deepEqual(seen, ['continued at 100', 'timer at 120', 'again at 150']);
    assert.equal(clock.now(), 10_000);
  });

  it('observers see every step of time, each once, in order', async () => {
    const clock = new VirtualClock();
    const steps: Array<[number, number]> = [];
    clock.observe((from, to) => steps.push([from, to]));
    clock.schedule(5, () => clock.schedule(5, () => undefined));
    clock.schedule(7, () => undefined);
    await clock.advanceTo(9);
    assert.deepEqual(steps, [[0, 5], [5, 7], [7, 9]]);
  });

  it('a master elected at ≈3.3 s takes the VIP at ≈3.3 s, within one provider call, in a 21 s run', () =>
    withSeed(81, FILE, async () => {
      const latency = 40;
      // 1 s adverts: Master_Down_Interval of priority 180 is 3 s + Skew_Time ≈ 3.297 s.
      const c = new SimCluster({ seed: 81, advertIntervalCs: 100, providerLatencyMs: latency, nodes: [{ id: 'a', priority: 180 }] });
      await c.start();
      await c.runFor(21_000);
      // The election starts once the start-up release of leftovers is done (one call).
      const started = c.firstChange('Backup', 0, 'a')?.at ?? NaN;
      assert.ok(started <= latency, `election started at ${started}`);
      const elected = c.firstChange('Master', 0, 'a')?.at;
      const mdi = masterDownIntervalMs(180, 100, 3);
      assert.ok(elected !== undefined && Math.abs(elected - started - mdi) < 1, `elected at ${elected}, expected ${started} + ${mdi}`);
      const taken = c.records.get('a')?.changes.find((x) => x.held)?.at;
      assert.ok(taken !== undefined, 'the VIP was never taken');
      assert.ok(taken >= elected && taken <= elected + latency, `VIP taken at ${taken.toFixed(1)} ms; elected at ${elected.toFixed(1)} ms, calls take ≤ ${latency} ms`);
    }));
});
