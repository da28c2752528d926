/**
 * A ClusterNode on gRPC: one GrpcTransport is both its peer transport (adverts) and its
 * membership transport (SWIM messages share the streams). The real node (src/app/boot.ts) and
 * the in-process gRPC cluster tests (test/cluster/harness.ts) build nodes here.
 */
import { randomBytes } from 'node:crypto';
import type { BfdAuthenticator } from '../adapters/bfd/auth.js';
import { BfdUdpEndpoint } from '../adapters/bfd/udp-endpoint.js';
import { GrpcTransport, type GrpcTransportOptions } from '../adapters/grpc/grpc-transport.js';
import type { BfdConfig } from '../config/types.js';
import { BfdSessions } from '../runtime/bfd-sessions.js';
import { sysfsLinkMonitor } from '../adapters/link-watcher.js';
import { announcementOf } from '../runtime/announce.js';
import { ClusterNode, type ClusterBfd, type ClusterNodeOptions } from '../runtime/cluster-node.js';

type TransportOptions = Pick<GrpcTransportOptions, 'clusterId' | 'listen' | 'advertise' | 'credentials' | 'signer' | 'replay' | 'initialSequence' | 'crashVerdict'>;

export interface GrpcClusterOptions extends Omit<ClusterNodeOptions, 'peerTransport' | 'membershipTransport' | 'links' | 'bfd'>, TransportOptions {
  /** Default: sysfs operstate (src/adapters/link-watcher.ts). */
  readonly links?: ClusterNodeOptions['links'];
  /** `bfd:` with `enabled: true`: sessions over UDP (docs/bfd.md), signed with the cluster keys when given. */
  readonly bfd?: { readonly config: BfdConfig; readonly authenticator?: BfdAuthenticator };
}

export function grpcClusterNode(opts: GrpcClusterOptions): ClusterNode {
  const { clusterId, listen, advertise, credentials, signer, replay, initialSequence, links, crashVerdict, bfd, ...node } = opts;
  const transport = new GrpcTransport({
    clusterId,
    nodeId: opts.nodeId,
    listen,
    ...(advertise ? { advertise } : {}),
    credentials,
    signer,
    replay,
    initialSequence,
    logger: opts.logger.child({ component: 'transport' }),
    metrics: opts.metrics,
    // What our Hello tells peers: src/runtime/announce.ts.
    announce: announcementOf(opts.groups),
    ...(crashVerdict ? { crashVerdict } : {}),
  });
  return new ClusterNode({
    ...node, peerTransport: transport, membershipTransport: transport, leaseTransport: transport, links: links ?? sysfsLinkMonitor,
    ...(bfd?.config.enabled ? { bfd: clusterBfd(bfd.config, bfd.authenticator, transport, opts) } : {}),
  });
}

/** BFD over UDP from this node's gRPC host (src/adapters/bfd/udp-endpoint.ts), liveness frames on the gRPC links. */
function clusterBfd(config: BfdConfig, authenticator: BfdAuthenticator | undefined, links: GrpcTransport, opts: GrpcClusterOptions): ClusterBfd {
  const logger = opts.logger.child({ component: 'bfd' });
  return {
    // A report counts for a few Detection Times, at least a second (a query's round trip on a loaded host).
    reportTtlMs: Math.max(1000, 10 * config.intervalMs * config.multiplier),
    links,
    sessions: (localAddress, onChange) => new BfdSessions({
      transport: new BfdUdpEndpoint({
        mode: config.mode, localAddress, port: config.port, metrics: opts.metrics,
        ...(authenticator ? { authenticator } : {}),
        onError: (err) => logger.warn({ err }, err.message),
      }),
      clock: opts.clock,
      timers: { intervalMs: config.intervalMs, multiplier: config.multiplier, adaptive: config.adaptive },
      authenticated: authenticator !== undefined,
      logger, metrics: opts.metrics, onChange,
      random32: () => randomBytes(4).readUInt32BE(0),
    }),
  };
}

