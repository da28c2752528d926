/**
 * Leases through the whole node (docs/leases.md): two members and a witness in a
 * `quorum: majority` group, ClusterNode on the in-memory ports with a virtual clock and a link
 * model the test partitions. The providers' own record says who holds the VIP; it is sampled
 * every virtual millisecond.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub, type MemoryTransport } from '../../fakes/memory-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { ClusterNode, type ClusterGroup } from '../../../src/runtime/cluster-node.js';
import { NoopProvider } from '../../../providers/noop/index.js';
import type { RoleChange } from '../../../src/runtime/instance-runner.js';
import { MemoryMembershipHub, type StreamModel } from '../../fakes/memory-membership.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

/** 1 ms links; `cut` pairs ("a>b") lose everything and have no stream. */
class Net implements StreamModel {
  readonly cut = new Set<string>();
  deliveries(from: string, to: string): readonly number[] {
    return this.cut.has(`${from}>${to}`) ? [] : [1];
  }
  connected(from: string, to: string): boolean {
    return !this.cut.has(`${from}>${to}`);
  }
  isolate(id: string, others: readonly string[]): void {
    for (const o of others) this.cut.add(`${id}>${o}`).add(`${o}>${id}`);
  }
}

const IDS = ['a', 'b', 'w'] as const;

function cluster(opts: { releaseMarginMs?: number; handoff?: boolean } = {}) {
  const clock = new VirtualClock();
  const net = new Net();
  const adverts = new MemoryHub(clock, net);
  const membership = new MemoryMembershipHub(clock, net);
  const providers = new Map<string, NoopProvider>();
  const metrics = new Map<string, MetricsRegistry>();
  const nodes = new Map<string, ClusterNode>();
  const changes: RoleChange[] = [];
  const priority: Record<string, number> = { a: 200, b: 100 };
  for (const id of IDS) {
    const provider = new NoopProvider(['192.0.2.50/32'], silentLogger, clock);
    const peers = ['a', 'b'].filter((x) => x !== id);
    const groups: ClusterGroup[] = id === 'w' ? [] : [{
      params: {
        group: 'web', vrid: 51, self: { nodeId: id }, basePriority: priority[id] ?? 100, advertIntervalCs: 10, version: 3,
        preempt: true, preemptDelayMs: 0, requireQuorum: true,
        ...(opts.releaseMarginMs === undefined ? {} : { lease: { voters: [...peers, 'w'], releaseMarginMs: opts.releaseMarginMs } }),
      },
      provider, peers, witnesses: ['w'], quorum: 'majority', ...(opts.handoff === undefined ? {} : { handoff: opts.handoff }),
    }];
    const t: MemoryTransport = adverts.connect(id);
    const m = new MetricsRegistry();
    nodes.set(id, new ClusterNode({
      nodeId: id, seeds: id === 'a' ? [] : ['a'],
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 2, suspicionMultiplier: 4 },
      groups, peerTransport: t, leaseTransport: t, membershipTransport: membership.connect(id),
      clock, logger: silentLogger, metrics: m, seed: nodes.size + 1,
      onRoleChange: (ch) => changes.push(ch),
    }));
    providers.set(id, provider);
    metrics.set(id, m);
  }
  const holders = () => [...providers.entries()].filter(([id, p]) => id !== 'w' && p.isHeld()).map(([id]) => id);
  const role = (id: string) => nodes.get(id)?.node.runners.get('web')?.state.role;
  let maxHolders = 0;
  /** Advances virtual time 1 ms at a time, letting provider promises settle; samples holders. */
  const run = async (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.runUntil(clock.now() + 1);
      await new Promise((r) => setImmediate(r));
      maxHolders = Math.max(maxHolders, holders().length);
    }
  };
  const start = async () => {
    for (const n of nodes.values()) await n.start();
  };
  /** Stops a gracefully; ms until b holds the VIP (never two holders meanwhile), or undefined. */
  /** Stops a gracefully; ms until b holds the VIP (at most `overlapMs` of two holders meanwhile), or undefined. */
  const stopAAndWatchB = async (overlapMs = 0): Promise<number | undefined> => {
    const t0 = clock.now();
    const stopped = nodes.get('a')!.stop();
    let bAt: number | undefined;
    let both = 0;
    for (let i = 0; i < 2000 && (bAt === undefined || holders().length > 1); i++) {
      await run(1);
      if (holders().length > 1) both += 1;
      assert.ok(both <= overlapMs, `two holders for ${both} ms`);
      if (holders().includes('b')) bAt ??= clock.now();
    }
    await run(1000);
    await stopped;
    return bAt === undefined ? undefined : bAt - t0;
  };
  return { clock, net, adverts, nodes, providers, metrics, changes, holders, role, run, start, stopAAndWatchB, maxHolders: () => maxHolders };
}

describe('leases through ClusterNode (in-memory ports, virtual clock)', () => {
  it('the master takes the VIP only with a majority granted, and keeps it renewed', async () => {
    const c = cluster();
    await c.start();
    await c.run(3000);
    assert.equal(c.role('a'), 'Master');
    assert.deepEqual(c.holders(), ['a']);
    assert.ok((c.metrics.get('w')?.get('vipd_lease_grants_total', { group: 'web', result: 'granted' }) ?? 0) > 10, 'the witness votes');
    assert.equal(c.metrics.get('a')?.sum('vipd_lease_expired_total'), 0);
    assert.equal(c.maxHolders(), 1);
  });

  it('a master cut off from every voter releases before the other side takes the VIP (sampled every ms)', async () => {
    const c = cluster();
    await c.start();
    await c.run(3000);
    assert.deepEqual(c.holders(), ['a']);
    c.net.isolate('a', ['b', 'w']);
    let aReleasedAt: number | undefined;
    let bAcquiredAt: number | undefined;
    for (let i = 0; i < 3000 && bAcquiredAt === undefined; i++) {
      await c.run(1);
      const h = c.holders();
      assert.ok(h.length <= 1, `two holders at t=${c.clock.now()}: ${h.join(',')}`);
      if (aReleasedAt === undefined && !h.includes('a')) aReleasedAt = c.clock.now();
      if (h.includes('b')) bAcquiredAt = c.clock.now();
    }
    assert.ok(aReleasedAt !== undefined && bAcquiredAt !== undefined && aReleasedAt < bAcquiredAt, `a released at ${aReleasedAt}, b acquired at ${bAcquiredAt}`);
    // The isolated a stays Master for the quorum-loss grace, but without the VIP.
    assert.equal(c.metrics.get('a')?.sum('vipd_lease_expired_total'), 1);
  });

  it('a deliberately broken lease (L beyond P: R = -150 ms) gives two holders in the same partition', async () => {
    const c = cluster({ releaseMarginMs: -150 });
    await c.start();
    await c.run(3000);
    c.net.isolate('a', ['b', 'w']);
    await c.run(3000);
    assert.equal(c.maxHolders(), 2, 'the checker sees the overlap, so the previous test can fail');
  });

  it('after a crash the new master takes the VIP just after the old promises (P = 400 ms) end, not an interval later', async () => {
    const c = cluster();
    await c.start();
    await c.run(3000);
    // Crash a right after it sent an advert: the voters' last promises to it end at t0 + 1 + P.
    const sent = () => c.metrics.get('a')?.sum('vipd_adverts_sent_total') ?? 0;
    const before = sent();
    for (let i = 0; i < 200 && sent() === before; i++) await c.run(1);
    const t0 = c.clock.now();
    await c.nodes.get('a')!.halt();
    let bAt: number | undefined;
    for (let i = 0; i < 2000 && bAt === undefined; i++) {
      await c.run(1); // (a's provider still says held: a crash releases nothing)
      if (c.holders().includes('b')) bAt = c.clock.now();
    }
    const after = bAt === undefined ? Infinity : bAt - t0;
    assert.ok(after >= 400, `not before the promises to a ran out (${after} ms)`);
    assert.ok(after <= 415, `b took the VIP ${after} ms after a's crash; the promises ended at ~401 ms`);
  });

  it('a backup that never heard the crashed master takes over at a higher term: the witness refuses the dead master\'s term and says it (docs/leases.md, "Terms")', async () => {
    const c = cluster();
    // b hears nothing from a (a's adverts to b are lost), so it knows no term; a still holds on
    // its own and the witness's grants.
    c.net.cut.add('a>b');
    await c.start();
    await c.run(3000);
    assert.deepEqual(c.holders(), ['a']);
    const aTerm = c.nodes.get('a')!.node.runners.get('web')!.state.term;
    await c.nodes.get('a')!.halt();
    c.providers.get('a')!.release?.({ term: aTerm, reason: 'test: the crashed host is gone', signal: new AbortController().signal });
    let bAt: number | undefined;
    for (let i = 0; i < 5000 && bAt === undefined; i++) {
      await c.run(1);
      if (c.holders().includes('b')) bAt = c.clock.now();
    }
    assert.ok(bAt !== undefined, 'b took the VIP');
    const bTerm = c.nodes.get('b')!.node.runners.get('web')!.state.term;
    assert.ok(bTerm > aTerm, `b holds at term ${bTerm}, a held at ${aTerm}`);
    assert.ok((c.metrics.get('w')?.get('vipd_lease_grants_total', { group: 'web', result: 'term-behind' }) ?? 0) +
      (c.metrics.get('w')?.get('vipd_lease_grants_total', { group: 'web', result: 'lease-refused' }) ?? 0) >= 1, 'the witness refused b first');
  });

  it('a graceful stop relinquishes (handoff off): the backup takes the VIP well before the old promises (P = 400 ms) run out', async () => {
    const c = cluster({ handoff: false });
    await c.start();
    await c.run(3000);
    const after = await c.stopAAndWatchB();
    assert.ok(after !== undefined && after < 150, `b took the VIP ${after === undefined ? 'never' : `${after} ms`} after a's stop`);
    assert.ok((c.metrics.get('w')?.sum('vipd_lease_relinquished_total') ?? 0) >= 1, 'the witness dropped its promise to a');
  });

  it('a lost relinquish is repeated: with the first copy to every voter lost, the backup still takes the VIP long before P (400 ms)', async () => {
    const c = cluster({ handoff: false });
    // Drop the first relinquish on every link; later copies pass.
    const unicast = c.adverts.unicast.bind(c.adverts);
    const lostOnce = new Set<string>();
    c.adverts.unicast = (from, to, msg) => {
      if (msg.kind === 'relinquish' && !lostOnce.has(`${from}>${to}`)) {
        lostOnce.add(`${from}>${to}`);
        return true;
      }
      return unicast(from, to, msg);
    };
    await c.start();
    await c.run(3000);
    const after = await c.stopAAndWatchB();
    assert.ok(lostOnce.size >= 2, `the first relinquish was dropped on ${lostOnce.size} links`);
    assert.ok(after !== undefined && after < 250, `b took the VIP ${after === undefined ? 'never' : `${after} ms`} after a's stop`);
  });

  it('a graceful stop hands off (issue 10): b takes over at once with reason handoff, holds before a releases, and the overlap stays within handoff_overlap_max', async () => {
    const c = cluster();
    await c.start();
    await c.run(3000);
    const t0 = c.clock.now();
    const after = await c.stopAAndWatchB(200);
    assert.ok(after !== undefined && after < 20, `b took the VIP ${after === undefined ? 'never' : `${after} ms`} after a's stop`);
    const toMaster = c.changes.find((ch) => ch.nodeId === 'b' && ch.to === 'Master' && ch.at >= t0);
    assert.match(toMaster?.reason ?? '', /^handoff: master a handed the group over/);
    assert.equal(c.metrics.get('w')?.get('vipd_lease_handovers_total', { group: 'web', result: 'moved' }), 1, 'the witness moved its promise to b');
    assert.deepEqual(c.holders(), ['b']);
  });
});
