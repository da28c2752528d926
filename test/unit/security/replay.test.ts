/** Replay guard: strictly increasing sequences, freshness window, restarts, bounded memory. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FORGET_AFTER_WINDOWS, ReplayGuard, freshnessWindowMs, initialSequence, nextSequence } from '../../../src/security/replay.js';

const T0 = Date.UTC(2025, 0, 1);

/** A guard on a hand-driven wall clock. */
function guard(advertIntervalMs = 1000) {
  const clock = { now: T0 };
  const g = new ReplayGuard({ advertIntervalMs, wallClock: () => clock.now });
  return { g, clock };
}

describe('freshness window', () => {
  it('is max(3 × advert interval, 5 s)', () => {
    for (const [interval, window] of [[10, 5000], [100, 5000], [1000, 5000], [1666, 5000], [1667, 5001], [2000, 6000], [40_950, 122_850]]) {
      assert.equal(freshnessWindowMs(interval as number), window, `interval ${interval}`);
    }
    assert.equal(guard(2000).g.windowMs, 6000);
  });
});

describe('ReplayGuard', () => {
  it('passes strictly increasing sequences, per sender', () => {
    const { g, clock } = guard();
    for (let seq = 100; seq < 110; seq++) {
      clock.now += 1000;
      assert.deepEqual(g.check('a', seq, clock.now), { ok: true });
      assert.deepEqual(g.check('b', seq - 50, clock.now), { ok: true }, 'senders are independent');
    }
    assert.deepEqual(g.check('a', 1_000_000, clock.now), { ok: true }, 'gaps are fine (lost messages)');
  });

  it('drops a repeat or an older sequence as stale-sequence', () => {
    const { g, clock } = guard();
    assert.equal(g.check('a', 10, clock.now).ok, true);
    const repeat = g.check('a', 10, clock.now);
    assert.equal(repeat.ok ? undefined : repeat.reason, 'stale-sequence');
    const older = g.check('a', 9, clock.now);
    assert.deepEqual(older, { ok: false, reason: 'stale-sequence', detail: 'sequence 9 ≤ last accepted 10 from a' });
    assert.equal(g.check('a', 11, clock.now).ok, true, 'a drop does not block the sender');
  });

  it('drops a send time outside the window, either side, and accepts the edges', () => {
    const { g, clock } = guard(100); // window 5 s
    const r = g.check('a', 1, clock.now - 5001);
    assert.deepEqual(r, { ok: false, reason: 'outside-window', detail: 'sent 5001 ms ago; window ±5000 ms (check NTP)' });
    assert.equal(g.check('a', 2, clock.now + 5001).ok ? undefined : 'dropped', 'dropped', 'from the future');
    assert.equal(g.check('a', 3, clock.now - 5000).ok, true);
    assert.equal(g.check('a', 4, clock.now + 5000).ok, true);
    const nan = g.check('a', 5, Number.NaN);
    assert.equal(nan.ok ? undefined : nan.reason, 'outside-window');
  });

  it('a dropped old message does not advance the sequence', () => {
    const { g, clock } = guard();
    assert.equal(g.check('a', 500, clock.now - 60_000).ok, false);
    assert.equal(g.check('a', 400, clock.now).ok, true);
  });

  it('drops sequences that are not non-negative safe integers', () => {
    const { g, clock } = guard();
    for (const seq of [-1, 1.5, Number.NaN, 2 ** 53]) {
      const r = g.check('a', seq, clock.now);
      assert.equal(r.ok ? undefined : r.reason, 'invalid-sequence', String(seq));
    }
  });

  it('forgets senders not heard for 10 windows, and only those', () => {
    const { g, clock } = guard(100); // window 5 s
    for (let i = 0; i < 1000; i++) g.check(`old-${i}`, 1, clock.now);
    clock.now += 5 * g.windowMs;
    g.check('recent', 1, clock.now);
    assert.equal(g.size, 1001);
    clock.now += (FORGET_AFTER_WINDOWS - 5) * g.windowMs + 1; // old: 10 windows + 1 ms; recent: 5 windows
    g.check('trigger', 1, clock.now);
    assert.equal(g.size, 2, 'old senders forgotten; recent and trigger remain');
    // Forgetting is safe: anything a forgotten sender sent is outside the window by now.
    const replay = g.check('old-1', 1, T0);
    assert.equal(replay.ok ? undefined : replay.reason, 'outside-window');
  });

  it('stays bounded under a steady stream of new senders', () => {
    const { g, clock } = guard(100);
    let max = 0;
    for (let i = 0; i < 5000; i++) {
      clock.now += 1000; // one new sender per second, each heard once
      g.check(`s-${i}`, 1, clock.now);
      max = Math.max(max, g.size);
    }
    // 10 windows × 5 s at one sender per second, plus up to one window before a sweep.
    assert.ok(max <= (FORGET_AFTER_WINDOWS + 1) * 5 + 1, `max ${max}`);
  });
});

describe('sequence numbers across restarts', () => {
  it('initialSequence is wall-clock ms × 1000 and stays a safe integer for centuries', () => {
    assert.equal(initialSequence(T0), T0 * 1000);
    assert.ok(Number.isSafeInteger(initialSequence(Date.UTC(2250, 0, 1))));
    assert.ok(!Number.isSafeInteger(initialSequence(Date.UTC(2300, 0, 1))), 'the documented limit is real');
  });

  it('a restarted sender starts above what it sent before', () => {
    const { g, clock } = guard();
    let seq = initialSequence(clock.now);
    for (let i = 0; i < 5000; i++) {
      seq = nextSequence(seq, clock.now);
      assert.equal(g.check('a', seq, clock.now).ok, true);
      clock.now += i % 100 === 0 ? 1 : 0; // 100 messages per ms: far faster than any advert rate
    }
    clock.now += 2000; // restart: memory of `seq` is lost
    const afterRestart = initialSequence(clock.now);
    assert.ok(afterRestart > seq);
    assert.equal(g.check('a', afterRestart, clock.now).ok, true);
  });

  it('a sender whose clock went back across a restart is dropped only until its clock passes where it was', () => {
    const { g, clock } = guard(100); // window 5 s
    const lastBefore = initialSequence(clock.now);
    assert.equal(g.check('a', lastBefore, clock.now).ok, true);
    // Restart with the sender's clock 3 s behind ours (within the window, lower sequences).
    const skew = 3000;
    let seq = initialSequence(clock.now - skew);
    const acceptedAt: number[] = [];
    for (let elapsed = 0; elapsed <= 10_000; elapsed += 500) {
      seq = nextSequence(seq, clock.now + elapsed - skew);
      if (g.check('a', seq, clock.now + elapsed - skew).ok) acceptedAt.push(elapsed);
    }
    assert.equal(acceptedAt[0], 3500, 'first accepted once its clock is past its old position');
  });

  it('without clock-tracking sequences, a stuck sender is accepted again once forgotten (10 windows)', () => {
    const { g, clock } = guard(100); // window 5 s
    assert.equal(g.check('a', 1_000_000, clock.now).ok, true);
    let seq = 10;
    let firstAccepted: number | undefined;
    for (let elapsed = 1000; elapsed <= 15 * g.windowMs && firstAccepted === undefined; elapsed += 1000) {
      clock.now += 1000;
      if (g.check('a', ++seq, clock.now).ok) firstAccepted = elapsed;
    }
    assert.ok(firstAccepted !== undefined && firstAccepted > FORGET_AFTER_WINDOWS * g.windowMs && firstAccepted <= (FORGET_AFTER_WINDOWS + 1) * g.windowMs + 1000, `first accepted after ${firstAccepted} ms`);
  });
});
