/**
 * Properties of the reducer over random event sequences (fast-check): step never throws, our
 * incarnation and every known member's incarnation never decrease, the health score stays in
 * range, a Tick leaves no deadline in the past (no busy loop for the runtime), and everything
 * sent is flat JSON data the transport can encode.
 */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import fc from 'fast-check';
import type { GossipItem, Message } from '../../../../src/core/membership/messages.js';
import { nextDeadline, step } from '../../../../src/core/membership/step.js';
import type { MembershipEvent, MembershipState } from '../../../../src/core/membership/types.js';
import { addr, started } from './helpers.js';

const ids = ['self', 'a', 'b', 'c', 'd', 'x'];
const id = fc.constantFrom(...ids);
const inc = fc.nat(6);
const seq = fc.nat(40);
const state = fc.constantFrom('alive', 'suspect', 'dead', 'left');

const gossipItem: fc.Arbitrary<GossipItem> = fc.oneof(
  fc.record({ type: fc.constant('Alive' as const), id, address: fc.oneof(id.map(addr), fc.constant('moved:1')), incarnation: inc }),
  fc.record({ type: fc.constant('Suspect' as const), id, incarnation: inc, from: id }),
  fc.record({ type: fc.constant('Dead' as const), id, incarnation: inc, from: id }),
  fc.record({ type: fc.constant('Left' as const), id, incarnation: inc }),
);
const gossip = fc.array(gossipItem, { maxLength: 4 });
const record = fc.record({ id, address: id.map(addr), incarnation: inc, state });
const from = id.map((x) => ({ from: x, fromAddress: addr(x) }));

const message: fc.Arbitrary<Message> = fc.oneof(
  fc.tuple(from, seq, id, gossip).map(([f, s, t, g]) => ({ type: 'Ping' as const, ...f, seq: s, target: t, gossip: g })),
  fc.tuple(from, seq, id, fc.boolean(), gossip).map(([f, s, t, n, g]) => ({ type: 'PingReq' as const, ...f, seq: s, target: t, targetAddress: addr(t), nack: n, gossip: g })),
  fc.tuple(from, seq, gossip).map(([f, s, g]) => ({ type: 'Ack' as const, ...f, seq: s, gossip: g })),
  fc.tuple(from, seq, gossip).map(([f, s, g]) => ({ type: 'Nack' as const, ...f, seq: s, gossip: g })),
  fc.tuple(from, gossip).map(([f, g]) => ({ type: 'Gossip' as const, ...f, gossip: g })),
  fc.tuple(from, fc.array(record, { maxLength: 5 })).map(([f, m]) => ({ type: 'Join' as const, ...f, members: m })),
  fc.tuple(from, fc.boolean(), fc.array(record, { maxLength: 5 })).map(([f, r, m]) => ({ type: 'PushPull' as const, ...f, reply: r, members: m })),
);

const event: fc.Arbitrary<MembershipEvent> = fc.oneof(
  { weight: 6, arbitrary: message.map((m) => ({ type: 'Received' as const, message: m, sender: m.from })) },
  { weight: 1, arbitrary: fc.tuple(fc.anything(), id).map(([m, from]) => ({ type: 'Received' as const, message: m as Message, sender: from })) },
  { weight: 4, arbitrary: fc.constant({ type: 'Tick' as const }) },
  { weight: 1, arbitrary: id.map((x) => ({ type: 'ProbeNow' as const, id: x })) },
  { weight: 1, arbitrary: id.map((x) => ({ type: 'SendFailed' as const, to: { id: x, address: addr(x) } })) },
  { weight: 1, arbitrary: fc.option(id, { nil: undefined }).map((x) => ({ type: 'SendFailed' as const, to: { address: x ? addr(x) : 'nowhere:1' } })) },
  { weight: 1, arbitrary: fc.tuple(id, fc.boolean()).map(([x, withId]) => ({ type: 'MemberGone' as const, address: addr(x), ...(withId ? { id: x } : {}), reason: 'refused' as const })) },
  { weight: 1, arbitrary: id.map((x) => ({ type: 'BfdDown' as const, id: x })) },
  { weight: 1, arbitrary: fc.constant({ type: 'Leave' as const }) },
  { weight: 1, arbitrary: fc.constant({ type: 'Start' as const }) },
);

/** Each event with a time step; a Tick goes to the state's own deadline half of the time. */
const run = fc.array(fc.tuple(event, fc.nat(400), fc.boolean()), { minLength: 1, maxLength: 120 });

function check(s0: MembershipState, steps: [MembershipEvent, number, boolean][]): void {
  let s = s0;
  let now = 0;
  for (const [ev, dt, toDeadline] of steps) {
    const d = nextDeadline(s);
    now = ev.type === 'Tick' && toDeadline && d !== undefined ? Math.max(now, d) : now + dt;
    const r = step(s, ev, now);
    const next = r.state;
    assert.ok(next.incarnation >= s.incarnation, 'own incarnation decreased');
    for (const [mid, m] of next.members) {
      const before = s.members.get(mid);
      if (before) assert.ok(m.incarnation >= before.incarnation, `incarnation of ${mid} decreased`);
    }
    assert.ok(next.awareness >= 0 && next.awareness <= next.params.awarenessMax - 1, `awareness ${next.awareness}`);
    assert.equal(next.liveOthers, [...next.members.values()].filter((m) => m.state === 'alive' || m.state === 'suspect').length);
    assert.ok(!next.members.has(next.params.self.id), 'we are never our own member');
    if (ev.type === 'Tick') {
      const after = nextDeadline(next);
      assert.ok(after === undefined || after > now, `deadline ${after} not after the tick at ${now}`);
    }
    for (const a of r.actions) {
      if (a.type === 'Send') assert.deepEqual(JSON.parse(JSON.stringify(a.message)), a.message);
    }
    s = next;
  }
}

it('step never throws, incarnations never decrease, and a Tick leaves no deadline behind', () => {
  fc.assert(fc.property(run, fc.nat(1000), (steps, seed) => check(started(['a', 'b', 'c', 'd'], {}, seed), steps)), { numRuns: 400 });
});

it('the same holds from a node that starts alone with seeds', () => {
  fc.assert(fc.property(run, (steps) => check(started([], { seeds: ['a.test:7946', 'b.test:7946'] }), steps)), { numRuns: 200 });
});

// Issue 8 findings 6 and 7: the same runs with any uint32 incarnation (2^32 − 1 included) and
// ids outside an allow-list. Incarnations then move in RFC 1982 order (they may wrap), and no
// outsider ever gets into the table.
const wideInc = fc.oneof(fc.nat(6), fc.constant(0xffff_ffff), fc.constant(0xffff_fffe), fc.nat({ max: 0xffff_ffff }));
const wideIds = fc.constantFrom(...ids, 'outsider');
const wideItem: fc.Arbitrary<GossipItem> = fc.oneof(
  fc.record({ type: fc.constant('Alive' as const), id: wideIds, address: wideIds.map(addr), incarnation: wideInc }),
  fc.record({ type: fc.constant('Suspect' as const), id: wideIds, incarnation: wideInc, from: wideIds }),
  fc.record({ type: fc.constant('Dead' as const), id: wideIds, incarnation: wideInc, from: wideIds }),
  fc.record({ type: fc.constant('Left' as const), id: wideIds, incarnation: wideInc }),
);
const wideFrom = wideIds.map((x) => ({ from: x, fromAddress: addr(x) }));
const wideMessage: fc.Arbitrary<Message> = fc.oneof(
  fc.tuple(wideFrom, seq, fc.array(wideItem, { maxLength: 4 })).map(([f, s, g]) => ({ type: 'Ping' as const, ...f, seq: s, target: 'self', gossip: g })),
  fc.tuple(wideFrom, fc.array(wideItem, { maxLength: 4 })).map(([f, g]) => ({ type: 'Gossip' as const, ...f, gossip: g })),
  fc.tuple(wideFrom, fc.boolean(), fc.array(fc.record({ id: wideIds, address: wideIds.map(addr), incarnation: wideInc, state }), { maxLength: 5 }))
    .map(([f, r, m]) => ({ type: 'PushPull' as const, ...f, reply: r, members: m })),
);
const wideRun = fc.array(fc.tuple(fc.oneof(
  { weight: 6, arbitrary: fc.tuple(wideMessage, fc.boolean(), wideIds).map(([m, honest, other]) => ({ type: 'Received' as const, message: m, sender: honest ? m.from : other })) },
  { weight: 3, arbitrary: fc.constant({ type: 'Tick' as const }) },
  { weight: 1, arbitrary: fc.tuple(id, fc.boolean()).map(([x, withId]) => ({ type: 'MemberGone' as const, address: addr(x), ...(withId ? { id: x } : {}), reason: 'refused' as const })) },
  { weight: 1, arbitrary: id.map((x) => ({ type: 'BfdDown' as const, id: x })) },
  { weight: 1, arbitrary: fc.constant({ type: 'Leave' as const }) },
), fc.nat(400)), { minLength: 1, maxLength: 120 });

/** RFC 1982: b is a or newer than a. */
const notOlder = (b: number, a: number): boolean => ((b - a) >>> 0) < 0x8000_0000;

it('with any uint32 incarnation and an allow-list: no throw, no outsider, incarnations never go back (RFC 1982)', () => {
  const allowed = new Set(ids);
  fc.assert(fc.property(wideRun, fc.nat(1000), (steps, seed) => {
    let s = started(['a', 'b', 'c', 'd'], { allowed }, seed);
    let now = 0;
    for (const [ev, dt] of steps) {
      now += dt;
      const next = step(s, ev, now).state;
      assert.ok(notOlder(next.incarnation, s.incarnation), `own incarnation went from ${s.incarnation} back to ${next.incarnation}`);
      for (const [mid, m] of next.members) {
        assert.ok(allowed.has(mid), `outsider ${mid} in the table`);
        const before = s.members.get(mid);
        if (before) assert.ok(notOlder(m.incarnation, before.incarnation), `incarnation of ${mid} went back`);
      }
      s = next;
    }
  }), { numRuns: 300 });
});
