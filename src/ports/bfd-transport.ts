/**
 * BFD Control packets to and from peers (RFC 5880 over UDP: RFC 5881 single hop, RFC 5883
 * multihop). The UDP adapter (src/adapters/bfd/udp-endpoint.ts) implements it; tests use an
 * in-memory pair. Packets arrive syntax-checked, from a known peer, with the TTL and (when
 * authentication is on) the digest verified; everything else is dropped and counted by the
 * transport.
 */
import type { BfdControlPacket } from '../core/bfd/packet.js';

export interface BfdTransport {
  /** Starts delivering packets to `handler`; rejects with the reason it cannot open. Idempotent. */
  open(handler: (peer: string, packet: BfdControlPacket) => void): Promise<void>;
  /** Packets from `peer` (an IP address) are delivered from now on; each peer gets its own source port (RFC 5881 §4). Idempotent. */
  addPeer(peer: string): Promise<void>;
  /** Stops delivering from `peer` and frees its port. Idempotent. */
  removePeer(peer: string): void;
  /**
   * Sends `packet` to `peer`, signed with `authSequence` when authentication is on. Never
   * blocks, never throws: a send error is counted and logged by the transport (BFD is periodic).
   */
  send(peer: string, packet: Omit<BfdControlPacket, 'auth'>, authSequence?: number): void;
  /** Closes every socket. Idempotent; harmless before open. */
  close(): Promise<void>;
}
