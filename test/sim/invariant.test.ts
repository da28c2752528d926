/**
 * The simulator's own parts behave as the properties assume (issue 8 "What must exist" 8):
 * the invariant checker sees overlaps of any length and ignores crashed nodes' stale records;
 * node clocks drift within their rate and a stall holds timers and deliveries, then runs them.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvariantChecker, type HostView, type OverlapWindow } from './invariant.js';
import { NodeClock } from './node-clock.js';
import { HostRecord, SimProvider } from './provider.js';
import { Rng } from './rng.js';
import { VirtualClock } from './virtual-clock.js';

function world(ids: string[], overlaps: OverlapWindow[] = []) {
  const clock = new VirtualClock();
  const hosts = new Map<string, { running: boolean; held: boolean }>(ids.map((id) => [id, { running: true, held: false }]));
  const view = (): HostView[] => [...hosts].map(([id, h]) => ({ id, ...h }));
  const checker = new InvariantChecker(clock, { hosts: view, safety: true, settleMs: 100, overlaps: () => overlaps });
  const at = (t: number, fn: () => void) => clock.schedule(t, fn);
  return { clock, hosts, checker, at, h: (id: string) => hosts.get(id)! };
}

describe('simulator: invariant checker', () => {
  it('reports two running holders at the instant they overlap, even for 0.4 ms', async () => {
    const w = world(['a', 'b']);
    w.at(10, () => (w.h('a').held = true));
    w.at(20.3, () => (w.h('b').held = true));
    w.at(20.7, () => (w.h('a').held = false));
    await w.clock.advanceTo(50);
    assert.equal(w.checker.violations.length, 1);
    const v = w.checker.violations[0]!;
    assert.equal(v.kind, 'two-holders');
    assert.deepEqual(v.holders, ['a', 'b']);
    assert.equal(v.at, 20.3);
    assert.ok(Math.abs(v.durationMs - 0.4) < 1e-9);
  });

  it('a handoff allows two holders only for its pair and only within its window (docs/leases.md, "Handoff")', async () => {
    const w = world(['a', 'b', 'c'], [{ from: 'a', to: 'b', since: 10, until: 30 }]);
    w.h('a').held = true;
    w.at(12, () => (w.h('b').held = true));
    w.at(15, () => (w.h('a').held = false));
    await w.clock.advanceTo(20);
    assert.equal(w.checker.violations.length, 0, 'a and b within the window');
    assert.ok(Math.abs(w.checker.overlapMs - 3) < 1e-9);
    // A third node with b inside the window: not the pair.
    w.at(21, () => (w.h('c').held = true));
    w.at(22, () => (w.h('c').held = false));
    // a again with b, past the window's end (the whole interval that crosses it is flagged).
    w.at(28, () => (w.h('a').held = true));
    w.at(35, () => (w.h('a').held = false));
    await w.clock.advanceTo(50);
    assert.deepEqual(w.checker.violations.map((v) => [v.kind, v.at, v.holders.join()]), [['two-holders', 21, 'b,c'], ['two-holders', 28, 'a,b']]);
  });

  it('a crashed node\'s stale record counts only once the node runs again', async () => {
    const w = world(['a', 'b']);
    w.h('a').held = true;
    w.at(5, () => (w.h('a').running = false)); // crash: the VIP stays bound on a's host
    w.at(10, () => (w.h('b').held = true));
    await w.clock.advanceTo(30);
    assert.equal(w.checker.violations.length, 0, 'b alone runs and holds');
    w.at(40, () => (w.h('a').running = true)); // restart finds its stale VIP
    await w.clock.advanceTo(60);
    assert.deepEqual(w.checker.violations.map((v) => [v.kind, v.at]), [['two-holders', 40]]);
  });

  it('requires exactly one holder only once the world has been stable for the settle window', async () => {
    const w = world(['a', 'b']);
    w.checker.setStable(true, 0);
    w.at(50, () => w.checker.setStable(false, 50));
    w.at(60, () => w.checker.setStable(true, 60));
    w.at(150, () => (w.h('b').held = true));
    await w.clock.advanceTo(200);
    assert.equal(w.checker.violations.length, 0, 'the window restarted at 60: b holds from 150, before 160');
    w.at(210, () => (w.h('b').held = false));
    await w.clock.advanceTo(300);
    assert.deepEqual(w.checker.violations.map((v) => [v.kind, v.at, v.durationMs]), [['not-exactly-one', 210, 90]]);
  });
});

describe('simulator: node clocks', () => {
  it('runs at its own rate and fires a timer when its own time reaches the deadline', async () => {
    const world = new VirtualClock();
    const fast = new NodeClock(world, 1.001, 5000);
    let firedAt: number | undefined;
    fast.schedule(fast.now() + 1000, () => (firedAt = fast.now()));
    await world.advanceTo(2000);
    assert.ok(firedAt !== undefined && firedAt >= 6000 && firedAt - 6000 < 1e-3, `fired at local ${firedAt}`);
    assert.ok(Math.abs(world.now() * 1.001 + 5000 - fast.now()) < 1e-9);
  });

  it('a stall holds timers and deliveries, then runs them in order, reading the clock then', async () => {
    const world = new VirtualClock();
    const c = new NodeClock(world, 1, 0);
    const seen: string[] = [];
    c.schedule(100, () => seen.push(`timer due 100 ran at ${c.now()}`));
    world.schedule(50, () => c.stall(2000));
    world.schedule(120, () => c.run(() => seen.push(`delivery sent 120 ran at ${c.now()}`)));
    const cancel = c.schedule(150, () => seen.push('cancelled timer ran'));
    world.schedule(160, () => cancel());
    await world.advanceTo(5000);
    assert.deepEqual(seen, ['timer due 100 ran at 2050', 'delivery sent 120 ran at 2050']);
  });

  it('a provider call on a stalled node makes no progress until the stall ends', async () => {
    const world = new VirtualClock();
    const c = new NodeClock(world, 1, 0);
    const record = new HostRecord('a', () => world.now());
    const p = new SimProvider(record, { clock: c, rng: new Rng(1), maxLatencyMs: 50, failure: 0 });
    const done = p.acquire({ term: 1, reason: 'test', signal: new AbortController().signal });
    c.stall(1000);
    await world.runWhile(done);
    assert.equal(record.held, true);
    assert.ok(record.changes[0]!.at >= 1000, `changed at ${record.changes[0]!.at}`);
  });

  it('a provider call whose decision is no longer current changes nothing (before the look, or by the time of the change)', async () => {
    const world = new VirtualClock();
    const record = new HostRecord('a', () => world.now());
    const p = new SimProvider(record, { clock: world, rng: new Rng(1), maxLatencyMs: 50, failure: 0 });
    const live = new AbortController().signal;
    await assert.rejects(p.acquire({ term: 1, reason: 'test', signal: live, isCurrent: () => false }), (e: Error & { errorClass?: string }) => e.errorClass === 'fenced');
    let current = true;
    const late = p.acquire({ term: 2, reason: 'test', signal: live, isCurrent: () => current }).then(() => 'done', (e: Error & { errorClass?: string }) => e.errorClass);
    current = false; // superseded during the look
    await world.advanceTo(100);
    assert.equal(await late, 'fenced');
    assert.equal(record.held, false);
    assert.deepEqual(record.changes, []);
    assert.equal(p.refused, 2);
  });
});
