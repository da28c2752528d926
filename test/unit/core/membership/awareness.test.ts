/** Lifeguard local health awareness: score arithmetic (memberlist awareness.go). */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REFUTE_DELTA, SUCCESSFUL_PROBE_DELTA, applyAwarenessDelta, failedProbeDelta } from '../../../../src/core/membership/awareness.js';

describe('awareness', () => {
  const rows: [score: number, delta: number, max: number, expected: number][] = [
    [0, 1, 8, 1], [0, -1, 8, 0], [3, 3, 8, 6], [6, 3, 8, 7], [7, 1, 8, 7], [7, -1, 8, 6], [2, -5, 8, 0], [0, 1, 1, 0], [0, 5, 0, 0],
  ];
  for (const [score, delta, max, expected] of rows) {
    it(`score ${score} ${delta >= 0 ? '+' : ''}${delta} (max ${max}) → ${expected}`, () => assert.equal(applyAwarenessDelta(score, delta, max), expected));
  }

  it('a failed probe costs one per missing nack, or one when no helper was asked', () => {
    assert.deepEqual([failedProbeDelta(3, 3), failedProbeDelta(3, 1), failedProbeDelta(3, 0), failedProbeDelta(0, 0)], [0, 2, 3, 1]);
  });

  it('success lowers, refuting raises', () => {
    assert.equal(SUCCESSFUL_PROBE_DELTA, -1);
    assert.equal(REFUTE_DELTA, 1);
  });
});
