/** The core's mulberry32 is the simulator's: same seed, same stream. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextRandom, sample, shuffle } from '../../../../src/core/membership/prng.js';
import { Rng } from '../../../sim/rng.js';

describe('prng', () => {
  it('nextRandom reproduces test/sim/rng.ts', () => {
    const sim = new Rng(42);
    let s = 42;
    for (let i = 0; i < 1000; i++) {
      const r = nextRandom(s);
      s = r.rng;
      assert.equal(r.value, sim.next());
    }
  });

  it('shuffle is a permutation and a function of the seed', () => {
    const xs = Array.from({ length: 50 }, (_, i) => i);
    const a = shuffle(xs, 7);
    assert.deepEqual([...a.value].sort((x, y) => x - y), xs);
    assert.deepEqual(shuffle(xs, 7), a);
    assert.notDeepEqual(shuffle(xs, 8).value, a.value);
  });

  it('sample returns distinct eligible elements, all of them when fewer than k qualify', () => {
    const xs = Array.from({ length: 20 }, (_, i) => i);
    for (let seed = 0; seed < 50; seed++) {
      const r = sample(xs, 3, (x) => x % 2 === 0, seed).value;
      assert.equal(new Set(r).size, 3);
      assert.ok(r.every((x) => x % 2 === 0));
    }
    assert.deepEqual([...sample(xs, 5, (x) => x > 17, 1).value].sort(), [18, 19]);
    assert.deepEqual(sample([], 3, () => true, 1).value, []);
  });
});
