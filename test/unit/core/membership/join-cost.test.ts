/**
 * What a Join costs (issue 8 finding 7: an O(n²) probe-order insert stalled the event loop for
 * 7 s). Counted, never timed: comparisons in the broadcast queue's heap, writes into the probe
 * order, records the core reads from one message.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { insertAtRandom } from '../../../../src/core/membership/context.js';
import { heapPop, heapPush } from '../../../../src/core/membership/heap.js';
import { MAX_MEMBERS } from '../../../../src/core/membership/limits.js';
import { step } from '../../../../src/core/membership/step.js';
import { changes, env, recv, started } from './helpers.js';

describe('membership: a Join costs O(log n) a member', () => {
  it('queueing a broadcast costs at most log2(n) + 1 comparisons, taking one at most 2·log2(n) + 2', () => {
    for (const n of [1_000, 20_000, 200_000]) {
      const heap: number[] = [];
      let compares = 0;
      const before = (a: number, b: number) => { compares++; return a < b; };
      for (let i = 0; i < n; i++) heapPush(heap, (i * 7919) % n, before);
      const log2 = Math.log2(n);
      assert.ok(compares <= n * (Math.ceil(log2) + 1), `${compares} comparisons for ${n} pushes`);
      compares = 0;
      let last = -1;
      for (let i = 0; i < 100; i++) {
        const x = heapPop(heap, before) as number;
        assert.ok(x >= last, 'pops come out in order');
        last = x;
      }
      assert.ok(compares <= 100 * (2 * Math.ceil(log2) + 2), `${compares} comparisons for 100 pops of ${n}`);
    }
  });

  it('adding a member to the probe order writes two slots, whatever its length', () => {
    for (const n of [10, 20_000]) {
      const base = Array.from({ length: n }, (_, i) => `m${i}`);
      let writes = 0;
      const counted = new Proxy(base, {
        set(target, key, value, receiver) {
          if (key !== 'length') writes++;
          return Reflect.set(target, key, value, receiver);
        },
      });
      insertAtRandom(counted, 'new', 0.5);
      assert.ok(writes <= 3, `${writes} writes into ${n} slots`);
      assert.equal(base.length, n + 1);
      assert.equal(base[Math.floor(0.5 * (n + 1))], 'new');
      assert.equal(new Set(base).size, n + 1, 'nothing lost, nothing doubled');
    }
  });

  it('a Join that fills the table leaves a consistent probe order and queue, one change per member', () => {
    const members = Array.from({ length: MAX_MEMBERS }, (_, i) => ({ id: `m${i}`, address: `m${i}.test:1`, incarnation: 0, state: 'alive' as const }));
    const r = step(started([]), recv({ type: 'Join', ...env('m0'), members }), 1);
    assert.equal(changes(r.actions).length, MAX_MEMBERS);
    assert.deepEqual([...r.state.probeOrder].sort(), members.map((m) => m.id).sort());
    assert.equal(r.state.queue.live.size, MAX_MEMBERS, 'one broadcast queued per new member');
  });
});
