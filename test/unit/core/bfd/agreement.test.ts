/**
 * The BFD majority rule (src/core/bfd/agreement.ts): a backup's own Down counts only with a
 * majority of the group's voters; each voter once, by the authenticated sender; nobody votes on
 * itself; strangers and stale reports do not count.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  createAgreement, majorityOf, stepAgreement, type AgreementAction, type AgreementEvent, type AgreementState,
} from '../../../../src/core/bfd/agreement.js';

// A pair and a witness: master m, backup b (this node), witness w.
const TRIO = { self: 'b', voters: ['m', 'b', 'w'], reportTtlMs: 1000 };

function run(s0: AgreementState, events: Array<[AgreementEvent, number]>): { state: AgreementState; actions: AgreementAction[] } {
  let state = s0;
  const actions: AgreementAction[] = [];
  for (const [e, now] of events) {
    const r = stepAgreement(state, e, now);
    state = r.state;
    actions.push(...r.actions);
  }
  return { state, actions };
}
const confirmed = (actions: AgreementAction[]) => actions.filter((a) => a.type === 'ConfirmedDown');

describe('BFD majority rule', () => {
  it('own Down alone is no verdict; it queries the voters; the witness agreeing makes a majority (2 of 3)', () => {
    const s = createAgreement(TRIO);
    const own = stepAgreement(s, { type: 'OwnView', subject: 'm', down: true }, 0);
    assert.deepEqual(own.actions, [{ type: 'Query', subject: 'm' }]);
    const w = stepAgreement(own.state, { type: 'Report', from: 'w', subject: 'm', down: true }, 5);
    assert.deepEqual(w.actions, [{ type: 'ConfirmedDown', subject: 'm', voters: ['b', 'w'] }]);
  });

  it('a lossy path: the witness sees the master Up, so no verdict', () => {
    const { actions } = run(createAgreement(TRIO), [
      [{ type: 'OwnView', subject: 'm', down: true }, 0],
      [{ type: 'Report', from: 'w', subject: 'm', down: false }, 5],
    ]);
    assert.deepEqual(confirmed(actions), []);
  });

  it('the witness alone, with our own session Up, is no verdict (an insider cannot make us move)', () => {
    const { actions } = run(createAgreement(TRIO), [
      [{ type: 'OwnView', subject: 'm', down: false }, 0],
      [{ type: 'Report', from: 'w', subject: 'm', down: true }, 5],
      [{ type: 'Report', from: 'w', subject: 'm', down: true }, 6],
    ]);
    assert.deepEqual(confirmed(actions), []);
  });

  it('each voter counts once: 5 voters need 3, and one voter repeating itself is still one', () => {
    const five = createAgreement({ self: 'b1', voters: ['m', 'b1', 'b2', 'w1', 'w2'], reportTtlMs: 1000 });
    const { actions, state } = run(five, [
      [{ type: 'OwnView', subject: 'm', down: true }, 0],
      [{ type: 'Report', from: 'w1', subject: 'm', down: true }, 1],
      [{ type: 'Report', from: 'w1', subject: 'm', down: true }, 2],
      [{ type: 'Report', from: 'w1', subject: 'm', down: true }, 3],
    ]);
    assert.deepEqual(confirmed(actions), []);
    const more = stepAgreement(state, { type: 'Report', from: 'b2', subject: 'm', down: true }, 4);
    assert.deepEqual(confirmed([...more.actions]), [{ type: 'ConfirmedDown', subject: 'm', voters: ['b1', 'b2', 'w1'] }]);
  });

  it('ignores strangers, a node about itself, and our own id coming over the network', () => {
    const s = stepAgreement(createAgreement(TRIO), { type: 'OwnView', subject: 'm', down: true }, 0).state;
    const ignored = (from: string, subject = 'm') => stepAgreement(s, { type: 'Report', from, subject, down: true }, 1).actions;
    assert.deepEqual(ignored('x'), [{ type: 'Ignored', reason: 'not-a-voter', from: 'x' }]);
    assert.deepEqual(ignored('m'), [{ type: 'Ignored', reason: 'about-itself', from: 'm' }]);
    assert.deepEqual(ignored('b'), [{ type: 'Ignored', reason: 'from-self', from: 'b' }]);
  });

  it('never a verdict on this node itself, whatever the others report (fast-check seed 1294771422)', () => {
    const five = createAgreement({ self: 'b', voters: ['m', 'b', 'c', 'w', 'v'], reportTtlMs: 200 });
    const { actions } = run(five, [
      [{ type: 'Report', from: 'm', subject: 'b', down: true }, 0],
      [{ type: 'Report', from: 'v', subject: 'b', down: true }, 1],
      [{ type: 'OwnView', subject: 'b', down: true }, 2],
      [{ type: 'Report', from: 'w', subject: 'b', down: true }, 3],
    ]);
    assert.deepEqual(confirmed(actions), []);
  });

  it('reports expire: an old Down from the witness does not combine with a new own Down', () => {
    const { actions } = run(createAgreement(TRIO), [
      [{ type: 'Report', from: 'w', subject: 'm', down: true }, 0],
      [{ type: 'OwnView', subject: 'm', down: true }, 1500],
    ]);
    assert.deepEqual(confirmed(actions), []);
  });

  it('says ConfirmedDown once, and again only after the subject was seen Up', () => {
    const { actions } = run(createAgreement(TRIO), [
      [{ type: 'OwnView', subject: 'm', down: true }, 0],
      [{ type: 'Report', from: 'w', subject: 'm', down: true }, 1],
      [{ type: 'Report', from: 'w', subject: 'm', down: true }, 2],
      [{ type: 'OwnView', subject: 'm', down: false }, 3],
      [{ type: 'OwnView', subject: 'm', down: true }, 4],
    ]);
    assert.equal(confirmed(actions).length, 2);
  });

  it('property: no verdict without our own Down and a majority of distinct voters other than the subject', () => {
    const voters = ['m', 'b', 'c', 'w', 'v'];
    const event = fc.oneof(
      fc.record({ type: fc.constant('OwnView' as const), subject: fc.constantFrom(...voters), down: fc.boolean() }),
      fc.record({ type: fc.constant('Report' as const), from: fc.constantFrom(...voters, 'x'), subject: fc.constantFrom(...voters), down: fc.boolean() }),
    );
    fc.assert(fc.property(fc.array(fc.tuple(event, fc.integer({ min: 0, max: 50 })), { maxLength: 40 }), (evs) => {
      let s = createAgreement({ self: 'b', voters, reportTtlMs: 200 });
      let now = 0;
      for (const [e, dt] of evs) {
        now += dt;
        const r = stepAgreement(s, e, now);
        s = r.state;
        for (const a of r.actions) {
          if (a.type !== 'ConfirmedDown') continue;
          assert.ok(a.voters.includes('b'), 'our own view is among them');
          assert.ok(!a.voters.includes(a.subject), 'the subject is not');
          assert.equal(new Set(a.voters).size, a.voters.length);
          assert.ok(a.voters.length >= majorityOf(voters.length));
          assert.ok(a.voters.every((v) => voters.includes(v)));
        }
      }
    }), { numRuns: 500 });
  });
});
