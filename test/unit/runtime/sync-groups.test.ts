/**
 * Sync groups (src/runtime/sync-groups.ts, docs/sync-groups.md) on ClusterNode's in-memory ports:
 * three nodes with leases (quorum majority), groups web (the leader) and db (its follower). At
 * every 5 ms step of virtual time a group has two holders only within a handoff's overlap bound
 * (make-before-break, docs/leases.md "Handoff"); after each fault both settle on one node.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NoopProvider } from '../../../providers/noop/index.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { ClusterNode } from '../../../src/runtime/cluster-node.js';
import { SyncGroups, type SyncMember } from '../../../src/runtime/sync-groups.js';
import { MemoryHub } from '../../fakes/memory-transport.js';
import { MemoryLinkMonitor } from '../../fakes/memory-link-monitor.js';
import { MemoryMembershipHub } from '../../fakes/memory-membership.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const GROUPS = [{ name: 'web', vrid: 51, vip: '192.0.2.50/32' }, { name: 'db', vrid: 52, vip: '192.0.2.51/32' }] as const;
type GroupName = (typeof GROUPS)[number]['name'];
/** The default handoff_overlap_max (docs/leases.md "Handoff"). */
const HANDOFF_OVERLAP_MS = 200;

function pair(priorities: Record<string, number>) {
  const clock = new VirtualClock();
  const adverts = new MemoryHub(clock);
  const membership = new MemoryMembershipHub(clock);
  const links = new MemoryLinkMonitor(clock);
  const ids = Object.keys(priorities);
  const nodes = new Map<string, { node: ClusterNode; providers: Map<GroupName, NoopProvider> }>();
  for (const id of ids) {
    const providers = new Map(GROUPS.map((g) => [g.name, new NoopProvider([g.vip], silentLogger, clock)] as const));
    const t = adverts.connect(id);
    const node = new ClusterNode({
      nodeId: id,
      seeds: id === ids[0] ? [] : [ids[0] ?? ''],
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 2, suspicionMultiplier: 4 },
      groups: GROUPS.map((g) => ({
        params: {
          group: g.name, vrid: g.vrid, self: { nodeId: id }, basePriority: priorities[id] ?? 100, advertIntervalCs: 10, version: 3,
          preempt: true, preemptDelayMs: 0, requireQuorum: true,
        },
        provider: providers.get(g.name) as NoopProvider, peers: ids.filter((x) => x !== id), witnesses: [], quorum: 'majority' as const,
        trackInterface: `${id}-${g.name}`,
      })),
      syncGroups: [{ name: 'edge', leader: 'web', followers: ['db'] }],
      peerTransport: t, leaseTransport: t, membershipTransport: membership.connect(id),
      clock, logger: silentLogger, metrics: new MetricsRegistry(), links, seed: nodes.size + 1,
    });
    nodes.set(id, { node, providers });
  }
  const runner = (id: string, g: GroupName) => nodes.get(id)?.node.node.runners.get(g);
  const dead = new Set<string>();
  const holders = (g: GroupName) => [...nodes.entries()].filter(([id, n]) => !dead.has(id) && n.providers.get(g)?.isHeld()).map(([id]) => id);
  const crash = async (id: string) => {
    dead.add(id);
    await nodes.get(id)?.node.halt();
  };
  const where = () => GROUPS.map((g) => `${g.name}@${holders(g.name).join('+') || 'none'}`).join(' ');
  const twoSince = new Map<GroupName, number>();
  /** Advances virtual time in 5 ms steps; at every step no group has had two holders for longer than a handoff may. */
  const run = async (ms: number) => {
    const end = clock.now() + ms;
    while (clock.now() < end) {
      clock.runUntil(Math.min(end, clock.now() + 5));
      await new Promise((r) => setImmediate(r));
      for (const g of GROUPS) {
        const h = holders(g.name);
        assert.ok(h.length <= 2, `t=${clock.now()}: ${g.name} held by ${h.join(', ')}`);
        if (h.length < 2) twoSince.delete(g.name);
        else if (!twoSince.has(g.name)) twoSince.set(g.name, clock.now());
        const since = twoSince.get(g.name);
        assert.ok(since === undefined || clock.now() - since <= HANDOFF_OVERLAP_MS, `t=${clock.now()}: ${g.name} held by ${h.join(' and ')} since t=${since}`);
      }
    }
  };
  const start = async () => {
    for (const id of ids) for (const g of GROUPS) links.set(`${id}-${g.name}`, true);
    for (const n of nodes.values()) await n.node.start();
  };
  return { links, nodes, runner, holders, where, run, start, crash };
}

describe('sync groups', () => {
  it('the follower goes where the leader is; a follower failing on its own moves both; they come back together', async () => {
    const p = pair({ a: 200, b: 150, c: 100 });
    await p.start();
    await p.run(3000);
    assert.equal(p.where(), 'web@a db@a');
    // b's follower is held out while b's leader is a backup, and says why.
    assert.equal(p.runner('b', 'db')?.state.role, 'Fault');
    assert.match(p.runner('b', 'db')?.status().faultReason ?? '', /sync group edge: its leader web is Backup here, not Master/);

    // db's link fails on a: db is in Fault there for its own reason, so web leaves a, and db follows web to b.
    p.links.set('a-db', false);
    await p.run(3000);
    assert.equal(p.where(), 'web@b db@b');
    assert.match(p.runner('a', 'web')?.status().faultReason ?? '', /sync group edge: db is in Fault \(link a-db\)/);

    // The link comes back: a's web preempts (priority 200), and db follows it home.
    p.links.set('a-db', true);
    await p.run(3000);
    assert.equal(p.where(), 'web@a db@a');

    // The leader failing on its own moves the follower too.
    p.links.set('a-web', false);
    await p.run(3000);
    assert.equal(p.where(), 'web@b db@b');
    p.links.set('a-web', true);
    await p.run(3000);
    assert.equal(p.where(), 'web@a db@a');

    // A crash: b takes both (what the dead process left bound no longer answers).
    await p.crash('a');
    await p.run(3000);
    assert.equal(p.where(), 'web@b db@b');
  });

  it('a follower failing everywhere leaves the set nowhere (the group cannot run), and it returns when one node is healthy', async () => {
    const p = pair({ a: 200, b: 150, c: 100 });
    await p.start();
    await p.run(3000);
    for (const id of ['a', 'b', 'c']) p.links.set(`${id}-db`, false);
    await p.run(3000);
    assert.equal(p.where(), 'web@none db@none');
    p.links.set('c-db', true);
    await p.run(3000);
    assert.equal(p.where(), 'web@c db@c');
  });
});

describe('SyncGroups.update', () => {
  it('holds followers while the leader is not Master, the leader while a follower has a fault of its own, and never counts its own holds', () => {
    const made = (group: string, role: SyncMember['state']['role'], faults: string[] = []) => {
      const m = {
        group, state: { role, faults },
        raiseFault(r: string) {
          if (!m.state.faults.includes(r)) m.state = { ...m.state, faults: [...m.state.faults, r] };
        },
        clearFault(r: string) {
          m.state = { ...m.state, faults: m.state.faults.filter((f) => f !== r) };
        },
      };
      return m;
    };
    const web = made('web', 'Backup');
    const db = made('db', 'Backup');
    const dns = made('dns', 'Master');
    const all = new Map([['web', web], ['db', db], ['dns', dns]]);
    const sync = new SyncGroups([{ name: 'edge', leader: 'web', followers: ['db', 'dns'] }], (g) => all.get(g), silentLogger);
    sync.update();
    assert.deepEqual([web.state.faults, db.state.faults, dns.state.faults], [[], ['sync:edge'], ['sync:edge']]);
    web.state = { ...web.state, role: 'Master' };
    sync.update();
    assert.deepEqual([web.state.faults, db.state.faults, dns.state.faults], [[], [], []]);
    db.state = { ...db.state, faults: ['check:app'] };
    sync.update();
    assert.deepEqual(web.state.faults, ['sync:edge'], 'a follower\'s own fault holds the leader');
    // The leader, held, leaves Master: the followers are held too, but that never holds the leader.
    web.state = { ...web.state, role: 'Fault' };
    db.state = { ...db.state, faults: [] };
    sync.update();
    assert.deepEqual([web.state.faults, db.state.faults, dns.state.faults], [[], ['sync:edge'], ['sync:edge']]);
  });
});
