/** memberlist TransmitLimitedQueue behaviour: limit, replacement, ordering. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { EMPTY_QUEUE, enqueue, queueSize, take, type BroadcastQueue } from '../../../../src/core/membership/broadcast-queue.js';
import { queuedFor } from './helpers.js';
import type { GossipItem } from '../../../../src/core/membership/messages.js';

const alive = (id: string, incarnation = 0): GossipItem => ({ type: 'Alive', id, address: `${id}:1`, incarnation });
const ids = (items: readonly GossipItem[]) => items.map((g) => `${g.type}:${g.id}`);

describe('broadcast queue', () => {
  it('an empty queue gives nothing and stays the same object', () => {
    const t = take(EMPTY_QUEUE, 10, 4);
    assert.deepEqual(t.items, []);
    assert.equal(t.queue, EMPTY_QUEUE);
  });

  it('each item is sent exactly transmitLimit times, then dropped', () => {
    let q = enqueue(EMPTY_QUEUE, 'a', alive('a'));
    let sends = 0;
    for (let i = 0; i < 10; i++) {
      const t = take(q, 5, 3);
      sends += t.items.length;
      q = t.queue;
    }
    assert.equal(sends, 3);
    assert.equal(queueSize(q), 0);
  });

  it('newer news about a member replaces what is queued about it, and starts again at 0 transmits', () => {
    let q = enqueue(EMPTY_QUEUE, 'a', alive('a', 1));
    q = take(q, 5, 4).queue;
    q = enqueue(q, 'a', { type: 'Suspect', id: 'a', incarnation: 1, from: 'b' });
    assert.equal(queueSize(q), 1);
    assert.equal(queuedFor(q, 'a')?.item.type, 'Suspect');
    assert.equal(queuedFor(q, 'a')?.transmits, 0);
  });

  it('fewest transmits first, newest first among equals', () => {
    let q: BroadcastQueue = EMPTY_QUEUE;
    q = enqueue(q, 'a', alive('a'));
    q = enqueue(q, 'b', alive('b'));
    q = take(q, 1, 10).queue; // b (newest) sent once
    q = enqueue(q, 'c', alive('c'));
    q = enqueue(q, 'd', alive('d'));
    // transmits 0: d (newest), c, a; then b with 1.
    assert.deepEqual(ids(take(q, 10, 10).items), ['Alive:d', 'Alive:c', 'Alive:a', 'Alive:b']);
  });

  it('takes at most `max` items per message and keeps the rest for the next one', () => {
    let q: BroadcastQueue = EMPTY_QUEUE;
    for (const id of ['a', 'b', 'c', 'd', 'e']) q = enqueue(q, id, alive(id));
    const first = take(q, 2, 4);
    assert.deepEqual(ids(first.items), ['Alive:e', 'Alive:d']);
    const second = take(first.queue, 2, 4);
    assert.deepEqual(ids(second.items), ['Alive:c', 'Alive:b']);
    const third = take(second.queue, 2, 4);
    assert.deepEqual(ids(third.items), ['Alive:a', 'Alive:e']);
  });

  it('never mutates the queue it was given', () => {
    const q = enqueue(enqueue(EMPTY_QUEUE, 'a', alive('a')), 'b', alive('b'));
    const before = JSON.stringify(q);
    take(q, 1, 1);
    enqueue(q, 'a', alive('a', 2));
    assert.equal(JSON.stringify(q), before);
  });
});
