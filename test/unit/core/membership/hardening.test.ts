/**
 * Issue 8 findings 6 and 7 in the pure core, on hand-made messages and virtual time: members
 * outside the allow-list are ignored, tables and messages are capped, a Join costs bounded work,
 * `left` counts only from the leaver, forged incarnations are bounded and always refutable.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_INCARNATION_JUMP, MAX_MEMBERS, MAX_RECORDS_PER_MESSAGE } from '../../../../src/core/membership/limits.js';
import type { MemberRecord, Message } from '../../../../src/core/membership/messages.js';
import { step } from '../../../../src/core/membership/step.js';
import type { MembershipAction, MembershipState } from '../../../../src/core/membership/types.js';
import { addr, changes, env, gossipFrom, ofType, recv, sent, started } from './helpers.js';

const UINT32_MAX = 0xffff_ffff;
const ALLOWED = new Set(['self', 'a', 'b', 'c', 'd', 'e']);

/** Counted drops by reason, as the runtime's metrics would sum them. */
function dropped(actions: readonly MembershipAction[], name = 'vipd_membership_items_dropped_total'): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of ofType(actions, 'Metric')) if (m.name === name) out[m.labels.reason as string] = (out[m.labels.reason as string] ?? 0) + m.inc;
  return out;
}

/** `n` made-up member records, and a count of how many of them the core looked at. */
function madeUp(n: number): { records: MemberRecord[]; reads: () => number } {
  const list: MemberRecord[] = Array.from({ length: n }, (_, i) => ({ id: `fake${i}`, address: `fake${i}.test:7946`, incarnation: 0, state: 'alive' }));
  const seen = new Set<number>();
  const records = new Proxy(list, {
    get(target, key, receiver) {
      if (typeof key === 'string' && /^\d+$/.test(key)) seen.add(Number(key));
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
  return { records, reads: () => seen.size };
}

const join = (from: string, members: readonly MemberRecord[]): Message => ({ type: 'Join', ...env(from), members });

describe('membership hardening: the allow-list (issue 8 must-exist 5)', () => {
  it('gossip and records about a node outside the allow-list are ignored and counted', () => {
    const s = started(['a', 'b'], { allowed: ALLOWED });
    const r = step(s, gossipFrom('a', [
      { type: 'Alive', id: 'mallory', address: addr('mallory'), incarnation: 0 },
      { type: 'Alive', id: 'c', address: addr('c'), incarnation: 0 },
    ]), 1);
    assert.equal(r.state.members.has('mallory'), false);
    assert.equal(r.state.members.get('c')?.state, 'alive');
    assert.deepEqual(dropped(r.actions), { 'not-allowed': 1 });
    const pp = step(r.state, recv({ type: 'PushPull', ...env('b'), reply: true, members: [{ id: 'mallory', address: addr('mallory'), incarnation: 0, state: 'alive' }] }), 2);
    assert.equal(pp.state.members.has('mallory'), false);
    assert.deepEqual(dropped(pp.actions), { 'not-allowed': 1 });
  });

  it('an accusation in the name of a node outside the allow-list is not a confirmation', () => {
    let s = started(['a', 'b', 'c'], { allowed: ALLOWED });
    s = step(s, gossipFrom('b', [{ type: 'Suspect', id: 'a', incarnation: 0, from: 'b' }]), 1).state;
    const r = step(s, gossipFrom('b', [{ type: 'Suspect', id: 'a', incarnation: 0, from: 'ghost1' }, { type: 'Dead', id: 'c', incarnation: 0, from: 'ghost2' }]), 2);
    assert.deepEqual(r.state.suspicions.get('a')?.accusers, ['b']);
    assert.equal(r.state.members.get('c')?.state, 'alive');
    assert.deepEqual(dropped(r.actions), { 'not-allowed': 2 });
  });

  it('a message from outside the allow-list is dropped whole, and a ping-req never dials an outsider', () => {
    const s = started(['a'], { allowed: ALLOWED });
    const r = step(s, recv({ type: 'Ping', ...env('mallory'), seq: 1, target: 'self', gossip: [] }), 1);
    assert.equal(ofType(r.actions, 'Send').length, 0);
    assert.deepEqual(dropped(r.actions, 'vipd_membership_messages_dropped_total'), { 'sender-not-allowed': 1 });
    const req = step(s, recv({ type: 'PingReq', ...env('a'), seq: 1, target: 'mallory', targetAddress: '203.0.113.9:7946', nack: true, gossip: [] }), 1);
    assert.equal(sent(req.actions, 'Ping').length, 0);
    assert.deepEqual(dropped(req.actions, 'vipd_membership_messages_dropped_total'), { 'target-not-allowed': 1 });
  });

  it('a message whose `from` is not the sender the transport authenticated is dropped', () => {
    const s = started(['a', 'b']);
    const r = step(s, recv({ type: 'Gossip', ...env('a'), gossip: [{ type: 'Left', id: 'a', incarnation: 1 }] }, 'b'), 1);
    assert.equal(r.state.members.get('a')?.state, 'alive');
    assert.deepEqual(dropped(r.actions, 'vipd_membership_messages_dropped_total'), { 'sender-mismatch': 1 });
  });
});

describe('membership hardening: one Join with 20,000 made-up members (issue 8 finding 7)', () => {
  it('outside the allow-list: nobody joins, at most the record cap is looked at, the work is bounded', () => {
    const s = started(['a'], { allowed: ALLOWED });
    const flood = madeUp(20_000);
    const r = step(s, recv(join('a', flood.records)), 1);
    assert.equal(r.state.members.size, 1);
    assert.ok(flood.reads() <= MAX_RECORDS_PER_MESSAGE, `${flood.reads()} records read`);
    // One reply, and a counted, summarised drop: no per-record action.
    assert.ok(r.actions.length <= 8, `${r.actions.length} actions`);
    assert.deepEqual(dropped(r.actions), { 'not-allowed': MAX_RECORDS_PER_MESSAGE, 'too-many': 20_000 - MAX_RECORDS_PER_MESSAGE });
  });

  it('with no allow-list (insecure demo): the table stops at MAX_MEMBERS, and the rest is counted', () => {
    const s = started(['a']);
    const flood = madeUp(20_000);
    const r = step(s, recv(join('a', flood.records)), 1);
    assert.equal(r.state.members.size, MAX_MEMBERS);
    assert.ok(flood.reads() <= MAX_RECORDS_PER_MESSAGE, `${flood.reads()} records read`);
    assert.equal(changes(r.actions).length, MAX_MEMBERS - 1);
    // Per member: one change, one log line, one counter; plus the reply and the summaries.
    assert.ok(r.actions.length <= 3 * MAX_MEMBERS + 8, `${r.actions.length} actions`);
    assert.equal(r.state.probeOrder.length, MAX_MEMBERS);
    assert.equal(new Set(r.state.probeOrder).size, MAX_MEMBERS, 'the probe order holds each member once');
    const d = dropped(r.actions);
    assert.equal(d['table-full'], MAX_RECORDS_PER_MESSAGE - (MAX_MEMBERS - 1));
    assert.equal(d['too-many'], 20_000 - MAX_RECORDS_PER_MESSAGE);
    // The reply carries the whole (capped) table: never more records than a receiver reads.
    const reply = sent(r.actions, 'PushPull')[0];
    assert.ok(reply && reply.message.members.length <= MAX_RECORDS_PER_MESSAGE);
  });

  it('gossip items beyond the per-message cap are not looked at', () => {
    const s = started(['a']);
    const items = Array.from({ length: 500_000 }, () => ({}));
    let reads = 0;
    const gossip = new Proxy(items, {
      get(target, key, receiver) {
        if (typeof key === 'string' && /^\d+$/.test(key)) reads++;
        return Reflect.get(target, key, receiver) as unknown;
      },
    });
    const r = step(s, recv({ type: 'Gossip', ...env('a'), gossip: gossip as never }), 1);
    assert.ok(reads <= 256, `${reads} items read`);
    assert.deepEqual(dropped(r.actions), { malformed: 256, 'too-many': 500_000 - 256 });
  });
});

describe('membership hardening: left only from the member itself (issue 8 finding 6)', () => {
  it('`left` about a member sent by another member is ignored and counted, also as dead-from-itself', () => {
    const s = started(['a', 'b']);
    const r = step(s, gossipFrom('b', [{ type: 'Left', id: 'a', incarnation: 1 }, { type: 'Dead', id: 'a', incarnation: 1, from: 'a' }]), 1);
    assert.equal(r.state.members.get('a')?.state, 'alive');
    assert.deepEqual(dropped(r.actions), { 'left-not-from-member': 2 });
    const own = step(s, gossipFrom('a', [{ type: 'Left', id: 'a', incarnation: 1 }]), 1);
    assert.equal(own.state.members.get('a')?.state, 'left');
  });

  it('a push-pull record that says another member left only makes us suspect it', () => {
    const r = step(started(['a', 'b']), recv({ type: 'PushPull', ...env('b'), reply: true, members: [{ id: 'a', address: addr('a'), incarnation: 0, state: 'left' }] }), 1);
    assert.equal(r.state.members.get('a')?.state, 'suspect');
    const own = step(started(['a', 'b']), recv({ type: 'PushPull', ...env('a'), reply: true, members: [{ id: 'a', address: addr('a'), incarnation: 1, state: 'left' }] }), 1);
    assert.equal(own.state.members.get('a')?.state, 'left');
  });
});

describe('membership hardening: incarnations (issue 8 finding 6)', () => {
  it("a member's own word may not jump half the ring (fast-check counterexample: Dead{c, 2^31} from c, then a push-pull)", () => {
    const s = started(['c']);
    const r = step(s, gossipFrom('c', [{ type: 'Dead', id: 'c', incarnation: 2 ** 31, from: 'self' }]), 1);
    assert.equal(r.state.members.get('c')?.incarnation, 0, 'a jump of 2^31 is ambiguous in RFC 1982 order and ignored');
    const near = step(s, gossipFrom('c', [{ type: 'Alive', id: 'c', address: addr('c'), incarnation: 1000 }]), 1);
    assert.equal(near.state.members.get('c')?.incarnation, 1000, 'a large honest jump by the member itself is believed');
  });

  it('forged dead or suspect at 2^32 − 1 about another member is ignored', () => {
    const s = started(['a', 'b']);
    const r = step(s, gossipFrom('b', [
      { type: 'Dead', id: 'a', incarnation: UINT32_MAX, from: 'b' },
      { type: 'Suspect', id: 'a', incarnation: UINT32_MAX, from: 'b' },
    ]), 1);
    assert.equal(r.state.members.get('a')?.state, 'alive');
    assert.equal(r.state.members.get('a')?.incarnation, 0);
  });

  it('another member may claim at most MAX_INCARNATION_JUMP past what we know; the member itself may claim more', () => {
    const s = started(['a', 'b']);
    const far = step(s, gossipFrom('b', [{ type: 'Dead', id: 'a', incarnation: MAX_INCARNATION_JUMP + 1, from: 'b' }]), 1);
    assert.equal(far.state.members.get('a')?.state, 'alive');
    assert.deepEqual(dropped(far.actions), { 'incarnation-jump': 1 });
    const near = step(s, gossipFrom('b', [{ type: 'Dead', id: 'a', incarnation: MAX_INCARNATION_JUMP, from: 'b' }]), 1);
    assert.equal(near.state.members.get('a')?.state, 'dead');
    // The member's own word is not bounded: it refutes past the claim and is alive again.
    const back = step(near.state, gossipFrom('a', [{ type: 'Alive', id: 'a', address: addr('a'), incarnation: MAX_INCARNATION_JUMP + 1000 }]), 2);
    assert.equal(back.state.members.get('a')?.state, 'alive');
  });

  it('we refute an accusation at 2^32 − 1 of ourselves, and the others take the refutation (RFC 1982 wrap)', () => {
    // We are at 2^32 − 2 (a long life, or a forger walked us up): the claim is one ahead.
    const me = started(['a', 'b']);
    const high = { ...me, incarnation: UINT32_MAX - 1 } as MembershipState;
    const r = step(high, gossipFrom('b', [{ type: 'Dead', id: 'self', incarnation: UINT32_MAX, from: 'b' }]), 1);
    assert.equal(r.state.incarnation, 0, 'one past 2^32 − 1 wraps to 0');
    // An observer that had a at 2^32 − 1 (dead) takes a's refutation at 0.
    const observer = started(['a', 'b']);
    const dead = { id: 'a', address: addr('a'), incarnation: UINT32_MAX, state: 'dead' as const, since: 0 };
    const believed = step({ ...observer, members: new Map([...observer.members, ['a', dead]]), liveOthers: 1 } as MembershipState,
      gossipFrom('a', [{ type: 'Alive', id: 'a', address: addr('a'), incarnation: 0 }]), 2);
    assert.equal(believed.state.members.get('a')?.state, 'alive');
  });

  it('a claim about us more than a quarter of the ring ahead is forged: counted, answered with our alive, not adopted', () => {
    // Adopting it would put our refutation 2^31 from what the others know: no longer ordered.
    const r = step(started(['a', 'b']), gossipFrom('b', [{ type: 'Dead', id: 'self', incarnation: 0x7fff_ffff, from: 'b' }]), 1);
    assert.equal(r.state.incarnation, 0);
    assert.deepEqual(dropped(r.actions), { 'incarnation-jump': 1 });
    assert.deepEqual(sent(r.actions, 'Gossip').map((g) => [g.to, g.message.gossip[0]?.type]), [['b', 'Alive']]);
    const within = step(started(['a', 'b']), gossipFrom('b', [{ type: 'Dead', id: 'self', incarnation: 0x3fff_ffff, from: 'b' }]), 1);
    assert.equal(within.state.incarnation, 0x4000_0000, 'an earlier life may be far ahead: refuted past it');
  });

  it('a forged claim within the bound is refuted and the refutation spreads', () => {
    // Observer x knows a at 0; b forges dead at the bound; a hears it and refutes.
    const x = started(['a', 'b']);
    const forged = { type: 'Dead' as const, id: 'a', incarnation: MAX_INCARNATION_JUMP, from: 'b' };
    const xs = step(x, gossipFrom('b', [forged]), 1).state;
    assert.equal(xs.members.get('a')?.state, 'dead');
    const a = started(['x', 'b'], { self: { id: 'a', address: addr('a') } });
    const ar = step(a, { type: 'Received', message: { type: 'Gossip', ...env('x'), gossip: [forged] }, sender: 'x' }, 2);
    assert.equal(ar.state.incarnation, MAX_INCARNATION_JUMP + 1);
    const refutation = { type: 'Alive' as const, id: 'a', address: addr('a'), incarnation: ar.state.incarnation };
    // Relayed by b (one ahead of what x knows now) or straight from a: either way x takes it.
    assert.equal(step(xs, gossipFrom('b', [refutation]), 3).state.members.get('a')?.state, 'alive');
    assert.equal(step(xs, gossipFrom('a', [refutation]), 3).state.members.get('a')?.state, 'alive');
  });
});

describe('membership hardening: a member\'s address changes only on its own word (issue 8 finding 5/6, simulator seed 656)', () => {
  it('a third party cannot move a live member to another address; the member itself, on its authenticated stream, can take it back', () => {
    // x (allow-listed, not the member) gossips that a lives at x's address with a higher incarnation.
    let s = started(['a', 'x'], { allowed: new Set(['self', 'a', 'x']) });
    s = step(s, gossipFrom('x', [{ type: 'Alive', id: 'a', address: addr('x'), incarnation: 3 }]), 1).state;
    assert.equal(s.members.get('a')?.address, addr('a'), 'a live member keeps its address against a third party');
  });

  it('a member first heard of through a third party at a wrong address is corrected by the member itself', () => {
    let s = started(['x'], { allowed: new Set(['self', 'a', 'x']) });
    // x introduces a at x's own address (a hijack before a is known) ...
    s = step(s, gossipFrom('x', [{ type: 'Alive', id: 'a', address: addr('x'), incarnation: 5 }]), 1).state;
    assert.equal(s.members.get('a')?.address, addr('x'));
    // ... then a speaks for itself on its own stream, at an older incarnation than x claimed.
    const r = step(s, gossipFrom('a', [{ type: 'Alive', id: 'a', address: addr('a'), incarnation: 0 }]), 2);
    assert.equal(r.state.members.get('a')?.address, addr('a'), "the member's own word sets its address");
    assert.equal(r.state.members.get('a')?.incarnation, 5, 'the incarnation never goes back');
  });
});
