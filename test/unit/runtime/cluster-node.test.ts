/**
 * ClusterNode (membership -> quorum -> verdicts -> elections) built purely from ports: the
 * in-memory advert hub, the in-memory membership transport, a virtual clock and a link monitor
 * the test sets. The real-gRPC versions of these runs are test/cluster/in-process.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub, type MemoryTransport } from '../../fakes/memory-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { ClusterNode } from '../../../src/runtime/cluster-node.js';
import { NoopProvider } from '../../../providers/noop/index.js';
import { MemoryLinkMonitor } from '../../fakes/memory-link-monitor.js';
import { MemoryMembershipHub } from '../../fakes/memory-membership.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import type { ProviderRequest } from '../../../src/ports/vip-provider.js';
import type { AdvertHandler, PeerTransport } from '../../../src/ports/peer-transport.js';
import type { Advert } from '../../../src/core/election/types.js';
import { START_GRACE_MS } from '../../../src/runtime/vrrp-identities.js';
import type { HealthCheckSpec } from '../../../src/runtime/health-checks.js';

interface Spec {
  id: string;
  priority: number;
  peers?: string[];
  quorum?: 'majority' | 'none';
  /** Health checks this node runs and its group tracks (docs/health-checks.md). */
  checks?: { spec: HealthCheckSpec; weight: number }[];
}

/** The in-memory hub carries adverts and lease messages alike. */
const transports = (t: MemoryTransport) => ({ peerTransport: t, leaseTransport: t });

function cluster(specs: Spec[]) {
  const clock = new VirtualClock();
  const adverts = new MemoryHub(clock);
  const membership = new MemoryMembershipHub(clock);
  const links = new MemoryLinkMonitor(clock);
  const nodes = new Map<string, { node: ClusterNode; provider: NoopProvider }>();
  for (const s of specs) {
    const provider = new NoopProvider(['192.0.2.50/32'], silentLogger, clock);
    const node = new ClusterNode({
      nodeId: s.id,
      seeds: s.id === specs[0]?.id ? [] : [specs[0]?.id ?? ''],
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 2, suspicionMultiplier: 4 },
      groups: [{
        params: {
          group: 'web', vrid: 51, self: { nodeId: s.id }, basePriority: s.priority, advertIntervalCs: 10, version: 3,
          preempt: true, preemptDelayMs: 0, requireQuorum: s.quorum === 'majority',
        },
        provider, peers: s.peers ?? [], witnesses: [], quorum: s.quorum ?? 'none', trackInterface: `eth-${s.id}`,
        ...(s.checks ? { tracks: s.checks.map((c) => ({ check: c.spec.params.name, weight: c.weight })) } : {}),
      }],
      ...(s.checks ? { checks: s.checks.map((c) => c.spec) } : {}),
      ...transports(adverts.connect(s.id)),
      membershipTransport: membership.connect(s.id),
      clock, logger: silentLogger, metrics: new MetricsRegistry(), links, seed: nodes.size + 1,
    });
    nodes.set(s.id, { node, provider });
  }
  const role = (id: string) => nodes.get(id)?.node.node.runners.get('web')?.state.role;
  const masters = () => [...nodes.keys()].filter((id) => role(id) === 'Master');
  const holders = () => [...nodes.entries()].filter(([, n]) => n.provider.isHeld()).map(([id]) => id);
  /** Advances virtual time in 5 ms steps, letting provider promises settle after each step. */
  const run = async (ms: number, each?: () => void) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.runUntil(Math.min(end, clock.now() + 5));
      await new Promise((r) => setImmediate(r));
      each?.();
    }
  };
  const start = async () => {
    for (const id of nodes.keys()) links.set(`eth-${id}`, true);
    for (const n of nodes.values()) await n.node.start();
  };
  return { clock, links, nodes, role, masters, holders, run, start };
}

describe('ClusterNode on in-memory ports', () => {
  it('two nodes join through a seed, see each other alive and elect exactly one master', async () => {
    const c = cluster([{ id: 'a', priority: 200 }, { id: 'b', priority: 100 }]);
    await c.start();
    await c.run(3000);
    for (const [id, n] of c.nodes) {
      const alive = [...n.node.members().values()].filter((m) => m.state === 'alive').map((m) => m.id);
      assert.deepEqual(alive.sort(), ['a', 'b'].filter((x) => x !== id), `${id} sees the other alive`);
    }
    assert.deepEqual(c.masters(), ['a']);
    assert.equal(c.role('b'), 'Backup');
    await c.run(2000, () => assert.deepEqual(c.holders(), ['a'], `only a holds the VIP at t=${c.clock.now()}`));
  });

  it('a crashed master is found by membership and the next priority takes over', async () => {
    const all = ['a', 'b', 'c'];
    const others = (id: string) => all.filter((x) => x !== id);
    const c = cluster([
      { id: 'a', priority: 100, peers: others('a'), quorum: 'majority' },
      { id: 'b', priority: 150, peers: others('b'), quorum: 'majority' },
      { id: 'c', priority: 200, peers: others('c'), quorum: 'majority' },
    ]);
    await c.start();
    await c.run(3000);
    assert.deepEqual(c.masters(), ['c']);
    await c.nodes.get('c')?.node.halt();
    c.nodes.delete('c');
    await c.run(3000);
    assert.deepEqual(c.masters(), ['b']);
    assert.deepEqual(c.holders(), ['b']);
    assert.notEqual(c.nodes.get('b')?.node.members().get('c')?.state, 'alive', 'membership no longer sees c alive');
  });

  it('health checks: a weight-0 check failing on the master puts it in Fault and the VIP moves; a negative weight below the backup\'s priority moves it too; both come back', async () => {
    let healthy = true;
    let weighted = true;
    const probe = (ok: () => boolean) => ({ run: async () => ({ ok: ok(), detail: ok() ? 'exit 0' : 'exit 1' }) });
    const c = cluster([
      { id: 'a', priority: 200, checks: [
        { spec: { params: { name: 'app', rise: 1, fall: 2 }, intervalMs: 100, timeoutMs: 50, probe: probe(() => healthy) }, weight: 0 },
        { spec: { params: { name: 'db', rise: 1, fall: 1 }, intervalMs: 100, timeoutMs: 50, probe: probe(() => weighted) }, weight: -150 },
      ] },
      { id: 'b', priority: 100 },
    ]);
    await c.start();
    await c.run(3000);
    assert.deepEqual(c.masters(), ['a']);
    healthy = false;
    await c.run(1500);
    assert.equal(c.role('a'), 'Fault');
    assert.deepEqual(c.holders(), ['b']);
    assert.match(c.nodes.get('a')?.node.node.runners.get('web')?.status().faultReason ?? '', /check app failing \(exit 1\)/);
    healthy = true;
    await c.run(2000);
    assert.deepEqual(c.holders(), ['a'], 'a preempts again once healthy');
    weighted = false; // 200 - 150 = 50 < 100: b preempts
    await c.run(2000);
    assert.deepEqual([c.role('a'), c.holders()], ['Backup', ['b']]);
    weighted = true;
    await c.run(2000);
    assert.deepEqual(c.holders(), ['a']);
  });

  it('a master whose tracked link goes down hands over, and takes the VIP back when it is up', async () => {
    const c = cluster([{ id: 'a', priority: 200 }, { id: 'b', priority: 100 }]);
    await c.start();
    await c.run(3000);
    assert.deepEqual(c.masters(), ['a']);
    c.links.set('eth-a', false);
    await c.run(1000);
    assert.equal(c.role('a'), 'Fault');
    assert.deepEqual(c.holders(), ['b']);
    c.links.set('eth-a', true);
    await c.run(2000);
    assert.deepEqual(c.masters(), ['a']);
    assert.deepEqual(c.holders(), ['a']);
  });

  it('unicast groups\' provider calls are fenced, VRRP groups\' are not; reassert_interval reaches the reconcile loop', async () => {
    const clock = new VirtualClock();
    const requests = new Map<string, ProviderRequest[]>();
    const statusAt = new Map<string, number[]>();
    const provider = (group: string) => {
      const p = new NoopProvider(['192.0.2.50/32'], silentLogger, clock);
      const acquire = p.acquire.bind(p);
      const status = p.status.bind(p);
      requests.set(group, []);
      statusAt.set(group, []);
      p.acquire = (req) => (requests.get(group)?.push(req), acquire(req));
      p.status = () => (statusAt.get(group)?.push(clock.now()), status());
      return p;
    };
    const params = (group: string, vrid: number) => ({
      group, vrid, self: { nodeId: 'a' }, basePriority: 100, advertIntervalCs: 10, version: 3 as const, preempt: true, preemptDelayMs: 0,
    });
    const t = new MemoryHub(clock).connect('a');
    const node = new ClusterNode({
      nodeId: 'a', seeds: [],
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 2, suspicionMultiplier: 4 },
      groups: [
        { params: params('web', 51), provider: provider('web'), peers: [], witnesses: [], quorum: 'none', reassertIntervalMs: 1000 },
        { params: { ...params('lan', 52), orderByTerm: false }, provider: provider('lan'), peers: [], witnesses: [], quorum: 'none', transport: 'multicast' },
      ],
      peerTransport: t, leaseTransport: t,
      lan: { transport: new MemoryHub(clock).connect('a'), groups: new Set(['lan']) },
      membershipTransport: new MemoryMembershipHub(clock).connect('a'),
      clock, logger: silentLogger, metrics: new MetricsRegistry(),
    });
    await node.start();
    await clock.advanceTo(3500);
    assert.deepEqual(node.groupStatus().map((g) => [g.group, g.role]), [['web', 'Master'], ['lan', 'Master']]);
    assert.ok((requests.get('web') ?? []).length > 0 && (requests.get('web') ?? []).every((r) => r.fenced === true && r.isCurrent?.() !== undefined));
    assert.ok((requests.get('lan') ?? []).length > 0 && (requests.get('lan') ?? []).every((r) => r.fenced === false));
    const web = statusAt.get('web') ?? [];
    assert.equal(web.length, 3, `web reconciles every second from its takeover: ${web.join(', ')}`);
    assert.deepEqual(statusAt.get('lan'), [], 'lan keeps the default 10 s');
    await clock.runWhile(node.stop());
  });

  it('transport both, vrrp_peers: vipd: a peer\'s VRRP adverts are heard as that peer, with its gRPC term; a lease as unicast', async () => {
    const clock = new VirtualClock();
    const fake = (): PeerTransport & { hear: AdvertHandler } => {
      let handler: AdvertHandler = () => undefined;
      return { start: async (h) => { handler = h; }, send: () => undefined, stop: async () => undefined, hear: (m) => handler(m) };
    };
    const grpc = fake();
    const lan = fake();
    const metrics = new MetricsRegistry();
    const provider = new NoopProvider(['192.0.2.50/32'], silentLogger, clock);
    const node = new ClusterNode({
      nodeId: 'b', seeds: [],
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 2, suspicionMultiplier: 4 },
      groups: [{
        params: { group: 'web', vrid: 51, self: { nodeId: 'b', address: '192.0.2.12' }, basePriority: 100, advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0, requireQuorum: true, vrrpCadence: true },
        provider, peers: ['a'], witnesses: ['w'], quorum: 'majority', transport: 'both', vrrpPeers: 'vipd',
      }],
      peerTransport: grpc, leaseTransport: new MemoryHub(clock).connect('b'),
      lan: { transport: lan, groups: new Set(['web']) },
      membershipTransport: new MemoryMembershipHub(clock).connect('b'),
      clock, logger: silentLogger, metrics,
    });
    await node.start();
    const runner = node.node.runners.get('web');
    assert.ok(runner?.state.params.lease, 'a vipd-only both group holds on a lease');
    const advert = (sender: Advert['sender'], term: number, priority = 150): Advert => ({ vrid: 51, sender, priority, advertIntervalCs: 10, term });
    const origin = { nodeId: 'a', primaryAddresses: ['192.0.2.11'], groups: ['web'] };
    const fromVrrp = (source: string, priority = 150) => lan.hear({ group: 'web', advert: advert({ nodeId: source, address: source }, 0, priority) });

    // Before a's first gRPC advert its VRRP advert is the address's, and counted.
    fromVrrp('192.0.2.11');
    assert.equal(runner?.state.master?.sender.nodeId, '192.0.2.11');
    assert.equal(metrics.get('vipd_vrrp_unattributed_total', { group: 'web', reason: 'unknown' }), 1);
    grpc.hear({ group: 'web', advert: advert({ nodeId: 'a', address: '192.0.2.11' }, 6), origin });
    assert.deepEqual([runner?.state.master?.sender.nodeId, runner?.state.term], ['a', 6]);
    fromVrrp('192.0.2.11');
    assert.deepEqual(runner?.state.master?.sender, { nodeId: 'a', address: '192.0.2.11' }, 'one master, one identity');
    assert.equal(runner?.state.master?.term, 6, 'with the term of its gRPC adverts');
    assert.equal(metrics.get('vipd_vrrp_unattributed_total', { group: 'web', reason: 'unknown' }), 1, 'attributed adverts are not counted');
    // A refused gRPC advert (an address a did not announce) teaches nothing.
    grpc.hear({ group: 'web', advert: advert({ nodeId: 'a', address: '192.0.2.99' }, 9), origin });
    fromVrrp('192.0.2.99');
    assert.equal(metrics.get('vipd_vrrp_unattributed_total', { group: 'web', reason: 'unknown' }), 2);
    assert.equal(metrics.get('vipd_adverts_dropped_total', { group: 'web', reason: 'address-mismatch' }), 1);
    await clock.advanceTo(START_GRACE_MS + 1);
    await clock.runWhile(node.stop());
  });
});
