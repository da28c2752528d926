/**
 * Issue 8 finding 4 (term poisoning) and "What must exist" 4: no advert, whatever its fields,
 * makes a correct node reject correct nodes' adverts afterwards. Two correct election cores
 * exchange adverts over a tiny lossless virtual network; one arbitrary advert is injected into
 * either or both; afterwards they must still elect exactly one master, and neither may drop
 * the other's adverts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_TERM } from '../../../../src/core/election/terms.js';
import { initialState, nextDeadline, step } from '../../../../src/core/election/step.js';
import type { Advert, ElectionAction, ElectionEvent, ElectionParams, ElectionState } from '../../../../src/core/election/types.js';

const params = (id: string, address: string, priority: number): ElectionParams => ({
  group: 'vip', vrid: 51, self: { nodeId: id, address }, basePriority: priority,
  advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0,
});

interface Node { state: ElectionState; dropped: string[] }

/** Runs two cores until `until` (virtual ms); adverts arrive 1 ms after they are sent. */
class Pair {
  readonly nodes: Record<'a' | 'b', Node>;
  private now = 0;
  private inbox: Array<{ at: number; to: 'a' | 'b'; advert: Advert }> = [];

  constructor(pa: number, pb: number) {
    this.nodes = {
      a: { state: initialState(params('a', '192.0.2.1', pa)), dropped: [] },
      b: { state: initialState(params('b', '192.0.2.2', pb)), dropped: [] },
    };
    this.apply('a', { type: 'Startup' });
    this.apply('b', { type: 'Startup' });
  }

  inject(to: 'a' | 'b', advert: Advert): void {
    this.apply(to, { type: 'AdvertReceived', advert });
  }

  apply(id: 'a' | 'b', event: ElectionEvent, correct = false): void {
    const n = this.nodes[id];
    const r = step(n.state, event, this.now);
    n.state = r.state;
    for (const a of r.actions) this.act(id, a, correct);
  }

  private act(id: 'a' | 'b', a: ElectionAction, correct: boolean): void {
    if (a.type === 'SendAdvert') {
      const self = this.nodes[id].state.params.self;
      const to = id === 'a' ? 'b' : 'a';
      this.inbox.push({ at: this.now + 1, to, advert: { vrid: 51, sender: self, priority: a.priority, advertIntervalCs: a.advertIntervalCs, term: a.term } });
    }
    if (correct && a.type === 'Metric' && a.name === 'vipd_adverts_dropped_total') this.nodes[id].dropped.push(a.labels.reason ?? '?');
  }

  run(until: number): void {
    for (let guard = 0; guard < 100_000; guard++) {
      const timers = (['a', 'b'] as const).map((id) => ({ id, at: nextDeadline(this.nodes[id].state) ?? Infinity }));
      const t = timers.reduce((x, y) => (y.at < x.at ? y : x));
      const m = this.inbox.reduce<(typeof this.inbox)[number] | undefined>((x, y) => (!x || y.at < x.at ? y : x), undefined);
      const next = Math.min(t.at, m?.at ?? Infinity);
      if (next > until) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, next);
      if (m && m.at <= t.at) {
        this.inbox.splice(this.inbox.indexOf(m), 1);
        this.apply(m.to, { type: 'AdvertReceived', advert: m.advert }, true);
      } else {
        this.apply(t.id, { type: 'TimerFired' });
      }
    }
    throw new Error('event loop guard');
  }

  masters(): string[] {
    return (['a', 'b'] as const).filter((id) => this.nodes[id].state.role === 'Master');
  }
}

const anyNumber = fc.oneof(
  fc.constantFrom(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER - 1, 2 ** 53, 2 ** 64, 2 ** 32 - 1, 2 ** 31, -1, -0, 0, 1, 255, 256, 4095, 4096,
    Number.NaN, Infinity, -Infinity, 0.5, MAX_TERM, MAX_TERM - 1, MAX_TERM + 1),
  fc.integer(),
  fc.double(),
  fc.maxSafeNat(),
);
const anyAdvert: fc.Arbitrary<Advert> = fc.record({
  vrid: fc.oneof(fc.constant(51), anyNumber),
  sender: fc.record({
    nodeId: fc.oneof(fc.constantFrom('a', 'b', 'evil', '', 'zzzz'), fc.string()),
    address: fc.oneof(fc.constantFrom('192.0.2.1', '192.0.2.2', '192.0.2.255', '255.255.255.255', '::', 'ffff::ffff', '', 'x'), fc.string()),
  }),
  priority: fc.oneof(fc.constantFrom(0, 1, 100, 200, 254, 255), anyNumber),
  advertIntervalCs: fc.oneof(fc.constantFrom(1, 10, 4095), anyNumber),
  term: anyNumber,
});

describe('adversarial adverts (issue 8 finding 4)', () => {
  it('term 2^53-1 from any sender does not poison: the pair still elects exactly one master', () => {
    const p = new Pair(150, 100);
    p.run(2000);
    assert.deepEqual(p.masters(), ['a']);
    p.inject('b', { vrid: 51, sender: { nodeId: 'evil', address: '192.0.2.9' }, priority: 255, advertIntervalCs: 10, term: Number.MAX_SAFE_INTEGER });
    p.inject('a', { vrid: 51, sender: { nodeId: 'evil', address: '192.0.2.9' }, priority: 255, advertIntervalCs: 10, term: Number.MAX_SAFE_INTEGER });
    p.run(10_000);
    assert.deepEqual(p.masters(), ['a']);
    assert.deepEqual([...p.nodes.a.dropped, ...p.nodes.b.dropped], []);
    assert.ok(p.nodes.a.state.term <= MAX_TERM && p.nodes.b.state.term <= MAX_TERM);
  });

  it('a term just below MAX_TERM saturates instead of overflowing', () => {
    const p = new Pair(150, 100);
    p.run(2000);
    p.inject('a', { vrid: 51, sender: { nodeId: 'evil' }, priority: 255, advertIntervalCs: 10, term: MAX_TERM });
    p.run(5000);
    // The master a stepped down to follow "evil", then took over again at MAX_TERM (saturated).
    assert.deepEqual(p.masters(), ['a']);
    assert.equal(p.nodes.a.state.term, MAX_TERM);
    assert.deepEqual([...p.nodes.a.dropped, ...p.nodes.b.dropped], []);
  });

  it('an advert beyond MAX_TERM is dropped with reason term-beyond-max', () => {
    const s = step(initialState(params('a', '192.0.2.1', 100)), { type: 'Startup' }, 0).state;
    const r = step(s, { type: 'AdvertReceived', advert: { vrid: 51, sender: { nodeId: 'b' }, priority: 200, advertIntervalCs: 10, term: MAX_TERM + 1 } }, 10);
    assert.equal(r.state.term, 0);
    const m = r.actions.find((a) => a.type === 'Metric');
    assert.deepEqual(m && m.type === 'Metric' ? m.labels : undefined, { group: 'vip', reason: 'term-beyond-max' });
  });

  it('property: after any one advert (to either node or both), exactly one master and no correct advert dropped', () => {
    fc.assert(fc.property(anyAdvert, fc.constantFrom<'a' | 'b' | 'both'>('a', 'b', 'both'), fc.integer({ min: 0, max: 3000 }), (adv, to, at) => {
      const p = new Pair(150, 100);
      p.run(at);
      if (to !== 'b') p.inject('a', adv);
      if (to !== 'a') p.inject('b', adv);
      // Long enough for a learned Master_Adver_Interval of 40.95 s to run out (RFC 5798 §6.4.2).
      p.run(at + 4 * 40_950 + 5000);
      assert.equal(p.masters().length, 1, `masters: ${p.masters().join(',')}`);
      assert.deepEqual([...p.nodes.a.dropped, ...p.nodes.b.dropped], []);
      assert.ok(Number.isSafeInteger(p.nodes.a.state.term) && p.nodes.a.state.term <= MAX_TERM);
      assert.ok(Number.isSafeInteger(p.nodes.b.state.term) && p.nodes.b.state.term <= MAX_TERM);
    }), { numRuns: 300 });
  });
});
