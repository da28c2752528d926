/**
 * Health checks (src/core/health): rise/fall hysteresis, the first result, init_fail, the
 * history, and keepalived's weight arithmetic (weight > 0 adds while OK, < 0 subtracts while
 * failing, 0 puts the group in Fault; track_file's integer; the 1..254 clamp).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { CHECK_HISTORY, initialCheck, stepCheck, type CheckResult, type CheckState } from '../../../../src/core/health/check.js';
import { checkFault, trackedHealth } from '../../../../src/core/health/weights.js';
import { effectivePriority } from '../../../../src/core/election/timers.js';

const result = (ok: boolean, at = 0, value?: number): CheckResult => ({ ok, detail: ok ? 'exit 0' : 'exit 1', at, durationMs: 1, ...(value !== undefined ? { value } : {}) });
function run(s: CheckState, oks: boolean[]): { state: CheckState; statuses: string[] } {
  const statuses: string[] = [];
  let state = s;
  oks.forEach((ok, i) => {
    state = stepCheck(state, result(ok, i)).state;
    statuses.push(state.status);
  });
  return { state, statuses };
}

describe('health check state', () => {
  it('is unknown until its first result, which decides at once', () => {
    const s = initialCheck({ name: 'web', rise: 3, fall: 3 });
    assert.equal(s.status, 'unknown');
    assert.deepEqual(stepCheck(s, result(true)).changed, { from: 'unknown', to: 'ok' });
    assert.equal(stepCheck(s, result(false)).state.status, 'failed');
  });

  it('fall consecutive failures make it fail; a success in between starts the count again', () => {
    const { statuses } = run(initialCheck({ name: 'web', rise: 2, fall: 3 }), [true, false, false, true, false, false, false]);
    assert.deepEqual(statuses, ['ok', 'ok', 'ok', 'ok', 'ok', 'ok', 'failed']);
  });

  it('rise consecutive successes make it OK again', () => {
    const { statuses } = run(initialCheck({ name: 'web', rise: 2, fall: 1 }), [true, false, true, false, true, true]);
    assert.deepEqual(statuses, ['ok', 'failed', 'failed', 'failed', 'failed', 'ok']);
  });

  it('init_fail starts failed and needs rise successes', () => {
    const { statuses } = run(initialCheck({ name: 'web', rise: 2, fall: 1, initFail: true }), [true, true]);
    assert.deepEqual(statuses, ['failed', 'ok']);
  });

  it('keeps the last CHECK_HISTORY results, newest last, and refuses rise or fall below 1', () => {
    const { state } = run(initialCheck({ name: 'web', rise: 1, fall: 1 }), Array.from({ length: CHECK_HISTORY + 5 }, (_, i) => i % 2 === 0));
    assert.equal(state.history.length, CHECK_HISTORY);
    assert.equal(state.history.at(-1)?.at, CHECK_HISTORY + 4);
    assert.throws(() => initialCheck({ name: 'x', rise: 0, fall: 1 }), /rise and fall must be whole numbers >= 1/);
    assert.throws(() => initialCheck({ name: 'x', rise: 1, fall: 1.5 }), /check x/);
  });

  it('property: the status changes only after rise (or fall) consecutive results that disagree with it', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 4 }), fc.array(fc.boolean(), { maxLength: 60 }), (rise, fall, oks) => {
      let s = initialCheck({ name: 'p', rise, fall });
      let streak = 0;
      for (const [i, ok] of oks.entries()) {
        const before = s.status;
        const r = stepCheck(s, result(ok, i));
        s = r.state;
        if (before === 'unknown') continue;
        streak = (before === 'ok') !== ok ? streak + 1 : 0;
        if (r.changed) {
          assert.equal(streak, before === 'ok' ? fall : rise);
          streak = 0;
        } else assert.ok(streak < (before === 'ok' ? fall : rise));
      }
    }), { numRuns: 300 });
  });
});

describe('tracked weights (keepalived rules)', () => {
  const states = (entries: Array<[string, 'ok' | 'failed' | 'unknown', number?]>) =>
    new Map(entries.map(([name, status, value]) => {
      const s0 = initialCheck({ name, rise: 1, fall: 1 });
      const s = status === 'unknown' ? s0 : stepCheck(s0, result(status === 'ok', 0, value)).state;
      return [name, s] as const;
    }));

  it('weight > 0 adds while OK, < 0 subtracts while failing or not yet run, 0 puts the group in Fault', () => {
    const st = states([['up', 'ok'], ['down', 'failed'], ['new', 'unknown']]);
    assert.deepEqual(trackedHealth([{ check: 'up', weight: 20 }, { check: 'down', weight: 20 }], st), { weight: 20, faults: [] });
    assert.deepEqual(trackedHealth([{ check: 'up', weight: -30 }, { check: 'down', weight: -30 }, { check: 'new', weight: -5 }], st), { weight: -35, faults: [] });
    assert.deepEqual(trackedHealth([{ check: 'up', weight: 0 }, { check: 'down', weight: 0 }, { check: 'new', weight: 0 }], st), { weight: 0, faults: [checkFault('down'), checkFault('new')] });
    assert.deepEqual(trackedHealth([{ check: 'missing', weight: 0 }], st).faults, ['check:missing'], 'a check with no state is not OK');
  });

  it('track_file: the integer times the weight while it reads; unreadable is Fault; weight 0: non-zero is Fault', () => {
    const st = states([['f', 'ok', -40], ['z', 'ok', 0], ['bad', 'failed']]);
    assert.deepEqual(trackedHealth([{ check: 'f', weight: 1, file: true }], st), { weight: -40, faults: [] });
    assert.deepEqual(trackedHealth([{ check: 'f', weight: 2, file: true }], st), { weight: -80, faults: [] });
    assert.deepEqual(trackedHealth([{ check: 'f', weight: 0, file: true }, { check: 'z', weight: 0, file: true }], st), { weight: 0, faults: ['check:f'] });
    assert.deepEqual(trackedHealth([{ check: 'bad', weight: 1, file: true }], st), { weight: 0, faults: ['check:bad'] });
  });

  it('the sum moves the priority within 1..254 and never an address owner\'s 255', () => {
    assert.equal(effectivePriority(100, 200), 254);
    assert.equal(effectivePriority(100, -200), 1);
    assert.equal(effectivePriority(255, -50), 255);
    assert.equal(effectivePriority(150, -60), 90);
  });
});
