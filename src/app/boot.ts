/**
 * Builds a running node from validated configuration: reads and cross-checks the TLS files,
 * builds the keyring, the replay guard and the providers. Everything that can be wrong about
 * the files is found here, before the election starts, with the file named. Only what the
 * configuration uses is loaded: a node whose groups all speak VRRP loads no gRPC, TLS or
 * signing code (src/app/unicast.ts is imported for the others), and a cloud provider's SDK is
 * loaded by the provider itself when it first works (providers/aws/sdk.ts, providers/gcp/lazy.ts);
 * test/unit/app/lazy-loading.test.ts checks both.
 */
import { buildNotify, NotifyingNode } from './notify.js';
import { groupTracks, healthSpecs } from './health.js';
import { electsAsUnicast, type GroupConfig, type VipdConfig } from '../config/types.js';
import type { ElectionParams } from '../core/election/types.js';
import { VrrpSocket, interfaceInfo } from '../adapters/vrrp/vrrp-socket.js';
import { VrrpTransport, type VrrpGroup } from '../adapters/vrrp/vrrp-transport.js';
import { sysfsLinkMonitor } from '../adapters/link-watcher.js';
import { MetricsRegistry } from '../adapters/metrics-registry.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Audit } from '../ports/audit.js';
import type { RotatingSigner } from './key-rotation.js';
import type { RotatingTls } from './cert-rotation.js';
import type { GroupReloader } from './group-reload.js';
import type { Metrics } from '../ports/metrics.js';
import type { ClusterGroup, RunningNode } from '../runtime/cluster-node.js';
import type { GroupStatus, RoleChange } from '../runtime/instance-runner.js';
import { VipdNode } from '../runtime/node.js';
import { electionParams } from './from-config.js';
import { makeGroupProvider, PROVIDER_PLUGINS } from './providers.js';
import { defaultStartupHoldMs } from '../runtime/startup-hold.js';
import type { ProviderPlugin } from '../../providers/common/plugin.js';
import type { Member } from '../core/membership/types.js';
import type { CheckState } from '../core/health/check.js';

export interface BootOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly onRoleChange?: (c: RoleChange) => void;
  /** Where provider calls, check and member changes go as events (src/runtime/event-log.ts). */
  readonly audit?: Audit;
  /** Advert keys a reload can rotate (src/app/key-rotation.ts). */
  readonly keys?: RotatingSigner;
  /** Certificates a reload can rotate (src/app/cert-rotation.ts). */
  readonly certs?: RotatingTls;
  /** Where the boot says how a reload changes its groups (src/app/group-reload.ts). */
  readonly groupReloader?: GroupReloader;
  /** The provider registry; default PROVIDER_PLUGINS (tests add their own). */
  readonly providers?: readonly ProviderPlugin[];
  /** What providers read their SDKs' standard variables from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The VRRP transport for the groups that speak it (multicast or both), if any. */
/** The groups that speak VRRP, as the VRRP transport knows them. */
function vrrpGroups(config: VipdConfig): VrrpGroup[] {
  return config.groups.filter((g) => g.transport !== 'unicast').map((g) => ({
    group: g.name, vrid: g.vrid, version: g.version, family: g.vips[0]?.family ?? 4, interface: g.interface,
    vips: g.vips.map((v) => v.address),
    ...(g.authPass !== undefined ? { pass: g.authPass } : {}),
  }));
}

function lanTransport(config: VipdConfig, opts: BootOptions & { metrics: Metrics }): { transport: VrrpTransport; groups: Set<string> } | undefined {
  const groups = config.groups.filter((g) => g.transport !== 'unicast');
  if (groups.length === 0) return undefined;
  const transport = new VrrpTransport({
    groups: vrrpGroups(config),
    open: (iface, family) => new VrrpSocket({
      interface: iface,
      family,
      onError: (err) => {
        opts.metrics.inc('vipd_vrrp_socket_errors_total', { interface: iface });
        opts.logger.warn({ err, interface: iface }, `VRRP socket on ${iface} failed (${err.message}); reopening`);
      },
    }),
    logger: opts.logger.child({ component: 'vrrp' }),
    metrics: opts.metrics,
  });
  return { transport, groups: new Set(groups.map((g) => g.name)) };
}

/**
 * Election parameters of a group. A group that speaks VRRP is known on the wire by its source
 * address on the interface, so that address is its tie-break identity, and it orders dual
 * masters as RFC 5798 does (no term), like keepalived and FRR in the same VRID, unless every
 * speaker is a vipd node (`vrrp_peers: vipd`): then terms order them, as in unicast groups,
 * and the VRRP adverts of its peers carry their gRPC terms (src/runtime/vrrp-identities.ts).
 */
function groupParams(config: VipdConfig, g: GroupConfig, lan: { groups: Set<string> } | undefined): ElectionParams {
  const base = { ...electionParams(config, g), requireQuorum: g.quorum === 'majority' };
  if (!lan?.groups.has(g.name)) return base;
  const source = interfaceInfo(g.interface, g.vips[0]?.family ?? 4).address;
  return { ...base, self: { nodeId: config.node.id, address: source }, vrrpCadence: true, ...(electsAsUnicast(g) ? {} : { orderByTerm: false }) };
}

/** What the runtime runs for group `g`: its election parameters, its provider, its peers and timings. */
function clusterGroup(config: VipdConfig, g: GroupConfig, opts: BootOptions & { metrics: Metrics }, lan: { groups: Set<string> } | undefined): ClusterGroup {
  const registry = opts.providers ?? PROVIDER_PLUGINS;
  const host = { nodeId: config.node.id, clock: opts.clock, logger: opts.logger, metrics: opts.metrics, env: opts.env ?? process.env, configDir: config.configDir };
  return {
    params: groupParams(config, g, lan),
    provider: makeGroupProvider(g, host, registry),
    // A VIP on a link that is down reaches nobody: such groups resign (Fault) until it is up.
    ...(g.transport !== 'unicast' || g.providers.some((p) => p.type === 'local') ? { trackInterface: g.interface } : {}),
    peers: g.peers,
    witnesses: g.witnesses,
    quorum: g.quorum,
    leaseStallToleranceMs: g.leaseStallToleranceMs,
    transport: g.transport,
    ...(g.vrrpPeers !== undefined ? { vrrpPeers: g.vrrpPeers } : {}),
    // How often a master re-reads and re-asserts (ProviderDriver's reconcile loop).
    reassertIntervalMs: g.reassertIntervalMs,
    ...(g.crashVerdict === undefined ? {} : { crashVerdict: g.crashVerdict }),
    // Issue 10: direct handoff and the startup hold (docs/leases.md "Handoff", docs/configuration.md).
    ...(g.handoff !== undefined ? { handoff: g.handoff } : {}),
    ...(g.handoffOverlapMaxMs !== undefined ? { handoffOverlapMaxMs: g.handoffOverlapMaxMs } : {}),
    startupHoldMs: g.startupHoldMs ?? defaultStartupHoldMs(g.priority, g.advertIntervalCs, g.version),
    tracks: groupTracks(g),
  };
}

/** A node that only speaks VRRP on its LAN: no gRPC, no membership, no certificates. */
class LanNode implements RunningNode {
  constructor(private readonly node: VipdNode, readonly address: string) {}
  get metrics(): Metrics {
    return this.node.metrics;
  }
  start(signal?: AbortSignal): Promise<void> {
    return this.node.start(signal);
  }
  stop(): Promise<void> {
    return this.node.stop();
  }
  groupStatus(): GroupStatus[] {
    return this.node.groupStatus();
  }
  members(): ReadonlyMap<string, Member> {
    return new Map();
  }
  checkStates(): ReadonlyMap<string, CheckState> {
    return this.node.checkStates();
  }
  setMaintenance(group: string, on: boolean): Promise<boolean> {
    return this.node.setMaintenance(group, on);
  }
  setBoost(group: string, by: number): boolean {
    return this.node.setBoost(group, by);
  }
}

export async function buildNode(config: VipdConfig, bootOpts: BootOptions): Promise<RunningNode> {
  const metrics = bootOpts.metrics ?? new MetricsRegistry();
  const hooks = buildNotify(config, bootOpts.clock, bootOpts.logger, metrics);
  if (!hooks) return buildElections(config, { ...bootOpts, metrics });
  const outer = bootOpts.onRoleChange;
  const node = await buildElections(config, {
    ...bootOpts, metrics,
    onRoleChange: (c) => {
      hooks.roleChanged(c);
      outer?.(c);
    },
  });
  return new NotifyingNode(node, hooks);
}

async function buildElections(config: VipdConfig, bootOpts: BootOptions): Promise<RunningNode> {
  const opts = { ...bootOpts, metrics: bootOpts.metrics ?? new MetricsRegistry() };
  const { logger } = opts;
  // Cloud SDKs are evaluated now, in one synchronous block each, before any timer of ours runs
  // (ProviderPlugin.load): never as a pause of a running election.
  const registry = opts.providers ?? PROVIDER_PLUGINS;
  const used = new Set(config.groups.flatMap((g) => g.providers.map((p) => p.type)));
  await Promise.all(registry.filter((p) => used.has(p.type)).map((p) => p.load?.()));
  const lan = lanTransport(config, opts);
  const groups = config.groups.map((g) => clusterGroup(config, g, opts, lan));
  if (!config.insecure && !config.tls && lan) {
    // Configuration allows this only when every group is multicast, with no seeds.
    if (config.bfd?.enabled) logger.warn({ bfd: true }, 'bfd.enabled: this node speaks only VRRP (no peer links, no unicast group), so no BFD session runs (docs/bfd.md "What runs")');
    const node = new VipdNode({
      nodeId: config.node.id, groups, transport: lan.transport, clock: opts.clock, logger, metrics: opts.metrics, links: sysfsLinkMonitor,
      checks: healthSpecs(config.checks),
      syncGroups: config.syncGroups,
      ...(opts.audit ? { audit: opts.audit } : {}),
      ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
    });
    // A reload: the removed groups stop (their priority-0 adverts go out), the transport takes
    // the new group list (opening a socket for a new interface), then the added groups start.
    opts.groupReloader?.attach(async (cfg, add, remove) => {
      for (const name of remove) await node.removeGroup(name);
      await lan.transport.setGroups(vrrpGroups(cfg));
      const speaking = { groups: new Set(vrrpGroups(cfg).map((v) => v.group)) };
      for (const g of add) await node.addGroup(clusterGroup(cfg, g, opts, speaking));
    }, ['multicast']);
    return new LanNode(node, `VRRP on ${[...new Set(config.groups.map((g) => g.interface))].join(', ')}`);
  }
  // Only now: gRPC, TLS and signing are loaded for nodes whose groups use them (src/app/unicast.ts).
  const { buildUnicastNode } = await import('./unicast.js');
  const node = await buildUnicastNode(config, { ...opts, groups, ...(lan ? { lan } : {}) });
  // A reload (ClusterNode.reconfigure): unicast groups always; multicast ones when the node has
  // its VRRP transport already (a first VRRP group would need one: a restart).
  opts.groupReloader?.attach(async (cfg, add, remove) => {
    const speaking = { groups: new Set(vrrpGroups(cfg).map((v) => v.group)) };
    await node.reconfigure({
      remove,
      add: add.map((g) => clusterGroup(cfg, g, opts, speaking)),
      between: async () => {
        if (!lan) return;
        for (const name of remove) lan.groups.delete(name);
        for (const g of add) if (g.transport !== 'unicast') lan.groups.add(g.name);
        await lan.transport.setGroups(vrrpGroups(cfg));
      },
    });
  }, lan ? ['unicast', 'multicast'] : ['unicast']);
  return node;
}
