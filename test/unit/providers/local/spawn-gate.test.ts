/**
 * SpawnGate: the local provider's limit on programs running at once (providers/local/commands.ts).
 * Issue 8 finding 3: after 100 LAN groups settled, node b still held 28 VIPs. Its releases were
 * stuck in this queue: an aborted waiter (a superseded acquire) kept its place, took the wake-up
 * of a finished program and dropped it, and the release queued behind it never ran.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CommandAbortedError, SpawnGate } from '../../../../providers/local/commands.js';
import { waitFor } from '../../../netns/lib/wait.js';

/** A job the test finishes by hand; `started` tells whether the gate let it run. */
function job() {
  let finish!: () => void;
  const state = { started: false, finished: new Promise<void>((r) => (finish = r)) };
  return { state, finish: () => finish(), fn: async () => { state.started = true; await state.finished; return 'done'; } };
}

const live = () => new AbortController().signal;

describe('SpawnGate', () => {
  it('a waiter aborted in the queue does not swallow the slot of the next one', async () => {
    const gate = new SpawnGate(2, 0);
    const running = [job(), job()];
    const runs = running.map((j) => gate.run(live(), j.fn));
    await waitFor(() => running.every((j) => j.state.started), { what: 'both slots taken', timeoutMs: 2_000 });

    // Two superseded calls queue and are aborted (a release superseding two acquires).
    const aborted = [new AbortController(), new AbortController()];
    const dead = aborted.map((c) => gate.run(c.signal, async () => assert.fail('an aborted waiter must never run')));
    for (const c of aborted) c.abort(new Error('superseded'));
    for (const d of dead) await assert.rejects(d, CommandAbortedError);

    // The release that queued behind them.
    const release = job();
    const releaseRun = gate.run(live(), release.fn);
    for (const j of running) j.finish();
    await Promise.all(runs);
    await waitFor(() => release.state.started, { what: 'the queued release to run once both slots were free', timeoutMs: 2_000 });
    release.finish();
    assert.equal(await releaseRun, 'done');
  });

  it('never runs more than maxRunning at once, also while waiters hand slots over', async () => {
    const gate = new SpawnGate(2, 0);
    let now = 0;
    let peak = 0;
    const jobs = Array.from({ length: 8 }, () => job());
    const runs = jobs.map((j) => gate.run(live(), async () => {
      now += 1;
      peak = Math.max(peak, now);
      try {
        return await j.fn();
      } finally {
        now -= 1;
      }
    }));
    for (const j of jobs) {
      await waitFor(() => j.state.started, { what: 'the next job to start', timeoutMs: 2_000 });
      // A newcomer arriving while a slot is being handed over must not slip past the queue.
      runs.push(gate.run(live(), async () => { now += 1; peak = Math.max(peak, now); now -= 1; return 'done'; }));
      j.finish();
    }
    await Promise.all(runs);
    assert.ok(peak <= 2, `peak ${peak} programs at once, limit 2`);
  });


  it('background programs (announcements, probes) leave slots for foreground ones: a takeover never queues behind 100 groups\' gratuitous ARP', async () => {
    const gate = new SpawnGate(3, 0, 1); // one slot reserved for the foreground
    const background = Array.from({ length: 6 }, () => job());
    const bgRuns = background.map((j) => gate.run(live(), j.fn, 'background'));
    await waitFor(() => background.filter((j) => j.state.started).length === 2, { what: 'two background jobs running', timeoutMs: 2_000 });
    // An acquire's `ip addr add` arrives behind four queued announcements: it runs at once.
    const acquire = job();
    const acquireRun = gate.run(live(), acquire.fn);
    await waitFor(() => acquire.state.started, { what: 'the foreground job to start in the reserved slot', timeoutMs: 2_000 });
    assert.equal(background.filter((j) => j.state.started).length, 2, 'no background job took the reserved slot');
    // A second foreground job waits, but ahead of the queued background ones.
    const release = job();
    const releaseRun = gate.run(live(), release.fn);
    background[0]?.finish();
    await waitFor(() => release.state.started, { what: 'the queued foreground job to go first', timeoutMs: 2_000 });
    assert.equal(background.filter((j) => j.state.started).length, 2, 'the freed slot went to the foreground waiter');
    for (const j of [acquire, release, ...background]) j.finish();
    await Promise.all([acquireRun, releaseRun, ...bgRuns]);
    assert.ok(background.every((j) => j.state.started), 'every background job ran in the end');
  });
});

describe('SpawnGate turns', () => {
  it('a foreground spawn takes the next turn ahead of background spawns that queued before it', async () => {
    const gate = new SpawnGate(16, 20, 4);
    const order: string[] = [];
    const background = Array.from({ length: 5 }, (_, i) => gate.run(live(), async () => { order.push(`garp${i}`); }, 'background'));
    // Queued after all five announcements: before issue 10 it waited for their five turns.
    const takeover = gate.run(live(), async () => { order.push('takeover'); }, 'foreground');
    await Promise.all([...background, takeover]);
    assert.ok(order.indexOf('takeover') <= 1, `the takeover ran as ${order.indexOf('takeover') + 1} of ${order.length}: ${order.join(', ')}`);
  });
});
