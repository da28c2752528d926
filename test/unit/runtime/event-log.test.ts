/** EventLog (src/runtime/event-log.ts): numbering, the bounded ring, since/limit, subscribers, log lines. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { EventLog } from '../../../src/runtime/event-log.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { recordingLogger, type Logged } from './fakes.js';

function log(size?: number) {
  const lines: Logged[] = [];
  const metrics = new MetricsRegistry();
  let wall = 1_000;
  const events = new EventLog({ clock: new VirtualClock(), logger: recordingLogger(lines), metrics, wallClock: () => (wall += 10), ...(size ? { size } : {}) });
  return { events, lines, metrics };
}

describe('EventLog', () => {
  it('numbers events from 1, keeps the newest `size`, and answers since/limit oldest first', () => {
    const { events } = log(3);
    for (let i = 0; i < 5; i++) events.record({ type: 'maintenance', group: `g${i}`, on: true });
    assert.equal(events.last, 5);
    assert.deepEqual(events.since(0).events.map((e) => e.seq), [3, 4, 5], 'the two oldest fell out');
    assert.deepEqual(events.since(3).events.map((e) => e.seq), [4, 5]);
    assert.deepEqual(events.since(0, 1), { events: [events.since(0).events[0]], next: 3 });
    assert.deepEqual(events.since(5), { events: [], next: 5 }, 'nothing newer: next stays');
    assert.ok(events.since(0).events.every((e, i, all) => i === 0 || e.at > (all[i - 1]?.at ?? 0)), 'wall-clock times in order');
  });

  it('writes one line per event in words, except role and member changes (their own lines say them, with reasons)', () => {
    const { events, lines, metrics } = log();
    events.record({ type: 'role', group: 'web', from: 'Backup', to: 'Master', reason: 'x', term: 2, priority: 150 });
    events.record({ type: 'member', id: 'b', from: 'alive', to: 'suspect' });
    events.record({ type: 'master', group: 'web', from: 'c', to: null, term: 3 });
    events.record({ type: 'provider', group: 'web', op: 'acquire', outcome: 'error', term: 3, ms: 12, error: 'throttled' });
    assert.deepEqual(lines.map((l) => l.msg), ['web: master c -> none at term 3', 'web: provider acquire at term 3: error in 12 ms (throttled)']);
    assert.equal(lines[0]?.fields.audit, 'master');
    assert.equal(metrics.get('vipd_events_total', { type: 'role' }), 1, 'counted even when not logged');
    assert.equal(metrics.get('vipd_events_total', { type: 'provider' }), 1);
  });

  it('a subscriber that throws is dropped; the others and the ring go on', () => {
    const { events, lines } = log();
    const seen: number[] = [];
    events.subscribe(() => {
      throw new Error('socket gone');
    });
    const off = events.subscribe((e) => seen.push(e.seq));
    events.record({ type: 'reload', outcome: 'unchanged', summary: 'no change' });
    events.record({ type: 'reload', outcome: 'unchanged', summary: 'no change' });
    assert.deepEqual(seen, [1, 2]);
    assert.equal(lines.filter((l) => /subscriber failed/.test(l.msg)).length, 1, 'dropped after the first failure');
    off();
    events.record({ type: 'reload', outcome: 'unchanged', summary: 'no change' });
    assert.deepEqual(seen, [1, 2], 'unsubscribed');
  });
});
