/**
 * RFC 5798 §6.1 / RFC 3768 §6.1 timer math against numbers worked by hand from the RFC formulas.
 * Exact equality is deliberate: every value here is a dyadic fraction, exact in a double.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { effectivePriority, masterDownIntervalMs, skewTimeMs } from '../../../../src/core/election/timers.js';
import type { TimerVersion } from '../../../../src/core/election/types.js';

interface TimerRow {
  readonly what: string;
  readonly version: TimerVersion;
  readonly priority: number;
  readonly intervalCs: number;
  readonly skewMs: number;
  readonly mdiMs: number;
}

const rows: readonly TimerRow[] = [
  // RFC 3768: Skew_Time = (256 - 100) / 256 s = 0.609375 s; MDI = 3 * 1 s + skew (REFERENCE: 3.61 s).
  { what: 'v2, 1 s, priority 100', version: 2, priority: 100, intervalCs: 100, skewMs: 609.375, mdiMs: 3609.375 },
  // v2 skew does not depend on the interval: only 3 * interval moves.
  { what: 'v2, 3 s, priority 100', version: 2, priority: 100, intervalCs: 300, skewMs: 609.375, mdiMs: 9609.375 },
  { what: 'v2, 1 s, priority 255', version: 2, priority: 255, intervalCs: 100, skewMs: 3.90625, mdiMs: 3003.90625 },
  { what: 'v2, 1 s, priority 254', version: 2, priority: 254, intervalCs: 100, skewMs: 7.8125, mdiMs: 3007.8125 },
  // RFC 5798: Skew_Time = ((256 - 100) * 10 cs) / 256 = 6.09375 cs; MDI = 30 cs + skew.
  { what: 'v3, 10 cs, priority 100', version: 3, priority: 100, intervalCs: 10, skewMs: 60.9375, mdiMs: 360.9375 },
  { what: 'v3, 100 cs, priority 100', version: 3, priority: 100, intervalCs: 100, skewMs: 609.375, mdiMs: 3609.375 },
  { what: 'v3, 100 cs, priority 255', version: 3, priority: 255, intervalCs: 100, skewMs: 3.90625, mdiMs: 3003.90625 },
  { what: 'v3, 10 cs, priority 255', version: 3, priority: 255, intervalCs: 10, skewMs: 0.390625, mdiMs: 300.390625 },
  { what: 'v3, 1 cs, priority 1', version: 3, priority: 1, intervalCs: 1, skewMs: 9.9609375, mdiMs: 39.9609375 },
  { what: 'v3, 4095 cs, priority 128', version: 3, priority: 128, intervalCs: 4095, skewMs: 20475, mdiMs: 143325 },
];

describe('skewTimeMs and masterDownIntervalMs (RFC 5798 §6.1, RFC 3768 §6.1)', () => {
  for (const r of rows) {
    it(`${r.what}: Skew_Time ${r.skewMs} ms, Master_Down_Interval ${r.mdiMs} ms`, () => {
      assert.equal(skewTimeMs(r.priority, r.intervalCs, r.version), r.skewMs);
      assert.equal(masterDownIntervalMs(r.priority, r.intervalCs, r.version), r.mdiMs);
    });
  }

  it('the v2 Master_Down_Interval for 1 s / priority 100 rounds to the 3.61 s of the reference', () => {
    assert.equal(Math.round(masterDownIntervalMs(100, 100, 2) / 10) / 100, 3.61);
  });

  it('a higher priority has a shorter skew, so it claims mastership first', () => {
    for (const v of [2, 3] as const) {
      assert.ok(skewTimeMs(200, 100, v) < skewTimeMs(100, 100, v), `v${v}`);
      assert.ok(masterDownIntervalMs(255, 100, v) < masterDownIntervalMs(254, 100, v), `v${v}`);
    }
  });

  it('priority 0 (a resigning master) gives the full interval of skew: 256/256', () => {
    assert.equal(skewTimeMs(0, 10, 3), 100);
    assert.equal(skewTimeMs(0, 100, 2), 1000);
  });

  it('out-of-range priorities are clamped into 0..255 instead of producing negative skew', () => {
    assert.equal(skewTimeMs(300, 10, 3), skewTimeMs(255, 10, 3));
    assert.equal(skewTimeMs(-5, 10, 3), skewTimeMs(0, 10, 3));
  });
});

describe('effectivePriority', () => {
  const table: ReadonlyArray<readonly [base: number, weight: number, expected: number, why: string]> = [
    [100, 0, 100, 'no weight'],
    [100, 20, 120, 'positive weight raises'],
    [100, -30, 70, 'negative weight lowers'],
    [100, 200, 254, 'clamped below 255: weights never claim ownership'],
    [254, 1, 254, 'already at the top of the range'],
    [100, -150, 1, 'clamped above 0: weights never resign'],
    [1, -1, 1, 'already at the bottom of the range'],
    [255, -100, 255, 'the address owner is never moved down'],
    [255, 50, 255, 'the address owner is never moved up'],
    [255, -255, 255, 'not even to 0'],
  ];
  for (const [base, weight, expected, why] of table) {
    it(`${base} ${weight >= 0 ? '+' : '-'} ${Math.abs(weight)} -> ${expected} (${why})`, () => {
      assert.equal(effectivePriority(base, weight), expected);
    });
  }
});
