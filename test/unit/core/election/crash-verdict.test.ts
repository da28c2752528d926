/**
 * Crash verdict (issue 10, docs/leases.md "Crash verdict"): the voter's rule (lease.ts
 * crashVerdict) and the election's MasterGone event (step.ts), and the backups' ranking
 * (src/runtime/crash-verdict.ts ranksFirst).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { crashVerdict, grant, initialVoter, promiseMs, promiseOf, type VoterState } from '../../../../src/core/election/lease.js';
import { CRASH_VERDICT_RETRIES, CRASH_VERDICT_RETRY_MS, initialState, nextAdvertDue, step } from '../../../../src/core/election/step.js';
import { masterDownIntervalMs } from '../../../../src/core/election/timers.js';
import type { ElectionAction, ElectionEvent, ElectionParams, ElectionState } from '../../../../src/core/election/types.js';
import { ranksFirst } from '../../../../src/runtime/crash-verdict.js';

const P = promiseMs(10);
const voter = (): VoterState => initialVoter(-10 * P);
const req = (from: string, address: string | undefined, group = 'web') => ({ group, from, term: 1, advertIntervalCs: 10, ...(address === undefined ? {} : { address }) });

describe('voter: crash verdict', () => {
  it('drops a promise to the gone master granted from the refused address before the break', () => {
    const s = grant(voter(), req('m', '192.0.2.1:7946'), 10).state;
    const r = crashVerdict(s, 'm', '192.0.2.1:7946', 20);
    assert.deepEqual(r.dropped, ['web']);
    assert.equal(promiseOf(r.state, 'web', 21), undefined);
    // The promise is free: another master is granted at once.
    assert.equal(grant(r.state, { ...req('b', '192.0.2.2:7946'), term: 2 }, 22).granted, true);
  });

  it('keeps every other promise: another node, another address, granted after the break, renewed from two addresses, address unknown', () => {
    const at = '192.0.2.1:7946';
    const other = grant(voter(), req('b', at), 10).state;
    assert.deepEqual(crashVerdict(other, 'm', at, 20).dropped, [], 'promise to another node');
    const elsewhere = grant(voter(), req('m', '192.0.2.9:7946'), 10).state;
    assert.deepEqual(crashVerdict(elsewhere, 'm', at, 20).dropped, [], 'granted from another address');
    const late = grant(voter(), req('m', at), 30).state;
    assert.deepEqual(crashVerdict(late, 'm', at, 20).dropped, [], 'renewed after the break (a restarted process may have answered)');
    const two = grant(grant(voter(), req('m', '192.0.2.9:7946'), 5).state, req('m', at), 10).state;
    assert.deepEqual(crashVerdict(two, 'm', at, 20).dropped, [], 'renewed from another address: two processes, one may live');
    const back = grant(two, req('m', at), 12).state;
    assert.deepEqual(crashVerdict(back, 'm', at, 20).dropped, [], 'mixed stays mixed for the life of the promise');
    const unknown = grant(voter(), req('m', undefined), 10).state;
    assert.deepEqual(crashVerdict(unknown, 'm', at, 20).dropped, [], 'no announced address (self-grant, in-memory transport)');
  });

  it('drops only the groups promised to that master from that address', () => {
    let s = grant(voter(), req('m', 'A', 'g1'), 1).state;
    s = grant(s, req('m', 'A', 'g2'), 2).state;
    s = grant(s, req('b', 'B', 'g3'), 3).state;
    const r = crashVerdict(s, 'm', 'A', 5);
    assert.deepEqual(r.dropped.sort(), ['g1', 'g2']);
    assert.ok(promiseOf(r.state, 'g3', 6));
  });
});

// ---- election: MasterGone -------------------------------------------------------------------

const PARAMS: ElectionParams = {
  group: 'web', vrid: 51, self: { nodeId: 'b', address: '192.0.2.2' }, basePriority: 100,
  advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0, requireQuorum: true, lease: { voters: ['m', 'w'] },
};
const MDI = masterDownIntervalMs(100, 10, 3);
const advertFrom = (nodeId: string, priority = 200): ElectionEvent => ({
  type: 'AdvertReceived', advert: { vrid: 51, sender: { nodeId, address: '192.0.2.1' }, priority, advertIntervalCs: 10, term: 1, leaseEcho: 0 },
});
const gone = (nodeId: string, top: boolean): ElectionEvent => ({ type: 'MasterGone', nodeId, top, reason: 'stream ended, redial refused' });
const metricAction = (as: readonly ElectionAction[]) => as.flatMap((a) => (a.type === 'Metric' && a.name === 'vipd_crash_verdicts_total' ? [a.labels.action] : []));

/** A backup with quorum that follows master m (heard at t = 100). */
function following(params: ElectionParams = PARAMS): ElectionState {
  let s = step(initialState(params), { type: 'Startup' }, 0).state;
  s = step(s, { type: 'QuorumChanged', hasQuorum: true, detail: '3/3 voters' }, 1).state;
  return step(s, advertFrom('m'), 100).state;
}

describe('election: MasterGone', () => {
  it('the top backup becomes master at once, reason crash-verdict, and advertises again CRASH_VERDICT_RETRY_MS apart until its lease holds', () => {
    const s = following();
    assert.equal(s.masterDownTimer, 100 + MDI);
    const r = step(s, gone('m', true), 120);
    assert.equal(r.state.role, 'Master');
    const changed = r.actions.find((a) => a.type === 'RoleChanged');
    assert.ok(changed?.type === 'RoleChanged' && changed.reason.startsWith('crash-verdict: master m'), JSON.stringify(changed));
    assert.deepEqual(metricAction(r.actions), ['take-over']);
    assert.ok(r.actions.some((a) => a.type === 'SendAdvert' && a.leaseEcho === 120));
    assert.ok(!r.actions.some((a) => a.type === 'AcquireVip'), 'the VIP waits for the lease');
    assert.equal(r.state.adverTimer, 120 + CRASH_VERDICT_RETRY_MS);
    // Retries until the lease holds, at most CRASH_VERDICT_RETRIES, then the normal interval.
    let m = r.state;
    const sent: number[] = [];
    for (let i = 0; i < CRASH_VERDICT_RETRIES + 3; i++) {
      const t = m.adverTimer ?? Infinity;
      const x = step(m, { type: 'TimerFired' }, t);
      if (x.actions.some((a) => a.type === 'SendAdvert')) sent.push(t);
      m = x.state;
    }
    const gaps = sent.slice(1).map((t, i) => t - (sent[i] ?? 0));
    assert.deepEqual(gaps.slice(0, CRASH_VERDICT_RETRIES - 1), Array(CRASH_VERDICT_RETRIES - 1).fill(CRASH_VERDICT_RETRY_MS));
    // Then the normal cadence, on the interval's grid (adverts of all groups share a frame: nextAdvertDue).
    assert.ok(sent.slice(CRASH_VERDICT_RETRIES + 1).every((t) => t % 100 === 0), JSON.stringify(sent));
    assert.ok(gaps.slice(CRASH_VERDICT_RETRIES).every((g) => g > 0 && g <= 100), JSON.stringify(gaps));
  });

  it('once the lease holds the retries stop', () => {
    const r = step(following(), gone('m', true), 120).state;
    const a1 = step(r, { type: 'LeaseAck', from: 'b', term: r.term, echo: 120 }, 121).state;
    const a2 = step(a1, { type: 'LeaseAck', from: 'w', term: r.term, echo: 120 }, 122);
    assert.ok(a2.actions.some((a) => a.type === 'AcquireVip'));
    const t = step(a2.state, { type: 'TimerFired' }, a2.state.adverTimer ?? Infinity);
    assert.equal(t.state.adverTimer, nextAdvertDue(a2.state.adverTimer ?? 0, 100));
    assert.equal(t.state.crashVerdictRetries, undefined);
  });

  it('a backup that does not rank first defers: Master_Down_Timer at least one interval from the verdict, never sooner', () => {
    const s = following();
    const r = step(s, gone('m', false), 120);
    assert.equal(r.state.role, 'Backup');
    assert.equal(r.state.masterDownTimer, 120 + MDI);
    assert.deepEqual(metricAction(r.actions), ['defer']);
    assert.equal(step(s, gone('m', false), 100).state.masterDownTimer, s.masterDownTimer, 'never earlier than it was');
  });

  it('a verdict about another node, or in another role, changes nothing', () => {
    const s = following();
    const other = step(s, gone('x', true), 120);
    assert.equal(other.state, s);
    assert.deepEqual(metricAction(other.actions), ['not-our-master']);
    const master = step(step(initialState(PARAMS), { type: 'Startup' }, 0).state, { type: 'TimerFired' }, MDI).state;
    assert.equal(step(master, gone('m', true), MDI + 1).state, master);
  });

  it('without quorum the top backup waits for it, as on Master_Down_Timer', () => {
    const s = step(following(), { type: 'QuorumChanged', hasQuorum: false, detail: '1/3 voters' }, 110).state;
    const r = step(s, gone('m', true), 120);
    assert.equal(r.state.role, 'Backup');
    assert.equal(r.state.awaitingQuorum, true);
    assert.deepEqual(metricAction(r.actions), ['no-quorum']);
  });
});

describe('ranking of the live backups', () => {
  const self = { nodeId: 'b', address: '192.0.2.2' };
  it('first when every rival is known and lower, or equal and loses the RFC 5798 §6.4.3 tie-break', () => {
    assert.equal(ranksFirst(self, 100, []), true);
    assert.equal(ranksFirst(self, 100, [{ nodeId: 'c', standing: { priority: 90, address: '192.0.2.9' } }]), true);
    assert.equal(ranksFirst(self, 100, [{ nodeId: 'c', standing: { priority: 100, address: '192.0.2.1' } }]), true);
  });
  it('not first when a rival is higher, equal with the higher address, or of unknown standing', () => {
    assert.equal(ranksFirst(self, 100, [{ nodeId: 'c', standing: { priority: 110, address: '192.0.2.1' } }]), false);
    assert.equal(ranksFirst(self, 100, [{ nodeId: 'c', standing: { priority: 100, address: '192.0.2.3' } }]), false);
    assert.equal(ranksFirst(self, 100, [{ nodeId: 'c' }]), false);
  });
});
