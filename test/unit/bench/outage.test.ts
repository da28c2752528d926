/**
 * bench/outage.ts on recorded answer logs: a request every 10 ms, answered 1 ms later by
 * whichever node holds the VIP, with the faults the bench injects.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { analyzeOutage, type Probe } from '../../../bench/outage.js';

/**
 * A client log: request i (1-based) sent at 10·i ms; `who(i)` is the node that answers it
 * 1 ms later (or a list of nodes, or undefined for no answer).
 */
function log(count: number, who: (i: number) => string | string[] | undefined, delay: (i: number) => number = () => 1): Probe[] {
  return Array.from({ length: count }, (_, k) => {
    const seq = k + 1;
    const sentAt = 10 * seq;
    const w = who(seq);
    const nodes = w === undefined ? [] : Array.isArray(w) ? w : [w];
    return { seq, sentAt, answers: nodes.map((node) => ({ node, at: sentAt + delay(seq) })) };
  });
}

describe('analyzeOutage', () => {
  it('host death: a answers until the fault, nothing for 300 ms, then b: takeover, outage and lost', () => {
    // Fault at 1005 ms (just after request 100 went out). Requests 101-130 (1010-1300 ms) get
    // no answer; b answers from request 131 (sent 1310, answered 1311).
    const probes = log(300, (i) => (i <= 100 ? 'a' : i <= 130 ? undefined : 'b'));
    const r = analyzeOutage({ probes, faultAt: 1005, oldMaster: 'a', endAt: 3005 });
    assert.equal(r.takeoverMs, 1311 - 1005);
    assert.equal(r.newMaster, 'b');
    assert.equal(r.outageMs, 1311 - 1001, 'from the last answer of a (1001) to the first of b (1311)');
    assert.equal(r.outageOpen, false);
    assert.equal(r.lost, 30);
    // Requests sent in [1005, 2805]: 101..280.
    assert.equal(r.sent, 180);
    assert.equal(r.duplicates, 0);
    assert.equal(r.flipBacks, 0);
    assert.equal(r.switches, 1);
    assert.equal(r.twoNodes, false);
  });

  it('agent crash: the old host still answers until the client follows the new master: no outage, takeover still measured', () => {
    const probes = log(200, (i) => (i <= 135 ? 'a' : 'b'));
    const r = analyzeOutage({ probes, faultAt: 1000, oldMaster: 'a', endAt: 2000 });
    assert.equal(r.takeoverMs, 1361 - 1000);
    assert.equal(r.outageMs, 10, 'one request interval: no gap at all');
    assert.equal(r.lost, 0);
    assert.equal(r.twoNodes, false);
  });

  it('requests queued while the VIP was unresolved and answered late are not lost, and the gap is measured on arrival', () => {
    // Requests 101-119 (sent 1010-1190 ms) wait in the client's kernel for the VIP's MAC and
    // are all answered by b at 1200 ms; from request 120 on, b answers promptly.
    const probes = log(200, (i) => (i <= 100 ? 'a' : 'b'), (i) => (i > 100 && i < 120 ? 1200 - 10 * i : 1));
    const r = analyzeOutage({ probes, faultAt: 1005, oldMaster: 'a', endAt: 2000 });
    assert.equal(r.lost, 0);
    assert.equal(r.takeoverMs, 1200 - 1005);
    assert.equal(r.outageMs, 1200 - 1001);
  });

  it('a request answered by both nodes counts as a duplicate: the VIP answered from two nodes', () => {
    const probes = log(200, (i) => (i <= 120 ? 'a' : i === 121 ? ['a', 'b'] : 'b'));
    const r = analyzeOutage({ probes, faultAt: 1000, oldMaster: 'a', endAt: 2000 });
    assert.equal(r.duplicates, 1);
    assert.equal(r.twoNodes, true);
  });

  it('answers going back to the old master after the takeover are flip-backs', () => {
    // b, then a again for 5 requests, then b for good.
    const probes = log(250, (i) => (i <= 130 ? 'a' : i <= 140 ? 'b' : i <= 145 ? 'a' : 'b'));
    const r = analyzeOutage({ probes, faultAt: 1000, oldMaster: 'a', endAt: 2500 });
    assert.equal(r.newMaster, 'b');
    assert.equal(r.takeoverMs, 1311 - 1000);
    assert.equal(r.flipBacks, 5);
    assert.equal(r.switches, 3);
    assert.equal(r.twoNodes, true);
  });

  it('no takeover: takeover is undefined and the outage runs to the end of the observation', () => {
    const probes = log(300, (i) => (i <= 100 ? 'a' : undefined));
    const r = analyzeOutage({ probes, faultAt: 1005, oldMaster: 'a', endAt: 3000 });
    assert.equal(r.takeoverMs, undefined);
    assert.equal(r.newMaster, undefined);
    assert.equal(r.outageOpen, true);
    assert.equal(r.outageMs, 3000 - 1001);
    // Requests 101..280 (sent 1010..2800 ≤ endAt − 200 ms in flight) are lost.
    assert.equal(r.lost, 180);
    assert.equal(r.switches, 0);
  });

  it('requests in flight at the end of the observation are not counted lost', () => {
    const probes = log(200, (i) => (i <= 100 ? 'a' : i <= 150 ? 'b' : undefined));
    const r = analyzeOutage({ probes, faultAt: 1000, oldMaster: 'a', endAt: 1700, inFlightMs: 200 });
    // Requests sent in [1000, 1500]: 100..150, all answered; 151..170 are in flight.
    assert.equal(r.lost, 0);
    assert.equal(r.sent, 51);
  });

  it('answers after endAt are ignored', () => {
    const probes = log(200, (i) => (i <= 100 ? 'a' : 'b'));
    const r = analyzeOutage({ probes, faultAt: 1005, oldMaster: 'a', endAt: 1005 });
    assert.equal(r.takeoverMs, undefined);
    assert.equal(r.outageMs, 4);
  });
});
