/**
 * Issue 10's inputs through the runtime glue: MembershipRunner.memberGone and bfdDown reach
 * the core (docs/membership.md "Inputs"), and they are counted. Virtual time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import type { Message } from '../../../src/core/membership/messages.js';
import { membershipParams } from '../../../src/core/membership/params.js';
import { type MemberChange, MembershipRunner } from '../../../src/runtime/membership-runner.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

/** A started runner that knows a and b (its own probes an hour apart, so only the inputs probe). */
function runner() {
  const clock = new VirtualClock();
  const metrics = new MetricsRegistry();
  const sent: Message[] = [];
  const changes: MemberChange[] = [];
  const r = new MembershipRunner({
    params: membershipParams({ self: { id: 'self', address: 'self.test:1' }, probeIntervalMs: 3_600_000, probeTimeoutMs: 1_800_000, indirectProbes: 2, suspicionMultiplier: 1 }),
    seed: 1, clock, logger: silentLogger, metrics, send: (_to, m) => sent.push(m), onMemberChanged: (c) => changes.push(c),
  });
  r.start();
  for (const id of ['a', 'b']) {
    r.receive({ type: 'Gossip', from: id, fromAddress: `${id}.test:1`, gossip: [{ type: 'Alive', id, address: `${id}.test:1`, incarnation: 0 }] }, id);
  }
  return { metrics, r, sent, changes };
}

describe('membership runtime: local inputs', () => {
  it('memberGone makes the member suspect at once and asks a helper to probe it', () => {
    const { metrics, r, sent, changes } = runner();
    r.memberGone('a.test:1', 'a', 'refused');
    assert.deepEqual(changes.filter((c) => c.id === 'a').map((c) => c.to), ['alive', 'suspect']);
    assert.equal(r.members().get('a')?.state, 'suspect');
    assert.ok(sent.some((m) => m.type === 'PingReq' && m.target === 'a'));
    assert.equal(metrics.get('vipd_membership_inputs_total', { input: 'gone', result: 'used' }), 1);
  });

  it('memberGone without a node id is matched by address; at an address nobody lives at it is ignored', () => {
    const { metrics, r } = runner();
    r.memberGone('b.test:1', undefined, 'refused');
    assert.equal(r.members().get('b')?.state, 'suspect');
    r.memberGone('nobody.test:1', undefined, 'refused');
    assert.equal(metrics.get('vipd_membership_inputs_total', { input: 'gone', result: 'ignored' }), 1);
  });

  it('bfdDown only probes: nothing is marked until the probe fails', () => {
    const { metrics, r, sent } = runner();
    r.bfdDown('b');
    assert.equal(r.members().get('b')?.state, 'alive');
    assert.ok(sent.some((m) => m.type === 'PingReq' && m.target === 'b'));
    assert.ok(sent.some((m) => m.type === 'Ping' && m.target === 'b'));
    assert.equal(metrics.get('vipd_membership_inputs_total', { input: 'bfd-down', result: 'used' }), 1);
  });
});
