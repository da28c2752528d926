/**
 * BFD Control packets in the whole-node simulator: a BfdTransport (src/ports/bfd-transport.ts)
 * per process, standing in for the UDP endpoint (src/adapters/bfd/udp-endpoint.ts), with every
 * packet's fate drawn by the world's seeded SimNetwork: the same loss, delay, duplication,
 * reordering and one-way or two-way cuts as adverts, leases and membership.
 *
 * As the real endpoint does:
 * - a packet goes to the peer's IPv4 host and reaches whatever process listens there when it
 *   arrives: a restarted process gets its predecessor's packets in flight, and its fresh
 *   sessions (new discriminators, RFC 5880 §6.8.1) drop them (§6.8.6, Your Discriminator);
 * - packets from a host that is no peer are dropped (`unknown-peer`), checked when the process
 *   reads them;
 * - a closed endpoint (a crashed or stopped process) sends and hears nothing;
 * - a stalled process reads its packets only when the stall ends (node-clock.ts), as a real
 *   one finds them queued on its socket.
 *
 * Packets travel decoded, not as bytes. The real endpoint encodes them (src/wire/bfd.ts), signs
 * them with Meticulous Keyed SHA1 (RFC 5880 §6.7.4, src/adapters/bfd/auth.ts) and checks the
 * digest before a session sees them; the codec and the digest are tested on their own
 * (test/unit/wire/bfd.test.ts, test/unit/adapters/bfd/udp-endpoint.test.ts, tshark). Here every
 * BFD speaker is an honest node holding the cluster key (the adversary speaks no BFD), so every
 * digest would verify, and hashing two SHA-1s per packet would cost more than the rest of a
 * packet's simulation. What the sessions do see is the Authentication Section the endpoint
 * would deliver: Auth Type 5 and the Sequence Number the session asked to sign with, so the
 * Meticulous sequence window (§6.7.4: bfd.RcvAuthSeq+1 .. +3 × Detect Mult) meets the
 * network's duplicates and reordering, as it does in production with `auth:` keys.
 */
import { BfdAuthType, type BfdControlPacket } from '../../src/core/bfd/packet.js';
import type { BfdTransport } from '../../src/ports/bfd-transport.js';
import type { Clock } from '../../src/ports/clock.js';
import type { LinkModel } from '../fakes/memory-transport.js';

/** Stands for a digest the endpoint verified (20 bytes, SHA-1's length, §4.4); never read. */
const VERIFIED_DIGEST = new Uint8Array(20);
/** The Auth Key ID every node derives for the cluster's active key (auth.ts); one key here. */
const KEY_ID = 1;

/** Where one process's packets are read: its stall gate and its endpoint. */
interface Listener {
  readonly endpoint: SimBfdEndpoint;
  /** The process's clock: a stalled process reads its packets when the stall ends. */
  readonly clock: Pick<Clock, 'now'> & { run(fn: () => void): void };
}

export class SimBfdNet {
  /** The process listening at each IPv4 host now. */
  private readonly listening = new Map<string, Listener>();
  /** Packets handed to the network, and what the hub delivered to a listening process. */
  sent = 0;
  delivered = 0;
  /** Sees every packet handed to the network (tests: discriminators, states). */
  tap: ((from: string, to: string, packet: BfdControlPacket) => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly link: LinkModel,
    /** The node id of each IPv4 host (the link model's names). */
    private readonly hostOf: (ip: string) => string | undefined,
  ) {}

  /** A fresh endpoint for the process of `nodeId` on host `ip` (one per process start). */
  endpoint(nodeId: string, ip: string, clock: Listener['clock']): SimBfdEndpoint {
    return new SimBfdEndpoint(this, nodeId, ip, clock);
  }

  /** @internal */
  listen(ip: string, l: Listener): void {
    this.listening.set(ip, l);
  }

  /** @internal */
  unlisten(ip: string, endpoint: SimBfdEndpoint): void {
    if (this.listening.get(ip)?.endpoint === endpoint) this.listening.delete(ip);
  }

  /** @internal One packet from `fromIp` (node `from`) to host `toIp`, through the link model. */
  carry(from: string, fromIp: string, toIp: string, packet: BfdControlPacket): void {
    const to = this.hostOf(toIp);
    if (to === undefined) return;
    this.sent++;
    this.tap?.(from, to, packet);
    const now = this.clock.now();
    for (const delay of this.link.deliveries(from, to, now)) {
      this.clock.schedule(now + delay, () => {
        const l = this.listening.get(toIp);
        if (!l) return; // nobody listens: a datagram to a closed port is gone
        this.delivered++;
        l.clock.run(() => l.endpoint.receive(fromIp, packet));
      });
    }
  }
}

export class SimBfdEndpoint implements BfdTransport {
  private handler: ((peer: string, packet: BfdControlPacket) => void) | undefined;
  private readonly peers = new Set<string>();
  private closed = false;

  constructor(
    private readonly net: SimBfdNet,
    private readonly nodeId: string,
    private readonly ip: string,
    private readonly clock: Listener['clock'],
  ) {}

  async open(handler: (peer: string, packet: BfdControlPacket) => void): Promise<void> {
    if (this.closed) throw new Error(`BFD endpoint of ${this.nodeId} at ${this.ip} is closed`);
    this.handler = handler;
    this.net.listen(this.ip, { endpoint: this, clock: this.clock });
  }

  async addPeer(peer: string): Promise<void> {
    if (!this.closed) this.peers.add(peer);
  }

  removePeer(peer: string): void {
    this.peers.delete(peer);
  }

  send(peer: string, packet: Omit<BfdControlPacket, 'auth'>, authSequence?: number): void {
    if (this.closed || !this.handler || !this.peers.has(peer)) return;
    // What the real endpoint signs (authSequence given) and the far end's check then delivers.
    const wire: BfdControlPacket = authSequence === undefined
      ? { ...packet }
      : { ...packet, auth: { type: BfdAuthType.MeticulousKeyedSha1, keyId: KEY_ID, sequence: authSequence, digest: VERIFIED_DIGEST } };
    this.net.carry(this.nodeId, this.ip, peer, wire);
  }

  async close(): Promise<void> {
    this.closed = true;
    this.handler = undefined;
    this.peers.clear();
    this.net.unlisten(this.ip, this);
  }

  /** @internal A packet the process reads now (after any stall). */
  receive(from: string, packet: BfdControlPacket): void {
    // The real endpoint drops a host that is no peer (`unknown-peer`) before decoding.
    if (this.closed || !this.peers.has(from)) return;
    this.handler?.(from, packet);
  }
}
