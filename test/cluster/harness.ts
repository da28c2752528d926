/** In-process ClusterNodes on 127.0.0.1 with real gRPC and mutual TLS. */
import { mutualTlsCredentials } from '../../src/adapters/grpc/credentials.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { RoleChange } from '../../src/runtime/instance-runner.js';
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { grpcClusterNode } from '../../src/app/cluster.js';
import type { ClusterGroup, ClusterNode } from '../../src/runtime/cluster-node.js';
import { NoopProvider } from '../../providers/noop/index.js';
import { makeTestPki, type TestPki } from '../../src/security/certs.js';
import { initialSequence, ReplayGuard } from '../../src/security/replay.js';
import { Keyring } from '../../src/security/signing.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { recordingLogger } from '../fakes/recording-logger.js';
import type { ProcSpec } from '../../src/cli/local-cluster.js';

export const CLUSTER = 'itest';
/** The cluster's advert key (what an attacker holding one node's credentials also has). */
export const KEY = { id: 'k1', secret: Buffer.alloc(32, 3) };

/** The same node description the multi-process LocalCluster takes. */
export type Spec = ProcSpec;

export class TestCluster {
  readonly nodes = new Map<string, ClusterNode>();
  readonly providers = new Map<string, NoopProvider>();
  readonly metrics = new Map<string, MetricsRegistry>();
  readonly changes: RoleChange[] = [];
  pki!: TestPki;
  private seed = '';

  constructor(readonly specs: Spec[]) {}

  async startAll(): Promise<void> {
    this.pki = await makeTestPki({ clusterId: CLUSTER, nodes: this.specs.map((s) => s.id), sans: ['127.0.0.1'] });
    for (const s of this.specs) await this.start(s.id);
  }

  async start(id: string): Promise<ClusterNode> {
    const s = this.specs.find((x) => x.id === id)!;
    const pair = this.pki.node(id);
    const provider = new NoopProvider(['192.0.2.50/32'], silentLogger, systemClock);
    const groups: ClusterGroup[] = s.role === 'witness' ? [] : [{
      params: {
        group: 'web', vrid: 51, self: { nodeId: id, address: '127.0.0.1' }, basePriority: s.priority ?? 100,
        advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0, requireQuorum: (s.quorum ?? 'none') === 'majority',
      },
      provider, peers: s.peers ?? [], witnesses: s.witnesses ?? [], quorum: s.quorum ?? 'none',
    }];
    const metrics = new MetricsRegistry();
    this.metrics.set(id, metrics);
    const node = grpcClusterNode({
      clusterId: CLUSTER, nodeId: id, listen: '127.0.0.1:0', seeds: this.seed ? [this.seed] : [],
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 3, suspicionMultiplier: 4 },
      credentials: mutualTlsCredentials(CLUSTER, { ca: Buffer.from(this.pki.ca.cert), cert: Buffer.from(pair.cert), key: Buffer.from(pair.key), allow: this.specs.map((x) => x.id) }),
      signer: new Keyring({ keys: [KEY], activeKeyId: 'k1', mode: 'enforce' }),
      replay: new ReplayGuard({ advertIntervalMs: 100, wallClock: Date.now }),
      initialSequence: initialSequence(Date.now()),
      groups, clock: systemClock, metrics, logger: process.env.TEST_LOG ? recordingLogger() : silentLogger,
      onRoleChange: (c) => this.changes.push(c), seed: this.nodes.size + 1,
    });
    await node.start();
    if (!this.seed) this.seed = node.address;
    this.nodes.set(id, node);
    this.providers.set(id, provider);
    return node;
  }

  role(id: string): string | undefined {
    return this.nodes.get(id)?.node.runners.get('web')?.state.role;
  }

  masters(): string[] {
    return [...this.nodes.keys()].filter((id) => this.role(id) === 'Master');
  }

  async stopAll(): Promise<void> {
    await Promise.all([...this.nodes.values()].map((n) => n.stop().catch(() => undefined)));
    this.nodes.clear();
  }
}

export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
