/** Lifeguard dynamic suspicion: the deadline shrinks as independent members confirm. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { confirm, confirmations, newSuspicion } from '../../../../src/core/membership/suspicion.js';
import { nextDeadline, step } from '../../../../src/core/membership/step.js';
import { suspicionMinMs, suspicionTimeoutMs } from '../../../../src/core/membership/timers.js';
import { changes, gossipFrom, started } from './helpers.js';

describe('suspicion record', () => {
  const s0 = newSuspicion('a', 0, 3, 800, 4800, 1000, false);

  it('starts at the maximum', () => {
    assert.equal(s0.deadline, 1000 + 4800);
    assert.equal(confirmations(s0), 0);
  });

  it('each new accuser moves the deadline closer: 4800, 2800, 1630, 800 after the start', () => {
    const s1 = confirm(s0, 'b', false);
    const s2 = s1 && confirm(s1, 'c', false);
    const s3 = s2 && confirm(s2, 'd', false);
    assert.deepEqual([s1?.deadline, s2?.deadline, s3?.deadline], [1000 + 2800, 1000 + 1630, 1000 + 800]);
  });

  it('the first accuser, a repeated accuser and confirmations beyond K are not news', () => {
    assert.equal(confirm(s0, 'a', false), undefined);
    const s1 = confirm(s0, 'b', false);
    assert.ok(s1);
    assert.equal(confirm(s1, 'b', false), undefined);
    let s = s1;
    for (const x of ['c', 'd']) s = confirm(s, x, false) ?? s;
    assert.equal(confirmations(s), 3);
    assert.equal(confirm(s, 'e', false), undefined);
  });

  it('our own failed probe is remembered even when it adds no confirmation', () => {
    const s1 = newSuspicion('self', 0, 0, 800, 4800, 0, false);
    assert.equal(confirm(s1, 'self', true)?.failedOwnProbe, true);
  });
});

describe('suspicion through step', () => {
  // self knows a..e: n = 6, K = min(3, 4) = 3, min = 4 × 1 × 200 = 800 ms, max = 4800 ms.
  const n = 6;
  const min = suspicionMinMs(4, n, 200);

  it('a suspect heard by gossip starts at the max and shrinks with each distinct accuser', () => {
    let s = started();
    const at = 1000;
    const deadlines: number[] = [];
    for (const [i, from] of ['b', 'c', 'd', 'e'].entries()) {
      s = step(s, gossipFrom(from, [{ type: 'Suspect', id: 'a', incarnation: 0, from }]), at + i).state;
      deadlines.push(s.suspicions.get('a')?.deadline ?? NaN);
    }
    assert.deepEqual(deadlines, [0, 1, 2, 3].map((c) => at + suspicionTimeoutMs(c, 3, min, 6 * min)));
    assert.equal(deadlines[3], at + min);
  });

  it('with K confirmations the member is dead at the floor, not the ceiling', () => {
    let s = started();
    for (const from of ['b', 'c', 'd', 'e']) s = step(s, gossipFrom(from, [{ type: 'Suspect', id: 'a', incarnation: 0, from }]), 1000).state;
    assert.ok((nextDeadline(s) ?? Infinity) <= 1000 + min);
    const r = step(s, { type: 'Tick' }, 1000 + min);
    const dead = changes(r.actions).filter((c) => c.id === 'a' && c.to === 'dead');
    assert.equal(dead.length, 1);
    assert.match(dead[0]?.reason ?? '', /suspicion timed out after 800 ms with 3\/3 confirmations/);
    assert.equal(dead[0]?.confirmedByProbe, false);
  });

  it('a suspicion about an older incarnation is ignored', () => {
    let s = started();
    s = step(s, gossipFrom('b', [{ type: 'Alive', id: 'a', address: 'a.test:7946', incarnation: 5 }]), 10).state;
    const r = step(s, gossipFrom('b', [{ type: 'Suspect', id: 'a', incarnation: 4, from: 'b' }]), 20);
    assert.equal(r.state.members.get('a')?.state, 'alive');
  });

  it('a refutation (alive at a higher incarnation) clears the suspicion', () => {
    let s = started();
    s = step(s, gossipFrom('b', [{ type: 'Suspect', id: 'a', incarnation: 0, from: 'b' }]), 10).state;
    const r = step(s, gossipFrom('c', [{ type: 'Alive', id: 'a', address: 'a.test:7946', incarnation: 1 }]), 20);
    assert.equal(r.state.members.get('a')?.state, 'alive');
    assert.equal(r.state.suspicions.size, 0);
    assert.match(changes(r.actions)[0]?.reason ?? '', /refuted suspicion at incarnation 1/);
  });
});
