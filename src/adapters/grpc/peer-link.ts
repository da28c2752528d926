/**
 * An outbound link to one peer address: one long-lived Exchange stream (no per-advert
 * connection), opened with a Hello and confirmed by the peer's Hello. When the stream breaks it
 * reports "down" (a hint for the election, not a verdict) and reconnects with capped, jittered
 * backoff. Frames sent while down are dropped and counted: adverts are periodic and the
 * election tolerates loss (RFC 5798 §6.1).
 */
import type * as grpc from '@grpc/grpc-js';
import type { Logger } from '../../ports/logger.js';
import type { Metrics } from '../../ports/metrics.js';
import type { Frame, Hello } from '../../wire/peer-frame.js';
import { channelOptions, PeerClientCtor, type InFrame, type PeerClient } from './service.js';

export interface PeerLinkOptions {
  readonly address: string;
  readonly hello: Hello;
  readonly credentials: grpc.ChannelCredentials;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The peer confirmed the stream with its Hello. */
  readonly onUp: (peer: Hello) => void;
  /** The stream broke (after it was up). */
  readonly onDown: (peer: Hello, reason: string) => void;
  /** A connection attempt failed before the peer said Hello; queued frames were dropped. */
  readonly onUnreachable?: (address: string, reason: string) => void;
  readonly backoff?: { initialMs: number; maxMs: number };
}

export class PeerLink {
  private client: PeerClient | undefined;
  private call: grpc.ClientDuplexStream<Frame, InFrame> | undefined;
  private peer: Hello | undefined;
  private up = false;
  private closed = false;
  private failures = 0;
  private retry: NodeJS.Timeout | undefined;
  private lastError = '';
  /** Frames waiting for the stream to come up (bounded; membership only, see send()). */
  private pending: Frame[] = [];

  constructor(private readonly opts: PeerLinkOptions) {}

  get address(): string {
    return this.opts.address;
  }

  /** Node id of the peer once it said Hello. */
  get peerId(): string | undefined {
    return this.peer?.nodeId;
  }

  get isUp(): boolean {
    return this.up;
  }

  open(): void {
    if (this.closed || this.call) return;
    this.client ??= new PeerClientCtor(this.opts.address, this.opts.credentials, channelOptions);
    const call = this.client.exchange();
    this.call = call;
    call.on('data', (f: InFrame) => {
      if (!f.ok || !f.value.hello) return; // the server only ever answers with its Hello
      this.peer = f.value.hello;
      if (!this.up) {
        this.up = true;
        this.failures = 0;
        const queued = this.pending;
        this.pending = [];
        for (const q of queued) call.write(q);
        this.opts.onUp(f.value.hello);
      }
    });
    call.on('error', (err: grpc.ServiceError) => this.broken(`${err.code === undefined ? '' : `code ${err.code}: `}${err.details || err.message}`));
    call.on('end', () => this.broken('stream ended by peer'));
    call.write({ hello: this.opts.hello });
  }

  /**
   * Sends one frame. While the stream is coming up, `queue` frames wait (at most 64; membership
   * probes are worth delivering late) and others are dropped and counted (a late advert is a
   * stale advert). Returns whether the frame was written or queued.
   */
  send(frame: Frame, queue = false): boolean {
    if (this.up && this.call) {
      this.call.write(frame);
      return true;
    }
    if (!this.call && !this.retry) this.open();
    if (queue && this.pending.length < 64) {
      this.pending.push(frame);
      return true;
    }
    this.opts.metrics.inc('vipd_peer_frames_unsent_total', { reason: 'link-down' });
    return false;
  }

  /**
   * The peer just dialed us, so it is up: skip the rest of the backoff. Without this a restarted
   * node waits up to the backoff cap (2 s) for our answers to its join.
   */
  retryNow(): void {
    if (!this.retry || this.closed) return;
    clearTimeout(this.retry);
    this.retry = undefined;
    this.failures = 0;
    this.open();
  }

  close(): void {
    this.closed = true;
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const call = this.call;
    this.call = undefined;
    this.up = false;
    call?.end();
    call?.cancel();
    this.client?.close();
    this.client = undefined;
  }

  private broken(reason: string): void {
    const call = this.call;
    if (!call) return;
    this.call = undefined;
    call.cancel();
    const wasUp = this.up;
    this.up = false;
    const dropped = this.pending.length;
    this.pending = [];
    if (this.closed) return;
    if (!wasUp) this.opts.onUnreachable?.(this.opts.address, reason);
    if (dropped > 0) this.opts.metrics.inc('vipd_peer_frames_unsent_total', { reason: 'unreachable' }, dropped);
    this.failures += 1;
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 100, maxMs: 2000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(10, this.failures - 1));
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    if (wasUp && this.peer) {
      this.opts.metrics.inc('vipd_peer_link_down_total', { peer: this.peer.nodeId });
      this.opts.logger.warn({ peer: this.peer.nodeId, address: this.opts.address, reason }, `link to ${this.peer.nodeId} down: ${reason}`);
      this.opts.onDown(this.peer, reason);
    } else if (reason !== this.lastError) {
      this.opts.logger.debug({ address: this.opts.address, reason, retryInMs: delay }, `cannot reach ${this.opts.address}: ${reason}`);
    }
    this.lastError = reason;
    this.retry = setTimeout(() => {
      this.retry = undefined;
      this.open();
    }, delay);
  }
}
