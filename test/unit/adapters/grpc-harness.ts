/** Real gRPC transports on 127.0.0.1 with a throwaway PKI, for the transport tests. */
import * as grpc from '@grpc/grpc-js';
import { GrpcTransport, type GrpcTransportOptions } from '../../../src/adapters/grpc/grpc-transport.js';
import type { TransportLimits } from '../../../src/adapters/grpc/limits.js';
import { mutualTlsCredentials } from '../../../src/adapters/grpc/credentials.js';
import { channelOptions } from '../../../src/adapters/grpc/service.js';
import type { GroupAdvert } from '../../../src/ports/peer-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { makeTestPki, type TestPki } from '../../../src/security/certs.js';
import { initialSequence, ReplayGuard } from '../../../src/security/replay.js';
import { Keyring } from '../../../src/security/signing.js';
import { recordingLogger, type LogLine } from '../../fakes/recording-logger.js';

export const CLUSTER = 'test';
export const KEY = { id: 'k1', secret: Buffer.alloc(32, 7) };

export interface TestNode {
  id: string;
  transport: GrpcTransport;
  received: GroupAdvert[];
  metrics: MetricsRegistry;
  logs: LogLine[];
  keyring: Keyring;
}

export async function pki(nodes: string[], clusterId = CLUSTER): Promise<TestPki> {
  return makeTestPki({ clusterId, nodes, sans: ['127.0.0.1'] });
}

export interface NodeOptions {
  key?: typeof KEY;
  allow?: string[];
  clusterId?: string;
  /** The sender's wall clock (sent-at times and sequences); default Date.now. */
  wallClock?: () => number;
  /** Present this node's certificate instead of the node's own (an impostor). */
  certOf?: string;
  limits?: Partial<TransportLimits>;
  /** What the Hello announces (groups run, tie-break addresses; issue 8 finding 5). */
  announce?: GrpcTransportOptions['announce'];
  /** Redial broken streams for crash verdicts (docs/leases.md "Crash verdict"). */
  crashVerdict?: GrpcTransportOptions['crashVerdict'];
}

export interface StartOptions extends NodeOptions {
  /** The node membership would say is at an address (MembershipReceiver.nodeAt). */
  expectedPeer?: (address: string) => string | undefined;
}

/** A transport for node `id`, neither listening nor started. */
export function newTransport(p: TestPki, id: string, opts: NodeOptions = {}): Omit<TestNode, 'received'> {
  const metrics = new MetricsRegistry();
  const logger = recordingLogger();
  const keyring = new Keyring({ keys: [opts.key ?? KEY], activeKeyId: (opts.key ?? KEY).id, mode: 'enforce' });
  const pair = p.node(opts.certOf ?? id);
  const clusterId = opts.clusterId ?? CLUSTER;
  const transport = new GrpcTransport({
    clusterId,
    nodeId: id,
    listen: '127.0.0.1:0',
    credentials: mutualTlsCredentials(clusterId, {
      ca: Buffer.from(p.ca.cert), cert: Buffer.from(pair.cert), key: Buffer.from(pair.key), allow: opts.allow ?? ['a', 'b', 'c', 'x'],
    }),
    signer: keyring,
    replay: new ReplayGuard({ advertIntervalMs: 100, wallClock: Date.now }),
    initialSequence: initialSequence((opts.wallClock ?? Date.now)()),
    ...(opts.wallClock ? { wallClock: opts.wallClock } : {}),
    logger,
    metrics,
    ...(opts.limits ? { limits: opts.limits } : {}),
    ...(opts.announce ? { announce: opts.announce } : {}),
    ...(opts.crashVerdict ? { crashVerdict: opts.crashVerdict } : {}),
  });
  return { id, transport, metrics, logs: logger.lines, keyring };
}

export async function startNode(p: TestPki, id: string, targets: () => string[], opts: StartOptions = {}): Promise<TestNode> {
  const node = newTransport(p, id, opts);
  const received: GroupAdvert[] = [];
  const { expectedPeer } = opts;
  await node.transport.listen({
    message: () => undefined, peerDown: () => undefined, unreachable: () => undefined, groupTargets: targets,
    ...(expectedPeer ? { nodeAt: expectedPeer } : {}),
  });
  await node.transport.start((m) => received.push(m));
  return { ...node, received };
}

/** Polls `cond` every 10 ms for at most `ms`. */
export async function until(cond: () => boolean, ms: number, what: string): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** One raw connection (one channel) on which several Exchange streams can be opened. */
export interface RawChannel {
  open(): grpc.ClientDuplexStream<Buffer, Buffer>;
  close(): void;
}

export function rawChannel(address: string, p: TestPki, id: string, certFrom: TestPki = p): RawChannel {
  const def = {
    exchange: {
      path: '/vipd.v1.Peer/Exchange', requestStream: true, responseStream: true,
      requestSerialize: (b: Buffer) => b, requestDeserialize: (b: Buffer) => b,
      responseSerialize: (b: Buffer) => b, responseDeserialize: (b: Buffer) => b,
      originalName: 'exchange',
    },
  } satisfies grpc.ServiceDefinition;
  const Ctor = grpc.makeGenericClientConstructor(def, 'Raw');
  const pair = certFrom.node(id);
  const creds = grpc.credentials.createSsl(Buffer.from(p.ca.cert), Buffer.from(pair.key), Buffer.from(pair.cert), { checkServerIdentity: () => undefined });
  // A channel of its own (not grpc-js's shared subchannel pool), so "one connection" is ours.
  const client = new Ctor(address, creds, { ...channelOptions, 'grpc.use_local_subchannel_pool': 1 }) as unknown as grpc.Client & { exchange(): grpc.ClientDuplexStream<Buffer, Buffer> };
  return {
    open: () => {
      const call = client.exchange();
      call.on('error', () => undefined);
      return call;
    },
    close: () => client.close(),
  };
}

/** A raw Exchange client that sends bytes as they are (to inject garbage and replays). */
export function rawClient(address: string, p: TestPki, id: string, certFrom: TestPki = p): grpc.ClientDuplexStream<Buffer, Buffer> {
  return rawChannel(address, p, id, certFrom).open();
}

export const advert = (sender: string, term = 1, priority = 100): GroupAdvert => ({
  group: 'web',
  advert: { vrid: 51, sender: { nodeId: sender, address: '127.0.0.1' }, priority, advertIntervalCs: 10, term },
});
