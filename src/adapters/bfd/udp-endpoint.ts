/**
 * BFD over UDP (Linux, IPv4): the BfdTransport of src/ports/bfd-transport.ts.
 *
 * Single hop (RFC 5881): Control packets go to UDP 3784 with TTL 255, and a received packet
 * whose TTL is not 255 is dropped (§5, the GTSM of RFC 5082: it was forwarded, so it did not
 * come from the link). Node's UDP sockets cannot report a datagram's TTL, so packets are read
 * from a raw IPPROTO_UDP socket, which sees the IPv4 header (raw-socket, as the VRRP adapter);
 * a UDP socket bound to the port holds it (no ICMP port unreachable, no other program on it)
 * and its copies are discarded. This needs root or CAP_NET_RAW, as VRRP does.
 *
 * Multihop (RFC 5883): UDP 4784, sent with TTL 255, received on a UDP socket; no TTL check
 * (§2: the TTL cannot be known on a routed path; authentication is what protects it).
 *
 * Each peer gets its own UDP source port from 49152-65535 (RFC 5881 §4: a session's source port
 * is unique). Packets from addresses that are not peers are dropped, as are bad digests when
 * an authenticator is given; every drop goes to `onDrop` with its reason (drop-reasons.ts).
 */
import { createSocket, type Socket } from 'node:dgram';
import { createRequire } from 'node:module';
import type * as RawSocket from 'raw-socket';
import type { BfdControlPacket } from '../../core/bfd/packet.js';
import type { BfdTransport } from '../../ports/bfd-transport.js';
import type { Metrics } from '../../ports/metrics.js';
import { BFD_MULTIHOP_PORT, BFD_SINGLE_HOP_PORT, BFD_SOURCE_PORT_MAX, BFD_SOURCE_PORT_MIN, decodeBfd, encodeBfd } from '../../wire/bfd.js';
import { decodeIpv4 } from '../../wire/ipv4.js';
import { LINK_LOCAL_TTL } from '../../wire/ttl.js';
import type { BfdAuthenticator } from './auth.js';
import type { BfdDropReason } from './drop-reasons.js';

export type BfdMode = 'single-hop' | 'multihop';

const IPPROTO_UDP = 17;
const UDP_HEADER_LENGTH = 8;
/** Attempts at a free random source port before giving up on a peer. */
const SOURCE_PORT_ATTEMPTS = 32;

export class BfdSocketError extends Error {
  override readonly name = 'BfdSocketError';
}

export interface BfdEndpointOptions {
  readonly mode: BfdMode;
  /** The local IPv4 address sessions run from (and the one listened on). */
  readonly localAddress: string;
  /** Destination port, ours and the peers': default 3784 (single hop) or 4784 (multihop). */
  readonly port?: number;
  /** Sign and verify with the cluster keys (Meticulous Keyed SHA1, auth.ts); absent: no authentication. */
  readonly authenticator?: BfdAuthenticator;
  /** Counts drops (`vipd_bfd_dropped_total{reason}`) and send errors (`vipd_bfd_send_errors_total`). */
  readonly metrics?: Metrics;
  /** Told of every packet not delivered (after it is counted). */
  readonly onDrop?: (reason: BfdDropReason, detail: string, source: string) => void;
  /** Told of send and socket errors (count and log; BFD keeps going). */
  readonly onError?: (err: Error) => void;
  /** Random source port choice; Math.random by default (tests may fix it). */
  readonly random?: () => number;
}

function loadRaw(): typeof RawSocket {
  try {
    return createRequire(import.meta.url)('raw-socket') as typeof RawSocket;
  } catch (err) {
    throw new BfdSocketError(`the raw-socket addon did not load (${err instanceof Error ? err.message : String(err)}); single-hop BFD needs it to check TTL 255 (RFC 5881 §5); reinstall with npm ci`);
  }
}

const listen = (s: Socket, port: number, address: string): Promise<void> => new Promise((resolve, reject) => {
  const onError = (err: Error) => reject(err);
  s.once('error', onError);
  s.bind(port, address, () => {
    s.off('error', onError);
    resolve();
  });
});

export class BfdUdpEndpoint implements BfdTransport {
  readonly port: number;
  private handler: ((peer: string, packet: BfdControlPacket) => void) | undefined;
  private listener: Socket | undefined;
  private raw: RawSocket.Socket | undefined;
  private readonly peers = new Map<string, Socket>();
  private opening: Promise<void> | undefined;
  private retry: NodeJS.Timeout | undefined;

  constructor(private readonly opts: BfdEndpointOptions) {
    this.port = opts.port ?? (opts.mode === 'single-hop' ? BFD_SINGLE_HOP_PORT : BFD_MULTIHOP_PORT);
  }

  open(handler: (peer: string, packet: BfdControlPacket) => void): Promise<void> {
    this.handler = handler;
    this.opening ??= this.openSockets().catch(async (err: unknown) => {
      this.opening = undefined;
      await this.close();
      throw err;
    });
    return this.opening;
  }

  private async openSockets(): Promise<void> {
    const { localAddress, mode } = this.opts;
    const where = `${localAddress}:${this.port}`;
    const listener = createSocket({ type: 'udp4' });
    this.listener = listener;
    listener.on('error', (err) => this.opts.onError?.(new BfdSocketError(`BFD socket on ${where}: ${err.message}`)));
    if (mode === 'multihop') listener.on('message', (data, rinfo) => this.deliver(data, rinfo.address));
    else listener.on('message', () => undefined); // the raw socket has the copy that shows the TTL
    await listen(listener, this.port, localAddress).catch((err: Error) => {
      throw new BfdSocketError(`binding BFD ${mode} on ${where}: ${err.message}`);
    });
    if (mode === 'single-hop') this.openRaw();
  }

  /**
   * The raw IPPROTO_UDP socket that shows TTLs. raw-socket closes it on any receive error; BFD
   * must not go deaf (that is a false Down), so it is reopened, one attempt per 200 ms while open.
   */
  private openRaw(): void {
    const where = `${this.opts.localAddress}:${this.port}`;
    const raw = loadRaw();
    let s: RawSocket.Socket;
    try {
      s = raw.createSocket({ addressFamily: raw.AddressFamily.IPv4, protocol: IPPROTO_UDP });
    } catch (err) {
      throw new BfdSocketError(`opening the raw UDP socket for single-hop BFD on ${where} (needs root or CAP_NET_RAW): ${err instanceof Error ? err.message : String(err)}`);
    }
    s.on('message', (buffer: Buffer) => this.onRaw(buffer));
    s.on('error', (err: Error) => {
      if (this.raw !== s) return;
      this.raw = undefined;
      this.opts.onError?.(new BfdSocketError(`raw BFD socket on ${where}: ${err.message}; reopening`));
      this.reopenRaw();
    });
    this.raw = s;
  }

  private reopenRaw(): void {
    this.retry = setTimeout(() => {
      this.retry = undefined;
      if (!this.listener) return; // closed meanwhile
      try {
        this.openRaw();
      } catch (e) {
        this.opts.onError?.(e instanceof Error ? e : new Error(String(e)));
        this.reopenRaw();
      }
    }, 200);
  }

  /** A raw IPv4 datagram: ours if UDP to our address and port; then the TTL check of RFC 5881 §5. */
  private onRaw(buffer: Buffer): void {
    const ip = decodeIpv4(buffer);
    if (!ip.ok || ip.value.protocol !== IPPROTO_UDP || ip.value.destination !== this.opts.localAddress) return;
    const udp = ip.value.payload;
    if (udp.length < UDP_HEADER_LENGTH || (((udp[2] ?? 0) << 8) | (udp[3] ?? 0)) !== this.port) return;
    const source = ip.value.source;
    if (ip.value.ttl !== LINK_LOCAL_TTL) {
      this.drop('ttl', `TTL ${ip.value.ttl} from ${source}; single-hop BFD needs 255 (RFC 5881 §5)`, source);
      return;
    }
    this.deliver(udp.subarray(UDP_HEADER_LENGTH), source);
  }

  private drop(reason: BfdDropReason, detail: string, source: string): void {
    this.opts.metrics?.inc('vipd_bfd_dropped_total', { reason });
    this.opts.onDrop?.(reason, detail, source);
  }

  private deliver(data: Uint8Array, source: string): void {
    if (!this.peers.has(source)) {
      this.drop('unknown-peer', `BFD packet from ${source}, which is no peer`, source);
      return;
    }
    const d = decodeBfd(data);
    if (!d.ok) {
      this.drop(d.reason, `${d.detail} (from ${source})`, source);
      return;
    }
    const auth = this.opts.authenticator;
    if (auth && d.value.auth) {
      const verdict = auth.verify(data, d.value);
      if (verdict !== 'valid') {
        this.drop(`auth-${verdict}`, `${verdict} in the Authentication Section from ${source}`, source);
        return;
      }
    }
    this.handler?.(source, d.value);
  }

  async addPeer(peer: string): Promise<void> {
    if (this.peers.has(peer)) return;
    const rnd = this.opts.random ?? Math.random;
    let lastError: Error | undefined;
    for (let i = 0; i < SOURCE_PORT_ATTEMPTS; i++) {
      const port = BFD_SOURCE_PORT_MIN + Math.floor(rnd() * (BFD_SOURCE_PORT_MAX - BFD_SOURCE_PORT_MIN + 1));
      const s = createSocket({ type: 'udp4' });
      try {
        await listen(s, port, this.opts.localAddress);
      } catch (err) {
        s.close();
        lastError = err as Error;
        continue;
      }
      // RFC 5881 §5 / RFC 5883 §5: sent with TTL 255.
      s.setTTL(LINK_LOCAL_TTL);
      s.on('error', (err) => this.opts.onError?.(new BfdSocketError(`BFD socket to ${peer}: ${err.message}`)));
      s.on('message', () => undefined);
      if (this.peers.has(peer)) {
        s.close();
        return;
      }
      this.peers.set(peer, s);
      return;
    }
    throw new BfdSocketError(`no free UDP source port in ${BFD_SOURCE_PORT_MIN}-${BFD_SOURCE_PORT_MAX} on ${this.opts.localAddress} for the BFD session to ${peer} after ${SOURCE_PORT_ATTEMPTS} tries: ${lastError?.message ?? ''}`);
  }

  removePeer(peer: string): void {
    const s = this.peers.get(peer);
    this.peers.delete(peer);
    s?.close();
  }

  /** The source port the session to `peer` sends from. */
  sourcePortOf(peer: string): number | undefined {
    return this.peers.get(peer)?.address().port;
  }

  send(peer: string, packet: Omit<BfdControlPacket, 'auth'>, authSequence?: number): void {
    const s = this.peers.get(peer);
    if (!s) return;
    const auth = this.opts.authenticator;
    let bytes: Uint8Array;
    try {
      bytes = auth && authSequence !== undefined ? auth.sign(packet, authSequence) : encodeBfd(packet);
    } catch (err) {
      this.opts.onError?.(new BfdSocketError(`encoding BFD to ${peer}: ${err instanceof Error ? err.message : String(err)}`));
      return;
    }
    s.send(bytes, this.port, peer, (err) => {
      if (!err) return;
      this.opts.metrics?.inc('vipd_bfd_send_errors_total');
      this.opts.onError?.(new BfdSocketError(`sending BFD to ${peer}:${this.port}: ${err.message}`));
    });
  }

  async close(): Promise<void> {
    for (const peer of [...this.peers.keys()]) this.removePeer(peer);
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    this.raw?.close();
    this.raw = undefined;
    const l = this.listener;
    this.listener = undefined;
    if (l) await new Promise<void>((resolve) => { try { l.close(() => resolve()); } catch { resolve(); } });
    this.opening = undefined;
  }
}
