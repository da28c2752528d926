/** The Lifeguard-style detect multiplier (src/core/bfd/adaptive.ts): raised by loss, bounded, decays when healthy. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  adaptiveMultiplier, defaultAdaptiveParams, INITIAL_ADAPTIVE_STATE, observeArrival, type AdaptiveMultiplierState,
} from '../../../../src/core/bfd/adaptive.js';
import { nextRandom } from '../../../../src/core/membership/prng.js';

const P = defaultAdaptiveParams(3);

describe('adaptive detect multiplier', () => {
  it('starts at the configured multiplier and stays there on a clean path', () => {
    let s = INITIAL_ADAPTIVE_STATE;
    for (let i = 0; i < 1000; i++) s = observeArrival(s, 0, P);
    assert.equal(adaptiveMultiplier(s, P), 3);
  });

  it('each lost packet raises it by one, up to the bound (3 × base)', () => {
    let s = observeArrival(INITIAL_ADAPTIVE_STATE, 2, P);
    assert.equal(adaptiveMultiplier(s, P), 5);
    for (let i = 0; i < 100; i++) s = observeArrival(s, 1, P);
    assert.equal(adaptiveMultiplier(s, P), 9);
  });

  it('decays by one per 50 on-time packets in a row, and a loss restarts the count', () => {
    let s: AdaptiveMultiplierState = observeArrival(INITIAL_ADAPTIVE_STATE, 4, P);
    for (let i = 0; i < 49; i++) s = observeArrival(s, 0, P);
    assert.equal(adaptiveMultiplier(s, P), 7);
    s = observeArrival(s, 0, P);
    assert.equal(adaptiveMultiplier(s, P), 6);
    for (let i = 0; i < 49; i++) s = observeArrival(s, 0, P);
    s = observeArrival(s, 1, P);
    assert.equal(adaptiveMultiplier(s, P), 7);
    for (let i = 0; i < 50 * 10; i++) s = observeArrival(s, 0, P);
    assert.equal(adaptiveMultiplier(s, P), 3);
  });

  it('at 20 % random loss it settles high enough that 3 in a row no longer ends the session', () => {
    let s = INITIAL_ADAPTIVE_STATE;
    let rng = 42;
    let missed = 0;
    let lowest = Infinity;
    for (let i = 0; i < 20_000; i++) {
      const r = nextRandom(rng);
      rng = r.rng;
      if (r.value < 0.2) { missed++; continue; }
      s = observeArrival(s, missed, P);
      missed = 0;
      if (i > 1000) lowest = Math.min(lowest, adaptiveMultiplier(s, P));
    }
    assert.ok(lowest >= 8, `multiplier fell to ${lowest} under 20 % loss`);
  });
});
