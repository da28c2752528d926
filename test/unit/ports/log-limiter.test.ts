/** LogLimiter: one line per warning key per window, with the count of what it held back. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LogLimiter } from '../../../src/ports/log-limiter.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { recordingLogger, type Logged } from '../runtime/fakes.js';

function setup(windowMs?: number) {
  const clock = new VirtualClock();
  const out: Logged[] = [];
  const limiter = windowMs === undefined ? new LogLimiter(clock, recordingLogger(out)) : new LogLimiter(clock, recordingLogger(out), windowMs);
  /** Logs `msg` at each of the given clock times. */
  const warnAt = (times: readonly number[], msg: string, fields?: Record<string, unknown>) => {
    for (const t of times) {
      clock.runUntil(t);
      limiter.log('warn', msg, fields);
    }
  };
  return { clock, out, limiter, warnAt };
}

describe('LogLimiter', () => {
  it('prints the same warning once per 10 s window and reports the suppressed count on the next print', () => {
    const { out, warnAt } = setup();
    warnAt([0, 1, 5000, 9999], 'bad advert');
    assert.deepEqual(out, [{ level: 'warn', fields: {}, msg: 'bad advert' }]);
    warnAt([10_000], 'bad advert');
    assert.deepEqual(out[1], { level: 'warn', fields: { suppressed: 3 }, msg: 'bad advert' });
    warnAt([10_001, 19_999, 20_000], 'bad advert');
    assert.deepEqual(out.slice(2), [{ level: 'warn', fields: { suppressed: 2 }, msg: 'bad advert' }]);
    warnAt([40_000], 'bad advert');
    assert.deepEqual(out[3], { level: 'warn', fields: {}, msg: 'bad advert' }, 'nothing held back: no suppressed field');
    assert.equal(out.length, 4);
  });

  it('keys on fields.reason when there is one, so differing texts of one reason share a window', () => {
    const { out, warnAt } = setup();
    warnAt([0], 'advert from a has interval 20 cs', { reason: 'interval-mismatch' });
    warnAt([1], 'advert from b has interval 30 cs', { reason: 'interval-mismatch' });
    warnAt([2], 'advert from b has priority 300', { reason: 'invalid-priority' });
    warnAt([3], 'another text without a reason');
    assert.deepEqual(out.map((l) => l.msg), ['advert from a has interval 20 cs', 'advert from b has priority 300', 'another text without a reason']);
    warnAt([10_000], 'advert from c has interval 40 cs', { reason: 'interval-mismatch' });
    assert.deepEqual(out[3]?.fields, { reason: 'interval-mismatch', suppressed: 1 });
  });

  it('different keys do not suppress each other', () => {
    const { out, warnAt } = setup();
    warnAt([0, 1, 2], 'a');
    warnAt([3, 4], 'b');
    assert.deepEqual(out.map((l) => l.msg), ['a', 'b']);
  });

  it('never limits info (role changes) or debug lines', () => {
    const { out, limiter } = setup();
    for (let i = 0; i < 5; i++) limiter.log('info', 'BACKUP -> MASTER (test)', { term: i });
    for (let i = 0; i < 3; i++) limiter.log('debug', 'advert from ourselves', { reason: 'own-advert' });
    assert.deepEqual(out.map((l) => l.level), ['info', 'info', 'info', 'info', 'info', 'debug', 'debug', 'debug']);
    assert.deepEqual(out.map((l) => l.fields.term), [0, 1, 2, 3, 4, undefined, undefined, undefined]);
    assert.ok(out.every((l) => !('suppressed' in l.fields)));
  });

  it('honours a custom window', () => {
    const { out, warnAt } = setup(1000);
    warnAt([0, 999, 1000, 1500, 2000], 'x');
    assert.deepEqual(out.map((l) => [l.msg, l.fields.suppressed]), [['x', undefined], ['x', 1], ['x', 1]]);
  });

  it('passes the fields through without mutating the caller\'s object', () => {
    const { out, warnAt } = setup();
    const fields = { reason: 'r', peer: 'b' };
    warnAt([0, 1, 10_000], 'm', fields);
    assert.deepEqual(fields, { reason: 'r', peer: 'b' });
    assert.deepEqual(out.map((l) => l.fields), [{ reason: 'r', peer: 'b' }, { reason: 'r', peer: 'b', suppressed: 1 }]);
  });
});
