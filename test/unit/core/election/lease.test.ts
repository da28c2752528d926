/** Leases (src/core/election/lease.ts, docs/leases.md): voter promises and the master's lease. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  DEFAULT_RELEASE_MARGIN_MS, MAX_STALL_TOLERANCE_MS, MAX_VOTER_GROUPS, RHO, grant, grantedPromiseMs, initialVoter, leaseMs, leaseUntil, majority, promiseMs, promiseOf, relinquish,
  type VoterState,
} from '../../../../src/core/election/lease.js';
import { initialState, nextDeadline, step } from '../../../../src/core/election/step.js';
import { MAX_TERM } from '../../../../src/core/election/terms.js';
import { masterDownIntervalMs } from '../../../../src/core/election/timers.js';
import type { ElectionAction, ElectionEvent, ElectionParams, ElectionState } from '../../../../src/core/election/types.js';

const P = promiseMs(10); // 400 ms at 100 ms adverts
const req = (from: string, term = 1, group = 'web') => ({ group, from, term, advertIntervalCs: 10 });
/** A voter past its restart quiet period. */
const voter = (): VoterState => initialVoter(-10 * P);

describe('lease constants', () => {
  it('P is 4 × Advertisement_Interval, at least 300 ms; L = P(1-RHO)/(1+RHO) - R', () => {
    assert.equal(promiseMs(10), 400);
    assert.equal(promiseMs(100), 4000);
    assert.equal(promiseMs(1), 300);
    assert.equal(leaseMs(10), (400 * (1 - RHO)) / (1 + RHO) - DEFAULT_RELEASE_MARGIN_MS);
    // One advert retransmitted by TCP (200 ms minimum RTO) behind a lost one, plus an interval,
    // still renews in time; and P stays within one interval of Master_Down_Interval.
    assert.ok(leaseMs(10) > 200 + 100 + 20);
    assert.ok(promiseMs(10) - masterDownIntervalMs(100, 10, 3) < 100);
  });

  it('property: the lease plus a stall up to S plus the release ends (real time) before any promise that formed it', () => {
    fc.assert(fc.property(fc.integer({ min: 1, max: 4095 }), fc.integer({ min: 0, max: 200 }), fc.integer({ min: 0, max: MAX_STALL_TOLERANCE_MS }), (cs, r, s) => {
      const p = grantedPromiseMs(cs, promiseMs(cs, s)); // what the voter grants for what we ask
      const l = leaseMs(cs, r, s);
      // Master's clock fast-to-slow by RHO: its L + S + R local last at most (L + S + R)/(1 - RHO)
      // real; a voter's P local lasts at least P/(1 + RHO) real.
      assert.ok((l + s + r) / (1 - RHO) <= p / (1 + RHO) + 1e-9);
    }));
  });

  it('S adds to the promise and not to the lease; voters keep a request within [base, base + 10 s]', () => {
    assert.equal(promiseMs(10, 250), 650);
    assert.ok(Math.abs(leaseMs(10, 50, 250) - leaseMs(10, 50, 0)) < 1, 'renewal under loss unchanged');
    assert.equal(promiseMs(10, -5), 400);
    assert.equal(promiseMs(10, 99_999), 400 + MAX_STALL_TOLERANCE_MS);
    assert.equal(grantedPromiseMs(10), 400);
    assert.equal(grantedPromiseMs(10, 650), 650);
    assert.equal(grantedPromiseMs(10, 1), 400);
    assert.equal(grantedPromiseMs(10, 1e12), 400 + MAX_STALL_TOLERANCE_MS);
    assert.equal(grantedPromiseMs(10, Number.NaN), 400);
    const v = grant(voter(), { ...req('a'), promiseMs: 650 }, 0);
    assert.equal(promiseOf(v.state, 'web', 0)?.until, 650);
  });

  it('majority is strict', () => {
    assert.deepEqual([1, 2, 3, 4, 5].map(majority), [1, 2, 2, 3, 3]);
  });

  it('leaseUntil: the k-th newest echo plus L', () => {
    assert.equal(leaseUntil({ a: 100 }, 3, 250), undefined);
    assert.equal(leaseUntil({ a: 100, b: 50 }, 3, 250), 300);
    assert.equal(leaseUntil({ a: 100, b: 50, c: 90 }, 3, 250), 340);
    assert.equal(leaseUntil({ a: 100 }, 1, 250), 350);
  });
});

describe('voter', () => {
  it('grants when it has no live promise, and again to the same master (renewing)', () => {
    const g1 = grant(voter(), req('a'), 0);
    assert.equal(g1.granted, true);
    assert.deepEqual(promiseOf(g1.state, 'web', 0), { to: 'a', term: 1, until: P, grantedAt: 0 });
    const g2 = grant(g1.state, req('a'), 100);
    assert.equal(g2.granted, true);
    assert.equal(promiseOf(g2.state, 'web', 100)?.until, 100 + P);
  });

  it('refuses another master while the promise lives, even with a higher term', () => {
    const s = grant(voter(), req('a', 1), 0).state;
    const r = grant(s, req('b', 99), P - 1);
    assert.equal(r.granted, false);
    assert.equal(r.granted === false && r.reason, 'lease-refused');
    assert.equal(r.granted === false && r.promisedTo, 'a');
    assert.equal(grant(s, req('b', 99), P).granted, true, 'at P the promise is over');
  });

  it('promises are per group', () => {
    const s = grant(voter(), req('a', 1, 'web'), 0).state;
    assert.equal(grant(s, req('b', 1, 'db'), 1).granted, true);
  });

  it('a (re)started voter grants nothing for P', () => {
    const v = initialVoter(1000);
    const r = grant(v, req('a'), 1000 + P - 1);
    assert.equal(r.granted === false && r.reason, 'restart-quiet');
    assert.equal(grant(v, req('a'), 1000 + P).granted, true);
  });

  it('relinquish drops a promise to that sender for that term or an earlier one, nothing else', () => {
    const s = grant(voter(), req('a', 5), 0).state;
    assert.equal(relinquish(s, 'web', 'b', 5).dropped, false, 'not its promise');
    assert.equal(relinquish(s, 'web', 'a', 4).dropped, false, 'a later term was granted since');
    assert.equal(relinquish(s, 'db', 'a', 5).dropped, false, 'other group');
    const r = relinquish(s, 'web', 'a', 5);
    assert.equal(r.dropped, true);
    assert.equal(grant(r.state, req('b', 6), 1).granted, true);
    assert.equal(grant(r.state, req('b', 5), 1).granted, false, 'the relinquish does not lower the highest granted term');
  });

  it(`votes in at most ${MAX_VOTER_GROUPS} groups: it remembers each group's highest granted term after the promise ends`, () => {
    let s = voter();
    for (let i = 0; i < MAX_VOTER_GROUPS; i++) s = grant(s, req('a', 1, `g${i}`), 0).state;
    const r = grant(s, req('a', 1, 'one-more'), 1);
    assert.equal(r.granted === false && r.reason, 'too-many-groups');
    assert.equal(grant(s, req('a', 1, 'one-more'), P).granted === false, true, 'still full after the promises ended');
    assert.equal(grant(s, req('b', 2, 'g0'), P).granted, true, 'a group it votes in is not refused for room');
  });

  it('grants another node only a term above the highest it granted in the group, and tells which (docs/leases.md, "Terms")', () => {
    const s = grant(voter(), req('a', 1), 0).state;
    // b never heard a: after a's promise ended it asks at the same term 1.
    const r = grant(s, req('b', 1), P);
    assert.equal(r.granted === false && r.reason, 'term-behind');
    assert.equal(r.granted === false && r.grantedTerm, 1);
    assert.equal(r.state, s, 'a refusal changes nothing');
    // While a's promise lives, the refusal is for the promise, and says no term (no term race
    // with a holder the asker cannot hear).
    const live = grant(s, req('b', 1), 1);
    assert.equal(live.granted === false && live.reason, 'lease-refused');
    assert.equal(live.granted === false && live.grantedTerm, undefined);
    // The same node renews at its term; an older term is refused to it too (a restarted a).
    assert.equal(grant(s, req('a', 1), 100).granted, true);
    const g2 = grant(s, req('b', 2), P);
    assert.equal(g2.granted, true);
    const old = grant(g2.state, req('a', 1), 2 * P + 1);
    assert.equal(old.granted === false && old.grantedTerm, 2);
  });

  it('at MAX_TERM (saturated by a hostile advert) another node is granted the same term once the promise ends: nothing is above it', () => {
    const s = grant(voter(), req('a', MAX_TERM), 0).state;
    assert.equal(grant(s, req('b', MAX_TERM), P).granted, true);
    assert.equal(grant(s, req('b', MAX_TERM - 1), P).granted, false);
  });
});

// ---- master side -----------------------------------------------------------------------------

const PARAMS: ElectionParams = {
  group: 'web', vrid: 51, self: { nodeId: 'a', address: '192.0.2.1' }, basePriority: 100,
  advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0, lease: { voters: ['b', 'w'] },
};
const MDI = masterDownIntervalMs(100, 10, 3);
const L = leaseMs(10);
const TIMER: ElectionEvent = { type: 'TimerFired' };
const ack = (from: string, echo: number, term = 1): ElectionEvent => ({ type: 'LeaseAck', from, term, echo });
const types = (as: readonly ElectionAction[]) => as.map((a) => a.type).filter((t) => t === 'AcquireVip' || t === 'ReleaseVip' || t === 'SendAdvert');

/** Master since MDI (term 1), nothing granted yet. */
function newMaster(): { state: ElectionState; actions: readonly ElectionAction[] } {
  const b = step(initialState(PARAMS), { type: 'Startup' }, 0).state;
  return step(b, TIMER, MDI);
}

describe('master lease', () => {
  it('a new master advertises with an echo but takes the VIP only when a majority granted', () => {
    const m = newMaster();
    assert.equal(m.state.role, 'Master');
    assert.deepEqual(types(m.actions), ['SendAdvert']);
    const send = m.actions.find((a) => a.type === 'SendAdvert');
    assert.equal(send?.type === 'SendAdvert' && send.leaseEcho, Math.floor(MDI));
    const echo = Math.floor(MDI);
    const self = step(m.state, ack('a', echo), MDI);
    assert.deepEqual(types(self.actions), [], 'one of three voters is no majority');
    const two = step(self.state, ack('w', echo), MDI + 2);
    assert.deepEqual(types(two.actions), ['AcquireVip']);
    assert.equal(two.state.lease?.until, echo + L);
    assert.equal(nextDeadline(two.state), Math.min(two.state.adverTimer ?? Infinity, echo + L));
    // A third grant of the same advert changes nothing.
    assert.deepEqual(step(two.state, ack('b', echo), MDI + 3).actions, []);
  });

  it('the lease runs out without renewal: ReleaseVip at once, still Master and advertising; renewed: acquire again', () => {
    const echo = Math.floor(MDI);
    let s = step(step(newMaster().state, ack('a', echo), MDI).state, ack('b', echo), MDI + 1).state;
    // Adverts go out, but no ack comes back (loss) except our own.
    let t = MDI;
    let released: number | undefined;
    for (let i = 0; i < 10 && released === undefined; i++) {
      t = nextDeadline(s) ?? Infinity;
      const r = step(s, TIMER, t);
      s = r.state;
      if (types(r.actions).includes('ReleaseVip')) released = t;
    }
    assert.equal(released, echo + L);
    assert.equal(s.role, 'Master');
    assert.equal(s.lease?.acquired, false);
    const later = Math.floor(t);
    const r = step(step(s, ack('a', later), t).state, ack('w', later), t + 1);
    assert.deepEqual(types(r.actions), ['AcquireVip']);
  });

  it('acks that do not belong to this mastership are ignored', () => {
    const m = newMaster().state;
    const echo = Math.floor(MDI);
    const reasons = (e: ElectionEvent, now = MDI + 1) => step(m, e, now).actions.map((a) => (a.type === 'Metric' ? a.labels.reason : a.type));
    assert.deepEqual(reasons(ack('x', echo)), ['not-a-voter']);
    assert.deepEqual(reasons(ack('b', echo, 0)), ['stale-term']);
    assert.deepEqual(reasons(ack('b', echo, 2)), ['stale-term']);
    assert.deepEqual(reasons(ack('b', echo - 1)), ['stale-echo']);
    assert.deepEqual(reasons(ack('b', echo + 5), MDI + 1), ['stale-echo'], 'from the future');
    assert.deepEqual(reasons(ack('b', Number.NaN)), ['stale-echo']);
    const backup = step(initialState(PARAMS), { type: 'Startup' }, 0).state;
    assert.deepEqual(step(backup, ack('b', 0), 1).actions.map((a) => (a.type === 'Metric' ? a.labels.reason : a.type)), ['not-leased-master']);
  });

  it('stepping down drops the lease; the next mastership starts from no grants', () => {
    const echo = Math.floor(MDI);
    const held = step(step(newMaster().state, ack('a', echo), MDI).state, ack('b', echo), MDI + 1).state;
    const down = step(held, { type: 'AdvertReceived', advert: { vrid: 51, sender: { nodeId: 'b', address: '192.0.2.2' }, priority: 200, advertIntervalCs: 10, term: 1 } }, MDI + 5);
    assert.equal(down.state.role, 'Backup');
    assert.deepEqual(types(down.actions), ['ReleaseVip']);
    assert.equal(down.state.lease, undefined);
  });

  it('refused by its own voter (a live promise to the old master), a new master advertises again just after that promise ends', () => {
    const m = newMaster().state;
    const until = Math.floor(MDI) + 30;
    const r = step(m, { type: 'LeaseRefused', until }, MDI);
    assert.equal(r.state.adverTimer, until + 5);
    const t = step(r.state, TIMER, until + 5);
    assert.deepEqual(types(t.actions), ['SendAdvert']);
    // Not when the regular advert comes sooner, nor once the lease is held.
    assert.equal(step(m, { type: 'LeaseRefused', until: MDI + 500 }, MDI).state.adverTimer, m.adverTimer);
  });

  it('a single-voter group holds its lease from its own grant', () => {
    const b = step(initialState({ ...PARAMS, lease: { voters: [] } }), { type: 'Startup' }, 0).state;
    const m = step(b, TIMER, MDI).state;
    assert.deepEqual(types(step(m, ack('a', Math.floor(MDI)), MDI).actions), ['AcquireVip']);
  });

  it('without lease params nothing changes: AcquireVip with the transition, no echo', () => {
    const b = step(initialState({ ...PARAMS, lease: undefined }), { type: 'Startup' }, 0).state;
    const r = step(b, TIMER, MDI);
    assert.deepEqual(types(r.actions), ['SendAdvert', 'AcquireVip']);
    const send = r.actions.find((a) => a.type === 'SendAdvert');
    assert.equal(send?.type === 'SendAdvert' && send.leaseEcho, undefined);
  });
});
