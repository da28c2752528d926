/**
 * Builds a running node from validated configuration: reads and cross-checks the TLS files,
 * builds the keyring, the replay guard and the providers. Everything that can be wrong about
 * the files is found here, before the election starts, with the file named.
 */
import { insecureCredentials, mutualTlsCredentials } from '../adapters/grpc/credentials.js';
import type { AdvertSigner } from '../adapters/grpc/grpc-transport.js';
import type { GroupConfig, VipdConfig } from '../config/types.js';
import type { ElectionParams } from '../core/election/types.js';
import { VrrpSocket, interfaceInfo } from '../adapters/vrrp/vrrp-socket.js';
import { VrrpTransport } from '../adapters/vrrp/vrrp-transport.js';
import { sysfsLinkMonitor } from '../adapters/link-watcher.js';
import { MetricsRegistry } from '../adapters/metrics-registry.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { RunningNode } from '../runtime/cluster-node.js';
import type { GroupStatus, RoleChange } from '../runtime/instance-runner.js';
import { VipdNode } from '../runtime/node.js';
import { loadTlsFiles } from '../security/identity.js';
import { initialSequence, ReplayGuard } from '../security/replay.js';
import { Keyring } from '../security/signing.js';
import { grpcClusterNode } from './cluster.js';
import { electionParams } from './from-config.js';
import { makeGroupProvider, PROVIDER_PLUGINS } from './providers.js';
import { defaultStartupHoldMs } from '../runtime/startup-hold.js';
import type { ProviderPlugin } from '../../providers/common/plugin.js';

/** `insecure: true`: nothing is signed and everything is accepted (demo only). */
const unsigned: AdvertSigner = {
  sign: () => undefined,
  verify: (_body, keyId) => ({ accept: true, verdict: keyId ? 'unknown-key' : 'unsigned' }),
};

export interface BootOptions {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  readonly onRoleChange?: (c: RoleChange) => void;
  /** The provider registry; default PROVIDER_PLUGINS (tests add their own). */
  readonly providers?: readonly ProviderPlugin[];
  /** What providers read their SDKs' standard variables from; default process.env. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** The VRRP transport for the groups that speak it (multicast or both), if any. */
function lanTransport(config: VipdConfig, opts: BootOptions & { metrics: Metrics }): { transport: VrrpTransport; groups: Set<string> } | undefined {
  const groups = config.groups.filter((g) => g.transport !== 'unicast');
  if (groups.length === 0) return undefined;
  const transport = new VrrpTransport({
    groups: groups.map((g) => ({
      group: g.name, vrid: g.vrid, version: g.version, family: g.vips[0]?.family ?? 4, interface: g.interface,
      vips: g.vips.map((v) => v.address),
      ...(g.authPass !== undefined ? { pass: g.authPass } : {}),
    })),
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
 * masters as RFC 5798 does (no term), like keepalived and FRR in the same VRID.
 */
function groupParams(config: VipdConfig, g: GroupConfig, lan: { groups: Set<string> } | undefined): ElectionParams {
  const base = { ...electionParams(config, g), requireQuorum: g.quorum === 'majority' };
  if (!lan?.groups.has(g.name)) return base;
  const source = interfaceInfo(g.interface, g.vips[0]?.family ?? 4).address;
  return { ...base, self: { nodeId: config.node.id, address: source }, orderByTerm: false };
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
}

export async function buildNode(config: VipdConfig, bootOpts: BootOptions): Promise<RunningNode> {
  const opts = { ...bootOpts, metrics: bootOpts.metrics ?? new MetricsRegistry() };
  const { logger } = opts;
  const lan = lanTransport(config, opts);
  const host = { nodeId: config.node.id, clock: opts.clock, logger, metrics: opts.metrics, env: opts.env ?? process.env, configDir: config.configDir };
  const groups = config.groups.map((g) => ({
    params: groupParams(config, g, lan),
    provider: makeGroupProvider(g, host, opts.providers ?? PROVIDER_PLUGINS),
    // A VIP on a link that is down reaches nobody: such groups resign (Fault) until it is up.
    ...(g.transport !== 'unicast' || g.providers.some((p) => p.type === 'local') ? { trackInterface: g.interface } : {}),
    peers: g.peers,
    witnesses: g.witnesses,
    quorum: g.quorum,
    leaseStallToleranceMs: g.leaseStallToleranceMs,
    transport: g.transport,
    // How often a master re-reads and re-asserts (ProviderDriver's reconcile loop).
    reassertIntervalMs: g.reassertIntervalMs,
    // Issue 10: direct handoff and the startup hold (docs/leases.md "Handoff", docs/configuration.md).
    ...(g.handoff !== undefined ? { handoff: g.handoff } : {}),
    ...(g.handoffOverlapMaxMs !== undefined ? { handoffOverlapMaxMs: g.handoffOverlapMaxMs } : {}),
    startupHoldMs: g.startupHoldMs ?? defaultStartupHoldMs(g.priority, g.advertIntervalCs, g.version),
  }));
  if (!config.insecure && !config.tls && lan) {
    // Configuration allows this only when every group is multicast, with no seeds.
    const node = new VipdNode({
      nodeId: config.node.id, groups, transport: lan.transport, clock: opts.clock, logger, metrics: opts.metrics, links: sysfsLinkMonitor,
      ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
    });
    return new LanNode(node, `VRRP on ${[...new Set(config.groups.map((g) => g.interface))].join(', ')}`);
  }
  let credentials = insecureCredentials();
  let signer = unsigned;
  if (config.insecure) {
    logger.warn({ insecure: true }, 'insecure: true — peer links are plaintext and unauthenticated, adverts are unsigned; for demos only, never in production');
  } else {
    const tls = config.tls;
    const auth = config.auth;
    if (!tls || !auth) throw new Error('configuration has neither tls/auth nor insecure: true');
    const material = await loadTlsFiles({ ca: tls.ca, cert: tls.cert, key: tls.key }, { expect: { clusterId: config.clusterId, nodeId: config.node.id } });
    for (const w of material.warnings) logger.warn({ file: tls.cert }, w);
    credentials = mutualTlsCredentials(config.clusterId, { ca: material.ca, cert: material.cert, key: material.key, allow: tls.allow });
    signer = new Keyring({ keys: auth.keys, mode: auth.mode, ...(auth.activeKeyId ? { activeKeyId: auth.activeKeyId } : {}) });
    if (auth.mode !== 'enforce') logger.warn({ mode: auth.mode }, `advert signing in ${auth.mode} mode: unsigned or badly signed adverts are accepted (counted in vipd_advert_signatures_total); switch to enforce once every node signs`);
  }
  const longestIntervalMs = Math.max(100, ...config.groups.map((g) => g.advertIntervalCs * 10));
  return grpcClusterNode({
    clusterId: config.clusterId,
    nodeId: config.node.id,
    listen: config.node.listen,
    ...(config.node.advertise ? { advertise: config.node.advertise } : {}),
    seeds: config.seeds,
    membership: config.membership,
    // Membership admits the identities TLS admits (issue 8 must-exist 5).
    ...(config.tls && !config.insecure ? { allowed: config.tls.allow } : {}),
    credentials,
    signer,
    replay: new ReplayGuard({ advertIntervalMs: longestIntervalMs, wallClock: Date.now }),
    initialSequence: initialSequence(Date.now()),
    groups,
    ...(lan ? { lan } : {}),
    clock: opts.clock,
    logger,
    metrics: opts.metrics,
    ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
    seed: process.pid,
  });
}
