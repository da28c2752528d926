/**
 * BFD liveness feeding the elections (src/runtime/bfd-liveness.ts): a pair m (master), b
 * (backup) and witness w exchange reports in memory. A host death (b and w both lose m) gives
 * b's election PeerConfirmedDown with reason `bfd-down`; a lossy b-m path does not (w still
 * sees m); what m says about itself, what a stranger says, and what w says while b still sees
 * m are not enough.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BfdState } from '../../../src/core/bfd/packet.js';
import type { Clock } from '../../../src/ports/clock.js';
import type { LivenessMessage, LivenessReports } from '../../../src/ports/liveness-reports.js';
import { BFD_DOWN_REASON, BfdLiveness } from '../../../src/runtime/bfd-liveness.js';
import { silentLogger } from '../../fakes/silent-logger.js';

const VOTERS = ['m', 'b', 'w'];

class Network {
  readonly handlers = new Map<string, (from: string, m: LivenessMessage) => void>();
  readonly log: Array<[string, string, LivenessMessage]> = [];
  /** Node ids whose messages are lost (a cut). */
  readonly cut = new Set<string>();

  endpoint(self: string): LivenessReports {
    return {
      send: (to, m) => {
        this.log.push([self, to, m]);
        if (!this.cut.has(self) && !this.cut.has(to)) queueMicrotask(() => this.handlers.get(to)?.(self, m));
      },
      onMessage: (h) => { this.handlers.set(self, h); },
    };
  }
}

const clock: Clock = { now: () => 0, schedule: () => () => undefined };
const settle = () => new Promise((r) => setImmediate(r));

function trio() {
  const net = new Network();
  const own: Record<string, Record<string, BfdState>> = { m: { b: 'Up', w: 'Up' }, b: { m: 'Up', w: 'Up' }, w: { m: 'Up', b: 'Up' } };
  const confirmed: Record<string, Array<[string, string]>> = { m: [], b: [], w: [] };
  const nodes = Object.fromEntries(['m', 'b', 'w'].map((self) => [self, new BfdLiveness({
    self, reports: net.endpoint(self), clock, logger: silentLogger, reportTtlMs: 1000,
    ownState: (id) => own[self]?.[id],
    groups: [{ name: 'web', voters: VOTERS, ...(self === 'w' ? {} : { peerConfirmedDown: (id: string, why: string) => confirmed[self]?.push([id, why]) }) }],
  })])) as Record<string, BfdLiveness>;
  const down = (self: string, peer: string) => {
    (own[self] as Record<string, BfdState>)[peer] = 'Down';
    nodes[self]?.sessionChanged(peer, false);
  };
  return { net, own, nodes, confirmed, down };
}

describe('BFD liveness: the majority rule over reports', () => {
  it('host death: b and the witness both lose m, so b is told m is down (bfd-down)', async () => {
    const t = trio();
    t.net.cut.add('m');
    t.down('b', 'm');
    await settle();
    assert.deepEqual(t.confirmed.b, [], 'not on its own Down alone');
    t.down('w', 'm');
    await settle();
    assert.deepEqual(t.confirmed.b, [['m', BFD_DOWN_REASON]]);
  });

  it('the order does not matter: the witness first, then b; and b asked the witness when its own session went Down', async () => {
    const t = trio();
    t.net.cut.add('m');
    t.down('w', 'm');
    await settle();
    t.down('b', 'm');
    await settle();
    assert.deepEqual(t.confirmed.b, [['m', BFD_DOWN_REASON]]);
    assert.ok(t.net.log.some(([from, to, msg]) => from === 'b' && to === 'w' && msg.kind === 'query' && msg.subject === 'm'));
  });

  it('a lossy b-m path: the witness still sees m Up and answers the query so; no verdict', async () => {
    const t = trio();
    t.down('b', 'm');
    await settle();
    assert.deepEqual(t.confirmed.b, []);
    assert.ok(t.net.log.some(([from, to, msg]) => from === 'w' && to === 'b' && msg.kind === 'report' && !msg.down));
  });

  it('an insider cannot force it: m about itself, a stranger, and the witness while b still sees m', async () => {
    const t = trio();
    const b = t.net.handlers.get('b');
    assert.ok(b);
    b('m', { kind: 'report', subject: 'm', down: true });
    b('x', { kind: 'report', subject: 'm', down: true });
    b('w', { kind: 'report', subject: 'm', down: true });
    await settle();
    assert.deepEqual(t.confirmed.b, []);
    // Then b's own session really goes Down, and w's earlier report is still fresh: that is a majority.
    t.net.cut.add('w');
    t.down('b', 'm');
    await settle();
    assert.deepEqual(t.confirmed.b, [['m', BFD_DOWN_REASON]]);
  });
});
