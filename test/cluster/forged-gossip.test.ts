/**
 * Issue 8 findings 6 and 7 over real gRPC on 127.0.0.1 with mutual TLS: node m holds a valid,
 * allow-listed certificate and sends forged membership frames to a on its own authenticated
 * stream. a keeps b alive, ignores `left` for b, bounds incarnation jumps, lets b refute what it
 * did accept, and refuses whole frames over the caps. Waits are for observable events with
 * bounded timeouts, never for time to pass.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mutualTlsCredentials } from '../../src/adapters/grpc/credentials.js';
import { membershipToWire } from '../../src/adapters/grpc/membership-codec.js';
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { grpcClusterNode } from '../../src/app/cluster.js';
import { MAX_INCARNATION_JUMP } from '../../src/core/membership/limits.js';
import type { GossipItem, Message } from '../../src/core/membership/messages.js';
import { silentLogger } from '../fakes/silent-logger.js';
import type { ClusterNode } from '../../src/runtime/cluster-node.js';
import { makeTestPki, type TestPki } from '../../src/security/certs.js';
import { initialSequence, ReplayGuard } from '../../src/security/replay.js';
import { Keyring } from '../../src/security/signing.js';
import { encodeFrame } from '../../src/wire/peer-frame.js';
import { NoopProvider } from '../../providers/noop/index.js';
import { rawClient } from '../unit/adapters/grpc-harness.js';
import { until } from './harness.js';

const CLUSTER = 'itest';
const IDS = ['a', 'b', 'm'];
const UINT32_MAX = 0xffff_ffff;

describe('forged gossip from an allow-listed node, over gRPC', () => {
  let pki: TestPki;
  const nodes = new Map<string, ClusterNode>();
  const metrics = new Map<string, MetricsRegistry>();
  let stream: ReturnType<typeof rawClient>;

  async function start(id: string, seeds: string[]): Promise<ClusterNode> {
    const pair = pki.node(id);
    const m = new MetricsRegistry();
    const node = grpcClusterNode({
      clusterId: CLUSTER, nodeId: id, listen: '127.0.0.1:0', seeds,
      membership: { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 3, suspicionMultiplier: 4 },
      credentials: mutualTlsCredentials(CLUSTER, { ca: Buffer.from(pki.ca.cert), cert: Buffer.from(pair.cert), key: Buffer.from(pair.key), allow: IDS }),
      signer: new Keyring({ keys: [{ id: 'k1', secret: Buffer.alloc(32, 3) }], activeKeyId: 'k1', mode: 'enforce' }),
      replay: new ReplayGuard({ advertIntervalMs: 100, wallClock: Date.now }),
      initialSequence: initialSequence(Date.now()),
      groups: [{
        params: { group: 'web', vrid: 51, self: { nodeId: id, address: '127.0.0.1' }, basePriority: id === 'a' ? 200 : 100, advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0, requireQuorum: false },
        provider: new NoopProvider(['192.0.2.50/32'], silentLogger, systemClock), peers: [], witnesses: [], quorum: 'none',
      }],
      clock: systemClock, metrics: m, logger: silentLogger, allowed: IDS, seed: nodes.size + 1,
    });
    await node.start();
    nodes.set(id, node);
    metrics.set(id, m);
    return node;
  }

  const a = () => nodes.get('a') as ClusterNode;
  const b = () => nodes.get('b') as ClusterNode;
  const ma = () => metrics.get('a') as MetricsRegistry;
  const bAtA = () => a().members().get('b');
  const send = (m: Message) => stream.write(Buffer.from(encodeFrame({ membership: membershipToWire(m) })));
  const fromM = (gossip: GossipItem[]): Message => ({ type: 'Gossip', from: 'm', fromAddress: '127.0.0.1:9', gossip });
  const itemsDropped = (reason: string) => ma().get('vipd_membership_items_dropped_total', { reason });

  before(async () => {
    pki = await makeTestPki({ clusterId: CLUSTER, nodes: IDS, sans: ['127.0.0.1'] });
    const first = await start('a', []);
    await start('b', [first.address]);
    await until(() => bAtA()?.state === 'alive' && b().members().get('a')?.state === 'alive', 5000, 'a and b see each other alive');
    // m: a valid, allow-listed certificate; it speaks raw frames on its own stream to a.
    stream = rawClient(first.address, pki, 'm');
    stream.write(Buffer.from(encodeFrame({ hello: { clusterId: CLUSTER, nodeId: 'm', address: '127.0.0.1:9', revision: 1 } })));
  });

  after(async () => {
    stream?.end();
    await Promise.all([...nodes.values()].map((n) => n.stop().catch(() => undefined)));
  });

  it('`left` for b from m, and dead-from-b written by m, are ignored and counted', async () => {
    const inc = bAtA()?.incarnation ?? 0;
    send(fromM([{ type: 'Left', id: 'b', incarnation: inc + 1 }, { type: 'Dead', id: 'b', incarnation: inc + 1, from: 'b' }]));
    await until(() => itemsDropped('left-not-from-member') >= 2, 5000, 'the forged leaves to be counted');
    assert.equal(bAtA()?.state, 'alive');
  });

  it('a message on m\'s stream that claims to be from b is dropped by the transport', async () => {
    send({ type: 'Gossip', from: 'b', fromAddress: b().address, gossip: [{ type: 'Left', id: 'b', incarnation: UINT32_MAX }] });
    await until(() => ma().get('vipd_peer_frames_dropped_total', { reason: 'identity-mismatch' }) >= 1, 5000, 'the identity mismatch to be counted');
    assert.equal(bAtA()?.state, 'alive');
  });

  it('dead for b at 2^32 − 1, or further ahead than the bound, changes nothing', async () => {
    const inc = bAtA()?.incarnation ?? 0;
    send(fromM([{ type: 'Dead', id: 'b', incarnation: UINT32_MAX, from: 'm' }, { type: 'Dead', id: 'b', incarnation: inc + MAX_INCARNATION_JUMP + 1, from: 'm' }]));
    await until(() => itemsDropped('incarnation-jump') >= 1, 5000, 'the jump to be counted');
    assert.equal(bAtA()?.state, 'alive');
  });

  it('dead for b within the bound is accepted, and b refutes it: a sees b alive again', async () => {
    const inc = bAtA()?.incarnation ?? 0;
    send(fromM([{ type: 'Dead', id: 'b', incarnation: inc + MAX_INCARNATION_JUMP, from: 'm' }]));
    await until(() => (bAtA()?.incarnation ?? 0) > inc + MAX_INCARNATION_JUMP && bAtA()?.state === 'alive', 5000, 'b to refute at a');
    assert.ok((b().members().get('a')?.state) === 'alive');
  });

  it('a Join with 5,000 made-up members and a frame of 100,000 empty gossip items are refused whole, unread', async () => {
    // Both fit the transport's 256 KiB frame limit (src/adapters/grpc/limits.ts), so the
    // membership caps at decode are what refuse them (src/wire/membership-scan.ts).
    const members = Array.from({ length: 5_000 }, (_, i) => ({ id: `fake${i}`, address: `127.0.0.1:${1024 + i}`, incarnation: 0, state: 'alive' as const }));
    send({ type: 'Join', from: 'm', fromAddress: '127.0.0.1:9', members });
    const empty = new Uint8Array(2 * 100_000);
    for (let i = 0; i < 100_000; i++) empty[2 * i] = (15 << 3) | 2;
    const from = Buffer.from(encodeFrame({ membership: membershipToWire(fromM([])) }));
    // Frame { membership { from: "m", …, gossip × 100,000 } }: the encoded frame with items appended inside.
    const inner = Buffer.concat([from.subarray(2), empty]);
    const lenBytes: number[] = [];
    for (let n = inner.length; ; n >>>= 7) {
      if (n <= 0x7f) { lenBytes.push(n); break; }
      lenBytes.push((n & 0x7f) | 0x80);
    }
    stream.write(Buffer.concat([Buffer.from([0x1a, ...lenBytes]), inner]));
    await until(() => ma().get('vipd_peer_frames_dropped_total', { reason: 'malformed' }) >= 2, 5000, 'both frames to be refused');
    assert.equal([...a().members().keys()].some((id) => id.startsWith('fake')), false);
    assert.equal(bAtA()?.state, 'alive');
  });

});
