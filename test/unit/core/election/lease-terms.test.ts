/**
 * Terms across masterships that never heard each other (docs/leases.md, "Terms"; e2e finding:
 * a node that started after the master died took over at the dead master's term). The pure
 * election (step.ts) of a and b and the pure voters (lease.ts) of a, b and witness w, wired by
 * hand: no network, every advert reaches the voters at once.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { grant, initialVoter, promiseMs, promiseOf, type VoterState } from '../../../../src/core/election/lease.js';
import { initialState, nextDeadline, step } from '../../../../src/core/election/step.js';
import type { ElectionAction, ElectionEvent, ElectionParams, ElectionState } from '../../../../src/core/election/types.js';

const P = promiseMs(10);
const params = (self: string, address: string): ElectionParams => ({
  group: 'web', vrid: 51, self: { nodeId: self, address }, basePriority: 100, advertIntervalCs: 10, version: 3,
  preempt: true, preemptDelayMs: 0, lease: { voters: ['a', 'b', 'w'].filter((v) => v !== self) },
});

interface Node {
  id: string;
  st: ElectionState;
  acquired: number[];
}

/** Runs `n` (and the voters it reaches) until `until`, answering each advert as cluster-node.ts does. */
function run(n: Node, voters: Record<string, VoterState>, from: number, until: number, first?: ElectionEvent): void {
  const queue: ElectionEvent[] = first ? [first] : [];
  let now = from;
  for (let guard = 0; guard < 10_000; guard++) {
    const e = queue.shift();
    if (!e) {
      const d = nextDeadline(n.st);
      if (d === undefined || d > until) return;
      now = Math.max(now, d);
      queue.push({ type: 'TimerFired' });
      continue;
    }
    const r = step(n.st, e, now);
    n.st = r.state;
    for (const a of r.actions) answer(n, a, voters, now, queue);
  }
  assert.fail('did not quiesce');
}

function answer(n: Node, a: ElectionAction, voters: Record<string, VoterState>, now: number, queue: ElectionEvent[]): void {
  if (a.type === 'AcquireVip') n.acquired.push(a.term);
  if (a.type !== 'SendAdvert' || a.leaseEcho === undefined) return;
  for (const [id, v] of Object.entries(voters)) {
    const g = grant(v, { group: 'web', from: n.id, term: a.term, advertIntervalCs: a.advertIntervalCs, ...(a.leasePromiseMs === undefined ? {} : { promiseMs: a.leasePromiseMs }) }, now);
    voters[id] = g.state;
    if (g.granted) queue.push({ type: 'LeaseAck', from: id, term: a.term, echo: a.leaseEcho });
    else {
      if (id === n.id && g.until !== undefined) queue.push({ type: 'LeaseRefused', until: g.until });
      if (g.grantedTerm !== undefined) queue.push({ type: 'LeaseTermBehind', from: id, term: a.term, grantedTerm: g.grantedTerm });
    }
  }
}

describe('terms increase across masterships that never heard each other', () => {
  it('b, started after master a (term 1) died, takes over at a higher term and the witness grants that term', () => {
    // a and w start; a becomes master at term 1 and holds the VIP on a's and w's grants.
    const a: Node = { id: 'a', st: initialState(params('a', '192.0.2.1')), acquired: [] };
    const avoters: Record<string, VoterState> = { a: initialVoter(-10 * P), w: initialVoter(-10 * P) };
    run(a, avoters, 0, 2000, { type: 'Startup' });
    assert.equal(a.st.role, 'Master');
    assert.deepEqual(a.acquired, [1]);
    assert.equal(promiseOf(avoters.w!, 'web', 2000)?.term, 1);
    // a is SIGKILLed at 2000. b starts at 2000 with a fresh voter and never hears a.
    const w = avoters.w!;
    const b: Node = { id: 'b', st: initialState(params('b', '192.0.2.2')), acquired: [] };
    const bvoters: Record<string, VoterState> = { b: initialVoter(2000), w };
    run(b, bvoters, 2000, 6000, { type: 'Startup' });
    assert.equal(b.st.role, 'Master');
    assert.ok(b.acquired.length > 0, 'b took the VIP');
    assert.ok(b.acquired.every((t) => t >= 2), `b acquired only above a's term 1: ${b.acquired.join(', ')}`);
    const promise = promiseOf(bvoters.w!, 'web', 6000);
    assert.equal(promise?.to, 'b');
    assert.equal(promise?.term, b.st.term, "the witness's grant to b is at b's term");
    assert.ok(b.st.term >= 2);
  });

  it('learning a higher term before the lease holds drops the grants counted for the old term; while it holds, re-asserts at the new term', () => {
    const b: Node = { id: 'b', st: initialState(params('b', '192.0.2.2')), acquired: [] };
    run(b, {}, 0, 1000, { type: 'Startup' });
    assert.equal(b.st.role, 'Master');
    assert.equal(b.st.term, 1);
    const echo = b.st.lease!.since;
    const self = step(b.st, { type: 'LeaseAck', from: 'b', term: 1, echo: Math.floor(echo) }, 1000).state;
    const moved = step(self, { type: 'LeaseTermBehind', from: 'w', term: 1, grantedTerm: 4 }, 1001);
    assert.equal(moved.state.term, 5);
    assert.deepEqual(moved.state.lease?.acks, {});
    assert.equal(moved.state.lease?.sinceTerm, 5);
    const sent = moved.actions.find((x) => x.type === 'SendAdvert');
    assert.equal(sent?.type === 'SendAdvert' && sent.term, 5);
    assert.equal(moved.actions.some((x) => x.type === 'AcquireVip'), false, 'never acquires at the old term');
    // A late ack of the old term no longer counts towards the lease.
    const late = step(moved.state, { type: 'LeaseAck', from: 'w', term: 1, echo: Math.floor(echo) }, 1002);
    assert.equal(late.actions.some((x) => x.type === 'AcquireVip'), false);
    // Stale, foreign and hostile refusals change nothing.
    const reasons = (e: ElectionEvent) => step(moved.state, e, 1003).actions.map((x) => (x.type === 'Metric' ? x.labels.reason : x.type));
    assert.deepEqual(reasons({ type: 'LeaseTermBehind', from: 'w', term: 1, grantedTerm: 4 }), ['stale-term']);
    assert.deepEqual(reasons({ type: 'LeaseTermBehind', from: 'x', term: 5, grantedTerm: 9 }), ['not-a-voter']);
    assert.deepEqual(reasons({ type: 'LeaseTermBehind', from: 'w', term: 5, grantedTerm: 2 ** 53 }), ['invalid-term']);
    // Holding: the new term is re-asserted on the provider.
    const t = Math.floor(1003);
    const sentAt = moved.actions.find((x) => x.type === 'SendAdvert');
    const e = sentAt?.type === 'SendAdvert' ? sentAt.leaseEcho! : t;
    const held = step(step(moved.state, { type: 'LeaseAck', from: 'b', term: 5, echo: e }, 1003).state, { type: 'LeaseAck', from: 'a', term: 5, echo: e }, 1003);
    assert.deepEqual(held.actions.filter((x) => x.type === 'AcquireVip').map((x) => x.type === 'AcquireVip' && x.term), [5]);
    const again = step(held.state, { type: 'LeaseTermBehind', from: 'w', term: 5, grantedTerm: 7 }, 1004);
    assert.equal(again.state.term, 8);
    assert.equal(again.state.lease?.acquired, true);
    // Re-asserted only once a majority granted term 8 (simulator LAN seed 600): not on the refusal itself.
    assert.deepEqual(again.actions.filter((x) => x.type === 'AcquireVip'), []);
    const again8 = again.actions.find((x) => x.type === 'SendAdvert');
    const e8 = again8?.type === 'SendAdvert' ? again8.leaseEcho! : 1004;
    const one = step(again.state, { type: 'LeaseAck', from: 'a', term: 8, echo: e8 }, 1005);
    assert.deepEqual(one.actions.filter((x) => x.type === 'AcquireVip'), [], 'one grant of 8 is no majority');
    const two = step(one.state, { type: 'LeaseAck', from: 'b', term: 8, echo: e8 }, 1005);
    assert.deepEqual(two.actions.filter((x) => x.type === 'AcquireVip').map((x) => x.type === 'AcquireVip' && x.term), [8]);
  });
});
