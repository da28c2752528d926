/**
 * Timer math against numbers worked by hand from memberlist's formulas (util.go, suspicion.go)
 * and its own test tables (suspicion_test.go, util_test.go).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  expectedConfirmations, nackTimeoutMs, pushPullIntervalMs, retransmitLimit, scaleByAwareness, suspicionMaxMs, suspicionMinMs, suspicionTimeoutMs,
} from '../../../../src/core/membership/timers.js';

describe('suspicionMinMs = mult × max(1, log10(max(1, n))) × probe interval', () => {
  const rows: [mult: number, n: number, intervalMs: number, expected: number, why: string][] = [
    [4, 0, 200, 800, 'empty cluster: scale 1'],
    [4, 1, 200, 800, 'alone: log10(1) = 0, scale held at 1'],
    [4, 3, 200, 800, 'HA trio: log10(3) = 0.48, scale held at 1'],
    [4, 10, 200, 800, 'log10(10) = 1'],
    [4, 100, 200, 1600, 'log10(100) = 2'],
    [2, 100, 200, 800, 'tuned LAN multiplier'],
    [4, 1000, 1000, 12_000, 'memberlist LAN (1 s probes), 1000 nodes'],
    [6, 10, 1000, 6000, 'WAN preset'],
  ];
  for (const [mult, n, interval, expected, why] of rows) {
    it(`mult ${mult}, n ${n}, ${interval} ms → ${expected} ms (${why})`, () => {
      assert.equal(suspicionMinMs(mult, n, interval), expected);
    });
  }
  it('n = 50 is between: 4 × log10(50) × 200', () => {
    assert.ok(Math.abs(suspicionMinMs(4, 50, 200) - 4 * Math.log10(50) * 200) < 1e-9);
  });
  it('max = 6 × min', () => assert.equal(suspicionMaxMs(800, 6), 4800));
});

describe('suspicionTimeoutMs = max(min, max − (max − min)·log(C+1)/log(K+1))', () => {
  // memberlist TestSuspicion_remainingSuspicionTime: min 2 s, max 30 s, K 3 (before it
  // subtracts the elapsed time).
  const rows: [c: number, k: number, expected: number][] = [
    [0, 3, 30_000],
    [1, 3, 16_000],
    [2, 3, 7_810],
    [3, 3, 2_000],
    [4, 3, 2_000],
    [5, 3, 2_000],
  ];
  for (const [c, k, expected] of rows) {
    it(`${c}/${k} confirmations, 2 s..30 s → ${expected} ms`, () => assert.equal(suspicionTimeoutMs(c, k, 2000, 30_000), expected));
  }
  it('LAN trio: min 800, max 4800, K 1: one confirmation goes straight to the floor', () => {
    assert.equal(suspicionTimeoutMs(0, 1, 800, 4800), 4800);
    assert.equal(suspicionTimeoutMs(1, 1, 800, 4800), 800);
  });
  it('K = 0 (nobody can confirm): the floor at once', () => assert.equal(suspicionTimeoutMs(0, 0, 800, 4800), 800));
  it('shrinks monotonically with confirmations', () => {
    let last = Infinity;
    for (let c = 0; c <= 5; c++) {
      const t = suspicionTimeoutMs(c, 5, 1000, 6000);
      assert.ok(t <= last, `${c}: ${t} > ${last}`);
      last = t;
    }
  });
});

describe('expectedConfirmations: K capped by n − 2', () => {
  const rows: [k: number, n: number, expected: number][] = [[3, 1, 0], [3, 2, 0], [3, 3, 1], [3, 4, 2], [3, 5, 3], [3, 100, 3], [0, 100, 0]];
  for (const [k, n, expected] of rows) it(`K ${k}, n ${n} → ${expected}`, () => assert.equal(expectedConfirmations(k, n), expected));
});

describe('retransmitLimit = mult × ceil(log10(n + 1))', () => {
  const rows: [mult: number, n: number, expected: number][] = [
    [4, 0, 0], [4, 1, 4], [4, 3, 4], [4, 9, 4], [4, 10, 8], [4, 99, 8], [4, 100, 12], [3, 1000, 12],
  ];
  for (const [mult, n, expected] of rows) it(`mult ${mult}, n ${n} → ${expected}`, () => assert.equal(retransmitLimit(mult, n), expected));
});

describe('scaleByAwareness = base × (score + 1)', () => {
  const rows: [base: number, score: number, expected: number][] = [[200, 0, 200], [200, 1, 400], [100, 3, 400], [200, 7, 1600]];
  for (const [base, score, expected] of rows) it(`${base} ms at score ${score} → ${expected} ms`, () => assert.equal(scaleByAwareness(base, score), expected));
});

describe('pushPullIntervalMs: × (ceil(log2 n − log2 32) + 1) above 32 members', () => {
  // memberlist TestPushPullScale.
  const rows: [n: number, expected: number][] = [[1, 1000], [32, 1000], [33, 2000], [64, 2000], [65, 3000], [128, 3000], [129, 4000]];
  for (const [n, expected] of rows) it(`n ${n} → ${expected} ms`, () => assert.equal(pushPullIntervalMs(1000, n), expected));
});

describe('nackTimeoutMs', () => {
  it('80 % of the probe timeout (Lifeguard), inside the LAN indirect window of 100 ms', () => assert.equal(nackTimeoutMs(100), 80));
});
