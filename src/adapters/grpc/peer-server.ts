/**
 * The inbound side: serves Peer.Exchange and the standard gRPC health service. A stream is
 * accepted only when its TLS identity is allowed and its first frame is a Hello that matches
 * that identity and our cluster; then every frame goes to `onFrame` tagged with the
 * authenticated sender. Rejections are logged once per reason (rate-limited) and counted.
 */
import type { PeerCertificate } from 'node:tls';
import * as grpc from '@grpc/grpc-js';
import { HealthImplementation } from 'grpc-health-check';
import type { Logger } from '../../ports/logger.js';
import type { RateLimitedLog } from '../../ports/log-limiter.js';
import type { Metrics } from '../../ports/metrics.js';
import type { Frame, Hello } from '../../wire/peer-frame.js';
import { peerService, serverOptions, type InFrame } from './service.js';

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
}

export class PeerServer {
  private readonly server = new grpc.Server(serverOptions);
  private readonly streams = new Set<grpc.ServerDuplexStream<InFrame, Frame>>();
  private readonly health = new HealthImplementation({ '': 'NOT_SERVING', 'vipd.v1.Peer': 'NOT_SERVING' });

  constructor(private readonly opts: PeerServerOptions) {
    this.server.addService(peerService, { exchange: (call: grpc.ServerDuplexStream<InFrame, Frame>) => this.exchange(call) });
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

  private reject(call: grpc.ServerDuplexStream<InFrame, Frame>, reason: string, detail: string): void {
    this.opts.metrics.inc('vipd_peer_rejected_total', { reason });
    this.opts.limiter.log('warn', `rejected peer stream: ${detail}`, { reason });
    call.emit('error', { code: grpc.status.PERMISSION_DENIED, details: detail });
    call.end();
  }

  private exchange(call: grpc.ServerDuplexStream<InFrame, Frame>): void {
    const auth = this.opts.authenticate(call.getAuthContext());
    if (!auth.ok) return this.reject(call, 'identity', auth.reason);
    this.streams.add(call);
    let peer: Hello | undefined;
    call.on('data', (f: InFrame) => {
      if (!f.ok) {
        this.opts.metrics.inc('vipd_peer_frames_dropped_total', { reason: 'malformed' });
        this.opts.limiter.log('warn', `dropped malformed frame from ${peer?.nodeId ?? call.getPeer()}: ${f.reason}`, { reason: 'malformed-frame' });
        return;
      }
      const frame = f.value;
      if (!peer) {
        if (!frame.hello) return this.reject(call, 'no-hello', `first frame from ${call.getPeer()} is not a hello`);
        const h = frame.hello;
        if (h.clusterId !== this.opts.clusterId) {
          return this.reject(call, 'wrong-cluster', `hello from ${h.nodeId} is for cluster "${h.clusterId}", we are "${this.opts.clusterId}"`);
        }
        if (auth.nodeId !== undefined && h.nodeId !== auth.nodeId) {
          return this.reject(call, 'identity-mismatch', `hello claims node ${h.nodeId} but the certificate is ${auth.nodeId}`);
        }
        peer = h;
        call.write({ hello: this.opts.hello });
        this.opts.onHello?.(h);
        return;
      }
      if (frame.hello) return; // repeated hello: harmless
      this.opts.onFrame(peer, frame);
    });
    const done = () => this.streams.delete(call);
    call.on('end', () => { done(); call.end(); });
    call.on('error', done);
    call.on('cancelled', done);
  }
}
