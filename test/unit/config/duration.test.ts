import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatDuration, parseDuration } from '../../../src/config/duration.js';

test('parseDuration accepts units and plain seconds', () => {
  const table: [unknown, number][] = [
    ['100ms', 100],
    ['1s', 1000],
    ['1.5s', 1500],
    ['40.95s', 40_950],
    ['1.005s', 1005], // exact decimal, not 1004.999
    ['2m', 120_000],
    ['1h', 3_600_000],
    ['0s', 0],
    [' 10ms ', 10],
    [1, 1000], // keepalived's advert_int: a plain number is seconds
    [0.1, 100],
    [1.005, 1005],
    [0, 0],
  ];
  for (const [input, ms] of table) {
    assert.deepEqual(parseDuration(input), { ok: true, ms }, `input ${JSON.stringify(input)}`);
  }
});

test('parseDuration rejects bad input with a reason', () => {
  const table: [unknown, RegExp][] = [
    ['100', /has no unit/],
    ['1.5sec', /unknown unit "sec"/],
    ['-1s', /not a duration/],
    ['1 s', /not a duration/],
    ['', /not a duration/],
    ['0.5ms', /finer than 1ms/],
    [0.0001, /finer than 1ms/],
    [1e-9, /finer than 1ms/],
    [-1, /negative/],
    [Number.NaN, /not a duration/],
    [Number.POSITIVE_INFINITY, /not a duration/],
    [1e300, /too large/],
    ['99999999999999999h', /too large/],
    [true, /not a duration/],
    [null, /not a duration/],
  ];
  for (const [input, reason] of table) {
    const result = parseDuration(input);
    assert.equal(result.ok, false, `input ${String(input)}`);
    if (!result.ok) assert.match(result.reason, reason, `input ${String(input)}`);
  }
});

test('formatDuration picks the shortest readable unit', () => {
  const table: [number, string][] = [
    [0, '0s'], [15, '15ms'], [999, '999ms'], [1000, '1s'], [1500, '1.5s'], [40_950, '40.95s'], [120_000, '2m'], [3_600_000, '1h'],
  ];
  for (const [ms, text] of table) assert.equal(formatDuration(ms), text);
});
