/** Three in-process nodes over real gRPC + mTLS on loopback: join, elect, fail over. */
import assert from 'node:assert/strict';
import { after, it } from 'node:test';
import type { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { TestCluster, until } from './harness.js';

const c = new TestCluster([
  { id: 'a', priority: 100, peers: ['b', 'c'], quorum: 'majority' },
  { id: 'b', priority: 150, peers: ['a', 'c'], quorum: 'majority' },
  { id: 'c', priority: 200, peers: ['a', 'b'], quorum: 'majority' },
]);
after(() => c.stopAll());

it('three nodes join through one seed, see each other alive and elect the highest priority', async () => {
  await c.startAll();
  await until(() => [...c.nodes.values()].every((n) => [...n.members().values()].filter((m) => m.state === 'alive').length === 2), 10_000, 'full membership');
  await until(() => c.masters().length === 1 && c.masters()[0] === 'c' && c.role('a') === 'Backup' && c.role('b') === 'Backup', 10_000, 'c master');
  await new Promise((r) => setTimeout(r, 500));
  assert.deepEqual(c.masters(), ['c'], 'stays stable');
});

it('a graceful stop of the master hands over to the next priority', async () => {
  const t0 = Date.now();
  const seen = c.changes.length;
  await c.nodes.get('c')!.node.resign();
  await until(() => c.masters().length === 1 && c.masters()[0] === 'b', 5000, 'b master');
  const change = c.changes.slice(seen).find((x) => x.nodeId === 'b' && x.to === 'Master');
  assert.match(change?.reason ?? '', /resigned \(priority 0\)/);
  assert.ok(Date.now() - t0 < 5000);
});

it('a correct cluster meets none of the transport limits (issue 8 finding 10)', () => {
  for (const [id, n] of c.nodes) {
    const m = n.metrics as MetricsRegistry;
    assert.equal(m.sum('vipd_peer_rejected_total'), 0, `${id}: no stream refused`);
    assert.equal(m.sum('vipd_peer_frames_dropped_total', { reason: 'rate-limited' }) + m.sum('vipd_peer_frames_dropped_total', { reason: 'byte-limited' }), 0, `${id}: no frame over budget`);
  }
});
