/**
 * The direct handoff's pure parts (issue 10; docs/leases.md "Handoff"): the voter's handOver and
 * the floor it leaves, successor ranking, the wait the overlap bound leaves, the stale
 * resignation rule, and the master's and the successor's transitions in step.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { handoffWaitMs, rankSuccessor, staleResignation } from '../../../../src/core/election/handoff.js';
import { grant, handOver, initialVoter, promiseOf, relinquish, type VoterState } from '../../../../src/core/election/lease.js';
import { initialState, nextDeadline, STARTUP_SKEW_FACTOR, step } from '../../../../src/core/election/step.js';
import { masterDownIntervalMs, skewTimeMs } from '../../../../src/core/election/timers.js';
import type { ElectionAction, ElectionEvent, ElectionParams, ElectionState } from '../../../../src/core/election/types.js';

const G = 'web';
/** A voter that started long ago and promised `to` at `term` at time 1000 (P = 400 ms at 100 ms adverts). */
function promised(to: string, term: number): VoterState {
  const r = grant(initialVoter(-10_000), { group: G, from: to, term, advertIntervalCs: 10 }, 1000);
  assert.ok(r.granted);
  return r.state;
}

describe('voter: handOver (docs/leases.md, "Handoff")', () => {
  it('moves a live promise from its holder to the successor, same end, with that end as the floor', () => {
    const r = handOver(promised('m', 3), G, 'm', 3, 's', 1100);
    assert.ok(r.moved);
    assert.deepEqual(promiseOf(r.state, G, 1100), { to: 's', term: 3, until: 1400, floor: 1400, floorFor: 'm' });
    // The successor is granted (its term is above the old master's); a third node is not.
    assert.equal(grant(r.state, { group: G, from: 's', term: 4, advertIntervalCs: 10 }, 1110).granted, true);
    const third = grant(r.state, { group: G, from: 't', term: 9, advertIntervalCs: 10 }, 1110);
    assert.equal(third.granted === false && third.reason, 'lease-refused');
  });

  it('moves nothing on a third node\'s word, for a later promise, without a live promise, or to the sender itself', () => {
    const v = promised('m', 3);
    const reason = (r: ReturnType<typeof handOver>) => (r.moved ? 'moved' : r.reason);
    assert.equal(reason(handOver(v, G, 'x', 3, 'x2', 1100)), 'not-promised-to-sender');
    assert.equal(reason(handOver(v, G, 'm', 2, 's', 1100)), 'term-ahead');
    assert.equal(reason(handOver(v, G, 'm', 3, 's', 1500)), 'no-promise');
    assert.equal(reason(handOver(v, G, 'm', 3, 'm', 1100)), 'self');
    assert.equal(reason(handOver(v, 'other', 'm', 3, 's', 1100)), 'no-promise');
  });

  it('the floor: a relinquish by the successor ends its promise at the floor, not now; it moves on only after the floor or back to the node it covers', () => {
    const moved = handOver(promised('m', 3), G, 'm', 3, 's', 1100);
    assert.ok(moved.moved);
    const renewed = grant(moved.state, { group: G, from: 's', term: 4, advertIntervalCs: 10 }, 1200);
    assert.ok(renewed.granted);
    assert.equal(promiseOf(renewed.state, G, 1200)?.until, 1600);
    assert.equal(promiseOf(renewed.state, G, 1200)?.floor, 1400, 'a renewal keeps the floor');
    const rel = relinquish(renewed.state, G, 's', 4);
    assert.ok(rel.dropped);
    assert.equal(promiseOf(rel.state, G, 1300)?.until, 1400, 'cut to the floor: m stays covered');
    assert.equal(promiseOf(rel.state, G, 1400), undefined);
    const early = handOver(renewed.state, G, 's', 4, 't', 1300);
    assert.equal(early.moved === false && early.reason, 'inherited');
    assert.equal(handOver(renewed.state, G, 's', 4, 'm', 1300).moved, true, 'back to m: the same pair');
    assert.equal(handOver(renewed.state, G, 's', 4, 't', 1450).moved, true, 'after the floor');
  });
});

describe('successor ranking, the wait, stale resignations', () => {
  it('ranks by known priority, then RFC 5798 §6.4.3 address, unknown below known, never priority 0 or self', () => {
    const c = (nodeId: string, priority?: number, address?: string) => ({ sender: { nodeId, ...(address ? { address } : {}) }, ...(priority === undefined ? {} : { priority }) });
    assert.equal(rankSuccessor([c('a', 100), c('b', 150), c('c')], 'm')?.sender.nodeId, 'b');
    assert.equal(rankSuccessor([c('a', 100, '192.0.2.1'), c('b', 100, '192.0.2.2')], 'm')?.sender.nodeId, 'b');
    assert.equal(rankSuccessor([c('a'), c('b', 1)], 'm')?.sender.nodeId, 'b');
    assert.equal(rankSuccessor([c('a', 0), c('m', 200)], 'm'), undefined);
  });

  it('waits handoff_overlap_max less R, and refuses a bound that leaves under 5 ms', () => {
    assert.equal(handoffWaitMs(200), 150);
    assert.equal(handoffWaitMs(200, 20), 180);
    assert.equal(handoffWaitMs(54), undefined);
  });
});

const PARAMS: ElectionParams = {
  group: 'vip', vrid: 51, self: { nodeId: 'm', address: '192.0.2.10' }, basePriority: 150, advertIntervalCs: 10, version: 3,
  preempt: true, preemptDelayMs: 0, orderByTerm: true,
};
const MDI = masterDownIntervalMs(150, 10, 3);
const TIMER: ElectionEvent = { type: 'TimerFired' };
const types = (as: readonly ElectionAction[]) => as.map((a) => (a.type === 'SendAdvert' ? `SendAdvert(${a.priority})` : a.type)).filter((t) => t !== 'Log' && t !== 'Metric');
const advert = (nodeId: string, priority: number, term: number): ElectionEvent => ({
  type: 'AdvertReceived', advert: { vrid: 51, sender: { nodeId, address: '192.0.2.20' }, priority, advertIntervalCs: 10, term },
});
function masterM(): ElectionState {
  const b = step(initialState(PARAMS), { type: 'Startup' }, 0).state;
  return step(b, TIMER, MDI).state;
}

describe('election: the master hands off, the successor takes over', () => {
  it('a handing-off master sends no adverts and releases on HandoffDone, with the priority-0 advert, then is Backup', () => {
    const m = masterM();
    const h = step(m, { type: 'HandOff', to: 's', waitMs: 150, releaseFirst: false, resign: true }, 1000);
    assert.deepEqual(types(h.actions), []);
    assert.equal(h.state.adverTimer, undefined);
    assert.equal(nextDeadline(h.state), 1150);
    // Adverts and acks change nothing while it waits; a HandoffDone from another node neither.
    assert.deepEqual(types(step(h.state, advert('s', 100, m.term + 1), 1010).actions), []);
    assert.equal(step(h.state, { type: 'HandoffDone', from: 'x', term: 9 }, 1010).state.role, 'Master');
    const done = step(h.state, { type: 'HandoffDone', from: 's', term: m.term + 1 }, 1020);
    assert.deepEqual(types(done.actions), ['SendAdvert(0)', 'ReleaseVip', 'RoleChanged']);
    assert.equal(done.state.role, 'Backup');
  });

  it('without a confirmation it releases by its wait; the successor confirmed down cuts it short; break-before-make releases first', () => {
    const h = step(masterM(), { type: 'HandOff', to: 's', waitMs: 150, releaseFirst: false, resign: false }, 1000).state;
    assert.deepEqual(types(step(h, TIMER, 1149).actions), []);
    assert.deepEqual(types(step(h, TIMER, 1150).actions), ['ReleaseVip', 'RoleChanged']);
    assert.equal(step(h, { type: 'PeerConfirmedDown', nodeId: 's', reason: 'test' }, 1010).state.role, 'Backup');
    const first = step(masterM(), { type: 'HandOff', to: 's', waitMs: 150, releaseFirst: true, resign: true }, 1000);
    assert.deepEqual(types(first.actions), ['ReleaseVip']);
  });

  it('the successor takes over at once with reason handoff, only from the master it follows', () => {
    const s0 = step(initialState({ ...PARAMS, self: { nodeId: 's', address: '192.0.2.30' }, basePriority: 100 }), { type: 'Startup' }, 0).state;
    const following = step(s0, advert('m', 150, 4), 10).state;
    const t = step(following, { type: 'HandoffOffered', from: 'm', term: 4 }, 20);
    assert.equal(t.state.role, 'Master');
    assert.equal(t.state.term, 5);
    const change = t.actions.find((a) => a.type === 'RoleChanged');
    assert.match(change?.type === 'RoleChanged' ? change.reason : '', /^handoff: master m\(192\.0\.2\.20\) handed the group over at term 4/);
    assert.equal(step(following, { type: 'HandoffOffered', from: 'x', term: 4 }, 20).state.role, 'Backup', 'not from a node we do not follow');
  });

  it('a leased master preempted by a higher priority hands off to the preemptor and follows it when done', () => {
    const leased: ElectionParams = { ...PARAMS, lease: { voters: ['p', 'w'] }, handoff: { waitMs: 150, releaseFirst: false } };
    let m = step(step(initialState(leased), { type: 'Startup' }, 0).state, TIMER, MDI).state;
    m = step(m, { type: 'LeaseAck', from: 'm', term: m.term, echo: Math.floor(MDI) }, MDI + 1).state;
    m = step(m, { type: 'LeaseAck', from: 'w', term: m.term, echo: Math.floor(MDI) }, MDI + 2).state;
    assert.equal(m.lease?.acquired, true);
    const pre = step(m, advert('p', 200, m.term + 1), 500);
    assert.equal(pre.state.handoff?.to, 'p');
    assert.deepEqual(types(pre.actions), []);
    const done = step(pre.state, { type: 'HandoffDone', from: 'p', term: m.term + 1 }, 510);
    assert.deepEqual(types(done.actions), ['ReleaseVip', 'RoleChanged'], 'no priority-0 advert on a preemption');
    assert.equal(done.state.master?.sender.nodeId, 'p');
  });

  it('a leased master preempted by a sender known only by its address (an unattributed VRRP advert) steps down instead of handing off to it', () => {
    const leased: ElectionParams = { ...PARAMS, lease: { voters: ['p', 'w'] }, handoff: { waitMs: 150, releaseFirst: false } };
    let m = step(step(initialState(leased), { type: 'Startup' }, 0).state, TIMER, MDI).state;
    m = step(m, { type: 'LeaseAck', from: 'm', term: m.term, echo: Math.floor(MDI) }, MDI + 1).state;
    m = step(m, { type: 'LeaseAck', from: 'w', term: m.term, echo: Math.floor(MDI) }, MDI + 2).state;
    assert.equal(m.lease?.acquired, true);
    const vrrp: ElectionEvent = { type: 'AdvertReceived', advert: { vrid: 51, sender: { nodeId: '192.0.2.20', address: '192.0.2.20' }, priority: 200, advertIntervalCs: 10, term: 0, addressOnly: true } };
    const pre = step(m, vrrp, 500);
    assert.equal(pre.state.handoff, undefined, 'no handoff to a name that is no node');
    assert.equal(pre.state.role, 'Backup');
    assert.deepEqual(types(pre.actions), ['ReleaseVip', 'RoleChanged']);
  });

  it('a backup ignores an old master\'s priority-0 advert once it follows a newer master (the successor)', () => {
    const s0 = step(initialState({ ...PARAMS, self: { nodeId: 'b', address: '192.0.2.40' }, basePriority: 100 }), { type: 'Startup' }, 0).state;
    const followsS = step(s0, advert('s', 120, 5), 10).state;
    assert.ok(staleResignation(followsS, { vrid: 51, sender: { nodeId: 'm' }, priority: 0, advertIntervalCs: 10, term: 4 }));
    const after = step(followsS, advert('m', 0, 4), 20).state;
    assert.equal(after.master?.sender.nodeId, 's');
    assert.equal(after.masterDownTimer, followsS.masterDownTimer);
    // The master's own resignation still counts (RFC 5798 §6.4.2).
    assert.equal(step(followsS, advert('s', 0, 5), 20).state.master?.priority, 0);
  });

  it('after the startup hold, the first Master_Down_Timer adds STARTUP_SKEW_FACTOR × Skew_Time', () => {
    const plain = step(initialState(PARAMS), { type: 'Startup' }, 0).state;
    const held = step(initialState(PARAMS), { type: 'Startup', reason: 'startup-hold: heard every peer (s)', afterHold: true }, 0);
    assert.equal(held.state.masterDownTimer, (plain.masterDownTimer ?? NaN) + STARTUP_SKEW_FACTOR * skewTimeMs(150, 10, 3));
    const change = held.actions.find((a) => a.type === 'RoleChanged');
    assert.equal(change?.type === 'RoleChanged' && change.reason, 'startup-hold: heard every peer (s)');
    // Outranked by a peer it knows of: one more Master_Down_Interval before its first claim.
    const outranked = step(initialState(PARAMS), { type: 'Startup', afterHold: true, outranked: true }, 0).state;
    assert.equal(outranked.masterDownTimer, (held.state.masterDownTimer ?? NaN) + (plain.masterDownTimer ?? NaN));
  });
});
