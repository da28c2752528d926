/**
 * Lanes (providers/local/lanes.ts): a provider's calls run one at a time, and a takeover or a
 * release never waits behind background work (issue 10: before, one FIFO held takeovers behind
 * refreshes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Lanes, PreemptedError } from '../../../../providers/local/lanes.js';

const live = () => new AbortController().signal;

/** A call the test finishes by hand (or that ends when its signal aborts). */
function call(order: string[], name: string) {
  let finish!: () => void;
  const done = new Promise<void>((r) => (finish = r));
  return {
    finish: () => finish(),
    fn: (signal: AbortSignal) => new Promise<string>((resolve, reject) => {
      order.push(`${name} start`);
      const onAbort = () => { order.push(`${name} aborted`); reject(signal.reason); };
      if (signal.aborted) return onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
      void done.then(() => { order.push(`${name} end`); resolve(name); });
    }),
  };
}

describe('Lanes', () => {
  it('a takeover preempts the running background call and goes before queued ones', async () => {
    const lanes = new Lanes();
    const order: string[] = [];
    const refresh = call(order, 'refresh');
    const queuedRefresh = call(order, 'refresh2');
    const takeover = call(order, 'takeover');
    const running = lanes.run('background', live(), refresh.fn);
    const queued = lanes.run('background', live(), queuedRefresh.fn);
    const t = lanes.run('takeover', live(), takeover.fn);
    await assert.rejects(running, PreemptedError);
    await new Promise((r) => setImmediate(r));
    takeover.finish();
    assert.equal(await t, 'takeover');
    await new Promise((r) => setImmediate(r));
    queuedRefresh.finish();
    assert.equal(await queued, 'refresh2');
    assert.deepEqual(order, ['refresh start', 'refresh aborted', 'takeover start', 'takeover end', 'refresh2 start', 'refresh2 end']);
  });

  it('takeovers keep their order among themselves and are never preempted', async () => {
    const lanes = new Lanes();
    const order: string[] = [];
    const a = call(order, 'acquire');
    const b = call(order, 'release');
    const first = lanes.run('takeover', live(), a.fn);
    const second = lanes.run('takeover', live(), b.fn);
    await new Promise((r) => setImmediate(r));
    assert.deepEqual(order, ['acquire start']);
    a.finish();
    await first;
    await new Promise((r) => setImmediate(r));
    b.finish();
    await second;
    assert.deepEqual(order, ['acquire start', 'acquire end', 'release start', 'release end']);
  });

  it('a waiter whose signal aborts leaves the queue and the next one runs', async () => {
    const lanes = new Lanes();
    const order: string[] = [];
    const a = call(order, 'a');
    const first = lanes.run('takeover', live(), a.fn);
    const controller = new AbortController();
    const dead = lanes.run('takeover', controller.signal, async () => assert.fail('an aborted waiter must never run'));
    const c = call(order, 'c');
    const third = lanes.run('background', live(), c.fn);
    controller.abort(new Error('superseded'));
    await assert.rejects(dead, /superseded/);
    a.finish();
    await first;
    await new Promise((r) => setImmediate(r));
    c.finish();
    assert.equal(await third, 'c');
  });

  it('a background call granted when a takeover ends is preempted by the next takeover', async () => {
    const lanes = new Lanes();
    const order: string[] = [];
    const a = call(order, 'a');
    const first = lanes.run('takeover', live(), a.fn);
    const refresh = call(order, 'refresh');
    const background = lanes.run('background', live(), refresh.fn);
    a.finish();
    await first; // the background call holds the lane now (granted and claimed in one step)
    const t = call(order, 'takeover');
    const takeover = lanes.run('takeover', live(), t.fn);
    await assert.rejects(background, PreemptedError);
    await new Promise((r) => setImmediate(r));
    t.finish();
    await takeover;
    assert.ok(order.indexOf('refresh aborted') < order.indexOf('takeover start'), order.join(', '));
  });
});
