/**
 * The local inputs of issue 10 (src/core/membership/inputs.ts, docs/membership.md "Inputs"):
 * our own crash verdict (MemberGone) and our BFD session going Down (BfdDown). `self` knows
 * a..e (n = 6, so K = 3, min 800 ms, max 4800 ms at the helpers' LAN timings), the gone floor
 * is 1 probe interval (200 ms).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nextDeadline, step } from '../../../../src/core/membership/step.js';
import type { MembershipEvent, MembershipState } from '../../../../src/core/membership/types.js';
import { addr, changes, env, gossipFrom, ofType, queuedBroadcasts, recv, runTo, sent, started } from './helpers.js';

const gone = (id: string, address = addr(id)): MembershipEvent => ({ type: 'MemberGone', address, id, reason: 'refused' });
const suspectBy = (from: string, id = 'c') => gossipFrom(from, [{ type: 'Suspect', id, incarnation: 0, from }]);
/** A started node whose round robin is switched off, so only the inputs probe. */
const quiet = (o = {}): MembershipState => ({ ...started(undefined, o), nextProbeAt: undefined });
const inputMetrics = (r: ReturnType<typeof step>) =>
  ofType(r.actions, 'Metric').filter((m) => m.name === 'vipd_membership_inputs_total').map((m) => `${m.labels.input}:${m.labels.result}`);

describe('membership input: MemberGone (our own crash verdict)', () => {
  it('makes the member suspect at once, not confirmedByProbe, gossips it and asks helpers (no direct ping to a refused address)', () => {
    const r = step(quiet(), gone('c'), 10);
    assert.deepEqual(changes(r.actions).map((c) => [c.id, c.to, c.confirmedByProbe]), [['c', 'suspect', false]]);
    assert.match(changes(r.actions)[0]?.reason ?? '', /crash verdict/);
    assert.deepEqual(queuedBroadcasts(r.state.queue).map((b) => b.item), [{ type: 'Suspect', id: 'c', incarnation: 0, from: 'self' }]);
    assert.equal(sent(r.actions, 'Ping').length, 0);
    assert.equal(sent(r.actions, 'PingReq').length, 3);
    assert.equal(r.state.probes[0]?.cause, 'gone');
    assert.deepEqual(inputMetrics(r), ['gone:used']);
  });

  it('alone it waits the Lifeguard maximum: nobody confirmed, the floor does not apply', () => {
    const s = step(quiet(), gone('c'), 10).state;
    assert.equal(s.suspicions.get('c')?.deadline, 10 + 4800);
    assert.equal(s.suspicions.get('c')?.gone?.floorAt, 10 + 200);
  });

  it('with one other accuser the member is dead at the gone floor, and dead is gossiped', () => {
    let s = step(quiet(), gone('c'), 10).state;
    s = step(s, suspectBy('b'), 50).state;
    assert.equal(s.suspicions.get('c')?.deadline, 10 + 200);
    const r = runTo(s, 210, (x) => x.suspicions.get('c')?.deadline);
    assert.equal(r.state.members.get('c')?.state, 'dead');
    assert.ok(queuedBroadcasts(r.state.queue).some((b) => b.item.type === 'Dead' && b.item.id === 'c'), 'dead is gossiped');
  });

  it('confirms a suspicion another member began: we become an accuser, say so, and the floor runs from our verdict', () => {
    let s = step(quiet(), suspectBy('b'), 0).state;
    assert.equal(s.suspicions.get('c')?.deadline, 4800);
    const r = step(s, gone('c'), 300);
    s = r.state;
    assert.deepEqual(s.suspicions.get('c')?.accusers, ['b', 'self']);
    assert.equal(s.suspicions.get('c')?.deadline, 300 + 200);
    assert.ok(queuedBroadcasts(s.queue).some((b) => b.item.type === 'Suspect' && b.item.from === 'self'));
  });

  it('peers alone never take the shortcut: two accusers without our verdict wait Lifeguard\'s timeout', () => {
    let s = step(quiet(), suspectBy('b'), 0).state;
    s = step(s, suspectBy('d'), 1).state;
    assert.equal(s.suspicions.get('c')?.deadline, 2800, 'max − (max − min) · log 2 / log 4');
    assert.equal(s.suspicions.get('c')?.gone, undefined);
  });

  it('a member that refutes is alive again, whatever we saw', () => {
    let s = step(quiet(), gone('c'), 0).state;
    s = step(s, gossipFrom('c', [{ type: 'Alive', id: 'c', address: addr('c'), incarnation: 1 }]), 20).state;
    assert.equal(s.members.get('c')?.state, 'alive');
    assert.equal(s.suspicions.has('c'), false);
  });

  it('is ignored for another address than the member\'s, an unknown address, a dead member, ourselves, or while leaving', () => {
    const s = quiet();
    for (const ev of [gone('c', addr('x')), gone('zz'), { type: 'MemberGone', address: addr('zz'), reason: 'refused' } as const, gone('self', '192.0.2.10:7946')]) {
      const r = step(s, ev, 1);
      assert.deepEqual(changes(r.actions), []);
      assert.deepEqual(inputMetrics(r), ['gone:ignored']);
    }
    const left = step(s, { type: 'Leave' }, 1).state;
    assert.deepEqual(inputMetrics(step(left, gone('c'), 2)), ['gone:ignored']);
  });

  it('without an id it is matched by address', () => {
    const r = step(quiet(), { type: 'MemberGone', address: addr('d'), reason: 'refused' }, 1);
    assert.deepEqual(changes(r.actions).map((c) => [c.id, c.to]), [['d', 'suspect']]);
  });

  it('goneSuspicionMultiplier 0 turns the floor off: confirmations count as Lifeguard says', () => {
    let s = step(quiet({ goneSuspicionMultiplier: 0 }), gone('c'), 0).state;
    s = step(s, suspectBy('b'), 1).state;
    assert.equal(s.suspicions.get('c')?.deadline, 2800);
  });
});

describe('membership input: BfdDown (our BFD session)', () => {
  it('probes at once through helpers and directly, and marks nothing by itself', () => {
    const r = step(quiet(), { type: 'BfdDown', id: 'c' }, 5);
    assert.deepEqual(changes(r.actions), []);
    assert.equal(sent(r.actions, 'PingReq').length, 3);
    assert.deepEqual(sent(r.actions, 'Ping').map((p) => p.to), ['c']);
    assert.equal(r.state.probes[0]?.cause, 'bfd-down');
    assert.equal(r.state.probes[0]?.deadline, 5 + 100, 'the indirect window: probe interval − probe timeout');
    assert.deepEqual(inputMetrics(r), ['bfd-down:used']);
  });

  it('an ack ends it; silence makes the member suspect, confirmedByProbe, at the end of the window', () => {
    const s = step(quiet(), { type: 'BfdDown', id: 'c' }, 0).state;
    const seq = s.probes[0]?.seq as number;
    const acked = step(s, recv({ type: 'Ack', ...env('c'), seq, gossip: [] }), 2).state;
    assert.equal(acked.probes.length, 0);
    assert.equal(acked.members.get('c')?.state, 'alive');
    const r = runTo(s, 100, nextDeadline);
    assert.deepEqual(changes(r.actions).map((c) => [c.id, c.to, c.confirmedByProbe]), [['c', 'suspect', true]]);
  });

  it('a probe in its direct phase goes indirect at once; one already indirect carries on', () => {
    let s = step(quiet(), { type: 'ProbeNow', id: 'c' }, 0).state;
    let r = step(s, { type: 'BfdDown', id: 'c' }, 10);
    assert.equal(sent(r.actions, 'PingReq').length, 3);
    s = r.state;
    r = step(s, { type: 'BfdDown', id: 'c' }, 20);
    assert.equal(sent(r.actions, 'PingReq').length, 0);
    assert.equal(r.state.probes.length, 1);
  });

  it('is ignored for an unknown or dead member', () => {
    assert.deepEqual(inputMetrics(step(quiet(), { type: 'BfdDown', id: 'zz' }, 1)), ['bfd-down:ignored']);
    const dead = step(quiet(), gossipFrom('b', [{ type: 'Dead', id: 'c', incarnation: 0, from: 'b' }]), 1).state;
    assert.deepEqual(inputMetrics(step(dead, { type: 'BfdDown', id: 'c' }, 2)), ['bfd-down:ignored']);
  });

  it('before Start nothing is processed', () => {
    const s = { ...started(), running: false };
    assert.deepEqual(step(s, { type: 'BfdDown', id: 'c' }, 1).actions, []);
    assert.deepEqual(step(s, gone('c'), 1).actions, []);
  });
});
