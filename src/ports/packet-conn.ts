/**
 * A raw packet endpoint (VRRP protocol 112, ARP, NDP) bound to one interface. The LAN issue
 * implements it over raw sockets; the in-memory version serves tests.
 */
export interface ReceivedPacket {
  readonly data: Uint8Array;
  /** Source address as text (IPv4/IPv6) or MAC for link-layer packets. */
  readonly source: string;
  /** IPv4 TTL / IPv6 hop limit when the socket reports it; RFC 5798 §5.1.1.3 wants 255. */
  readonly ttl?: number;
}

export interface PacketConn {
  /** Starts delivering packets to `handler`; idempotent; rejects with the reason it cannot open. */
  open(handler: (p: ReceivedPacket) => void): Promise<void>;
  /** Sends one packet; rejects with an error naming the interface and destination. */
  send(data: Uint8Array, destination: string): Promise<void>;
  /** Closes; idempotent and harmless before open. */
  close(): Promise<void>;
}
