/**
 * Builds a running node from validated configuration: reads and cross-checks the TLS files,
 * builds the keyring, the replay guard and the providers. Everything that can be wrong about
 * the files is found here, before the election starts, with the file named.
 */
import { insecureCredentials, mutualTlsCredentials } from '../adapters/grpc/credentials.js';
import type { AdvertSigner } from '../adapters/grpc/grpc-transport.js';
import type { VipdConfig } from '../config/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { loadTlsFiles } from '../security/identity.js';
import { initialSequence, ReplayGuard } from '../security/replay.js';
import { Keyring } from '../security/signing.js';
import { NoopProvider } from '../../providers/noop/index.js';
import { ClusterNode } from './cluster-node.js';
import { electionParams, vipText } from './from-config.js';
import type { RoleChange } from './instance-runner.js';
import type { Metrics } from './metrics.js';

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
}

export async function buildNode(config: VipdConfig, opts: BootOptions): Promise<ClusterNode> {
  const { logger } = opts;
  const lan = config.groups.filter((g) => g.transport !== 'unicast');
  if (lan.length > 0) {
    // Until the VRRP transport is wired into the node (issue 4), refuse rather than pretend.
    throw new Error(`group ${lan[0]?.name} uses transport ${lan[0]?.transport}: VRRP on raw sockets is not wired into vipd run yet; use transport unicast`);
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
  return new ClusterNode({
    clusterId: config.clusterId,
    nodeId: config.node.id,
    role: config.node.role,
    listen: config.node.listen,
    ...(config.node.advertise ? { advertise: config.node.advertise } : {}),
    seeds: config.seeds,
    membership: config.membership,
    credentials,
    signer,
    replay: new ReplayGuard({ advertIntervalMs: longestIntervalMs, wallClock: Date.now }),
    initialSequence: initialSequence(Date.now()),
    groups: config.groups.map((g) => ({
      params: { ...electionParams(config, g), requireQuorum: g.quorum === 'majority' },
      provider: new NoopProvider(vipText(g), logger.child({ group: g.name }), opts.clock),
      peers: g.peers,
      witnesses: g.witnesses,
      quorum: g.quorum,
    })),
    clock: opts.clock,
    logger,
    ...(opts.metrics ? { metrics: opts.metrics } : {}),
    ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
    seed: process.pid,
  });
}
