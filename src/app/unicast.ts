/**
 * The part of the boot (src/app/boot.ts) for nodes with unicast groups, a witness or seeds:
 * TLS files, the advert keyring, the replay guard and the gRPC transport. Imported only by such
 * nodes, so a LAN-only node never loads @grpc/grpc-js or the TLS code.
 */
import type { RotatingSigner } from './key-rotation.js';
import type { RotatingTls } from './cert-rotation.js';
import { healthSpecs } from './health.js';
import { BfdAuthenticator } from '../adapters/bfd/auth.js';
import { insecureCredentials, mutualTlsCredentials } from '../adapters/grpc/credentials.js';
import type { AdvertSigner } from '../adapters/grpc/grpc-transport.js';
import type { VrrpTransport } from '../adapters/vrrp/vrrp-transport.js';
import type { VipdConfig } from '../config/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { ClusterNode, ClusterNodeOptions } from '../runtime/cluster-node.js';
import type { RoleChange } from '../runtime/instance-runner.js';
import { loadTlsFiles } from '../security/identity.js';
import { initialSequence, ReplayGuard } from '../security/replay.js';
import { Keyring } from '../security/signing.js';
import { grpcClusterNode } from './cluster.js';

/** `insecure: true`: nothing is signed and everything is accepted (demo only). */
const unsigned: AdvertSigner = {
  sign: () => undefined,
  verify: (_body, keyId) => ({ accept: true, verdict: keyId ? 'unknown-key' : 'unsigned' }),
};

export interface UnicastBoot {
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly onRoleChange?: (c: RoleChange) => void;
  readonly audit?: ClusterNodeOptions['audit'];
  /** Advert keys that a reload can rotate (src/app/key-rotation.ts); default a fixed keyring. */
  readonly keys?: RotatingSigner;
  /** Certificates that a reload can rotate (src/app/cert-rotation.ts). */
  readonly certs?: RotatingTls;
  readonly groups: ClusterNodeOptions['groups'];
  /** The VRRP side of groups that speak both. */
  readonly lan?: { readonly transport: VrrpTransport; readonly groups: Set<string> };
}

export async function buildUnicastNode(config: VipdConfig, opts: UnicastBoot): Promise<ClusterNode> {
  const { logger, groups, lan } = opts;
  let credentials = insecureCredentials();
  let signer = unsigned;
  let bfdAuth: BfdAuthenticator | undefined;
  if (config.insecure) {
    logger.warn({ insecure: true }, 'insecure: true — peer links are plaintext and unauthenticated, adverts are unsigned; for demos only, never in production');
  } else {
    const tls = config.tls;
    const auth = config.auth;
    if (!tls || !auth) throw new Error('configuration has neither tls/auth nor insecure: true');
    const material = await loadTlsFiles({ ca: tls.ca, cert: tls.cert, key: tls.key }, { expect: { clusterId: config.clusterId, nodeId: config.node.id } });
    for (const w of material.warnings) logger.warn({ file: tls.cert }, w);
    const mtls = mutualTlsCredentials(config.clusterId, { ca: material.ca, cert: material.cert, key: material.key, allow: tls.allow });
    opts.certs?.attach(mtls, { ca: material.ca, cert: material.cert, key: material.key });
    credentials = mtls;
    if (opts.keys) {
      // Rotatable without a restart (hitless reload): the transport signs through opts.keys.
      opts.keys.use(auth);
      signer = opts.keys;
    } else {
      signer = new Keyring({ keys: auth.keys, mode: auth.mode, ...(auth.activeKeyId ? { activeKeyId: auth.activeKeyId } : {}) });
    }
    // BFD is signed with keys derived from the advert keys (docs/bfd.md "Authentication"); a
    // receive-only keyring (no active key) runs BFD unsigned, as it sends adverts unsigned.
    if (config.bfd?.enabled && auth.activeKeyId) bfdAuth = new BfdAuthenticator(auth.keys, auth.activeKeyId);
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
    // Every node redials a broken stream, witnesses too: their voters drop promises on it.
    crashVerdict: { windowMs: config.membership.crashVerdictWindowMs ?? 0 },
    groups,
    checks: healthSpecs(config.checks),
    syncGroups: config.syncGroups,
    ...(opts.audit ? { audit: opts.audit } : {}),
    ...(lan ? { lan } : {}),
    ...(config.bfd?.enabled ? { bfd: { config: config.bfd, ...(bfdAuth ? { authenticator: bfdAuth } : {}) } } : {}),
    clock: opts.clock,
    logger,
    metrics: opts.metrics,
    ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
    seed: process.pid,
  });
}
