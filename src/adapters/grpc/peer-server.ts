/**
 * The inbound side: serves Peer.Exchange and the standard gRPC health service. A stream is
 * accepted only when its TLS identity is allowed, its connection and its node are within their
 * stream limits, and its first frame, sent within the Hello deadline, is a Hello that matches
 * that identity and our cluster; then every frame within the size limit and the node's frame
 * and byte budgets
 * is decoded and goes to `onFrame` tagged with the authenticated sender (limits.ts).
 * Refusals are counted with their reason, logged once per reason per window, and answered with
 * a generic status: the details are ours (they may describe our configuration).
 */
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '../../ports/logger.js';
import type { Clock } from '../../ports/clock.js';
import type { RateLimitedLog } from '../../ports/log-limiter.js';
import type { Metrics } from '../../ports/metrics.js';
import { decodeFrame, type Frame, type Hello } from '../../wire/peer-frame.js';
import { checkHello } from './hello-check.js';
import { MAX_FRAME_BYTES, REFUSED_DETAILS, type FrameDrop, type PeerRefusal, type TransportLimits } from './limits.js';
import { peerService, serverOptions } from './service.js';
import { TokenBucket } from './token-bucket.js';

/** What grpc-js's call.getAuthContext() returns (the type is not exported by grpc-js). */
export interface AuthContext {
  transportSecurityType?: string;
  sslPeerCertificate?: PeerCertificate;
}

/** The authenticated identity of a stream, or why it is refused. */
export type Authenticated = { ok: true; nodeId?: string } | { ok: false; reason: string };

export interface PeerServerOptions {
  readonly clusterId: string;
  readonly hello: Hello;
  readonly credentials: grpc.ServerCredentials;
  /** Extracts and authorises the TLS peer identity (undefined nodeId in insecure mode). */
  readonly authenticate: (auth: AuthContext | null) => Authenticated;
  readonly onFrame: (from: Hello, frame: Frame) => void;
  readonly onHello?: (from: Hello) => void;
  readonly logger: Logger;
  readonly limiter: RateLimitedLog;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly limits: TransportLimits;
}

type Stream = grpc.ServerDuplexStream<Buffer, Frame>;

/** What a peer may learn from a refusal: the kind of limit, never our reasons. */
const REFUSAL_STATUS: Record<PeerRefusal, grpc.status> = {
  'identity': grpc.status.PERMISSION_DENIED,
  'no-hello': grpc.status.PERMISSION_DENIED,
  'wrong-cluster': grpc.status.PERMISSION_DENIED,
  'identity-mismatch': grpc.status.PERMISSION_DENIED,
  'unexpected-peer': grpc.status.PERMISSION_DENIED,
  'hello-timeout': grpc.status.DEADLINE_EXCEEDED,
  'too-many-streams': grpc.status.RESOURCE_EXHAUSTED,
  'too-many-streams-per-peer': grpc.status.RESOURCE_EXHAUSTED,
  'frame-too-large': grpc.status.RESOURCE_EXHAUSTED,
};

/** A node's open streams and the frame and byte budgets they share (over all its connections). */
interface PeerBudget {
  streams: number;
  readonly frames: TokenBucket;
  readonly bytes: TokenBucket;
}

export class PeerServer {
  private readonly server = new grpc.Server(serverOptions);
  private readonly streams = new Set<Stream>();
  /** Open streams per connection (grpc-js names a connection by its remote address:port). */
  private readonly perConnection = new Map<string, number>();
  /** Per node id; an entry goes once its node has no stream and its bucket is full again. */
  private readonly budgets = new Map<string, PeerBudget>();
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', 'vipd.v1.Peer': 'NOT_SERVING' });

  constructor(private readonly opts: PeerServerOptions) {
    this.server.addService(peerService, { exchange: (call: Stream) => this.exchange(call) });
    this.health.addToServer(this.server);
  }

  /** Binds and serves; resolves with the bound port (useful with port 0). */
  async listen(address: string): Promise<number> {
    const port = await new Promise<number>((resolve, reject) =>
      this.server.bindAsync(address, this.opts.credentials, (err, p) => (err ? reject(new Error(`listening on ${address}: ${err.message}`, { cause: err })) : resolve(p))),
    );
    this.health.setStatus('', 'SERVING');
    this.health.setStatus('vipd.v1.Peer', 'SERVING');
    return port;
  }

  async close(): Promise<void> {
    this.health.setStatus('', 'NOT_SERVING');
    for (const s of this.streams) s.end();
    await new Promise<void>((resolve) => {
      const t = setTimeout(() => { this.server.forceShutdown(); resolve(); }, 1000);
      this.server.tryShutdown(() => { clearTimeout(t); resolve(); });
    });
  }

  private refuse(call: Stream, reason: PeerRefusal, detail: string): void {
    this.opts.metrics.inc('vipd_peer_rejected_total', { reason, side: 'accept' });
    this.opts.limiter.log('warn', `rejected peer stream: ${detail}`, { reason });
    call.emit('error', { code: REFUSAL_STATUS[reason], details: REFUSED_DETAILS });
    call.end();
  }

  private exchange(call: Stream): void {
    const auth = this.opts.authenticate(call.getAuthContext());
    if (!auth.ok) return this.refuse(call, 'identity', auth.reason);
    const { limits, clock } = this.opts;
    const connection = call.getPeer();
    const open = this.perConnection.get(connection) ?? 0;
    if (open >= limits.maxStreamsPerConnection) {
      return this.refuse(call, 'too-many-streams', `connection ${connection} already has ${open} streams (at most ${limits.maxStreamsPerConnection})`);
    }
    this.perConnection.set(connection, open + 1);
    this.streams.add(call);
    let peer: Hello | undefined;
    let budget: PeerBudget | undefined;
    let closed = false;
    const close = () => {
      if (closed) return;
      closed = true;
      cancelDeadline();
      this.streams.delete(call);
      const left = (this.perConnection.get(connection) ?? 1) - 1;
      if (left > 0) this.perConnection.set(connection, left);
      else this.perConnection.delete(connection);
      if (budget) budget.streams -= 1;
    };
    const refuse = (reason: PeerRefusal, detail: string) => {
      close();
      this.refuse(call, reason, detail);
    };
    const cancelDeadline = clock.schedule(clock.now() + limits.helloDeadlineMs, () => {
      if (!peer && !closed) refuse('hello-timeout', `${connection} sent no hello within ${limits.helloDeadlineMs} ms`);
    });
    call.on('data', (raw: Buffer) => {
      if (closed) return;
      // Size and budget come before decoding: what a peer sends costs us O(1) until then.
      if (raw.length > MAX_FRAME_BYTES) return refuse('frame-too-large', `${peer?.nodeId ?? connection} sent a ${raw.length}-byte frame (at most ${MAX_FRAME_BYTES})`);
      if (budget) {
        const now = clock.now();
        const over: FrameDrop | undefined = !budget.frames.has(now) ? 'rate-limited' : !budget.bytes.has(now, raw.length) ? 'byte-limited' : undefined;
        if (over) {
          this.opts.metrics.inc('vipd_peer_frames_dropped_total', { reason: over });
          const what = over === 'rate-limited' ? `${limits.peerFramesPerSecond} frames/s (burst ${limits.peerFrameBurst})` : `${limits.peerBytesPerSecond} bytes/s (burst ${limits.peerByteBurst})`;
          this.opts.limiter.log('warn', `dropped frames from ${peer?.nodeId ?? connection}: over its budget of ${what}`, { reason: over });
          return;
        }
        budget.frames.take(now);
        budget.bytes.take(now, raw.length);
      }
      const f = decodeFrame(raw);
      if (!f.ok) {
        this.opts.metrics.inc('vipd_peer_frames_dropped_total', { reason: 'malformed' });
        this.opts.limiter.log('warn', `dropped malformed frame from ${peer?.nodeId ?? connection}: ${f.reason}`, { reason: 'malformed-frame' });
        return;
      }
      const frame = f.value;
      if (!peer) {
        if (!frame.hello) return refuse('no-hello', `first frame from ${connection} is not a hello`);
        const h = frame.hello;
        const verdict = checkHello(h, this.opts.clusterId, auth);
        if (!verdict.ok) return refuse(verdict.reason, verdict.detail);
        const b = this.budgetOf(h.nodeId);
        if (b.streams >= limits.maxStreamsPerPeer) {
          return refuse('too-many-streams-per-peer', `node ${h.nodeId} already has ${b.streams} streams (at most ${limits.maxStreamsPerPeer})`);
        }
        b.streams += 1;
        budget = b;
        peer = h;
        cancelDeadline();
        call.write({ hello: this.opts.hello });
        this.opts.onHello?.(h);
        return;
      }
      if (frame.hello) return; // repeated hello: harmless
      this.opts.onFrame(peer, frame);
    });
    call.on('end', () => { close(); call.end(); });
    call.on('error', close);
    call.on('cancelled', close);
    call.on('close', close);
  }

  /** The node's budget, made on its first stream; idle budgets that refilled are forgotten. */
  private budgetOf(nodeId: string): PeerBudget {
    const now = this.opts.clock.now();
    for (const [id, b] of this.budgets) if (b.streams === 0 && b.frames.full(now) && b.bytes.full(now)) this.budgets.delete(id);
    let b = this.budgets.get(nodeId);
    if (!b) {
      const l = this.opts.limits;
      b = { streams: 0, frames: new TokenBucket(l.peerFramesPerSecond, l.peerFrameBurst, now), bytes: new TokenBucket(l.peerBytesPerSecond, l.peerByteBurst, now) };
      this.budgets.set(nodeId, b);
    }
    return b;
  }
}
