/**
 * In-memory PeerTransport and LeaseTransport: nodes in one process exchange adverts and lease
 * messages through a hub. Test-only (it lives under test/ because nothing in src/ uses it): the
 * simulator (test/sim) runs it on a virtual clock with a seeded lossy LinkModel, so simulated
 * nodes run exactly the runtime code a real node runs. A node's address on the hub is its node id.
 */
import type { AdvertOrigin } from '../../src/core/election/authorise.js';
import type { Clock } from '../../src/ports/clock.js';
import type { LeaseMessage, LeaseReceiver, LeaseTransport } from '../../src/ports/lease-transport.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../../src/ports/peer-transport.js';

/** What a node announces, as a gRPC Hello would (primary address, groups it runs). */
export type Announce = Omit<AdvertOrigin, 'nodeId'>;

/** Decides the fate of one message on one link: the delays of its copies; [] means lost. */
export interface LinkModel {
  deliveries(from: string, to: string, now: number): readonly number[];
}

export const fixedDelay = (ms: number): LinkModel => ({ deliveries: () => [ms] });

export class MemoryHub {
  private readonly members = new Map<string, MemoryTransport>();
  /** Transports by the address they serve at (their node id unless `connect` was given one). */
  private readonly byAddress = new Map<string, MemoryTransport>();

  constructor(
    private readonly clock: Clock,
    public link: LinkModel = fixedDelay(1),
  ) {}

  /**
   * A transport for `nodeId`; a node that reconnects replaces its old transport. With
   * `announce`, the adverts it sends carry an origin as gRPC's would (the node id is the hub's
   * to vouch for); without, they carry none, like VRRP's. `address` is where it serves (the
   * origin's address, and where lease messages to it are sent), default its node id; the
   * simulator with BFD gives host:port addresses, since BFD runs between IPv4 hosts.
   */
  connect(nodeId: string, announce?: Announce, address: string = nodeId): MemoryTransport {
    const t = new MemoryTransport(nodeId, this, announce, address);
    this.members.set(nodeId, t);
    this.byAddress.set(address, t);
    return t;
  }

  /** @internal Sends a lease message from `from` to the node at address `to` (or node id `to`), through the link model. */
  unicast(from: string, to: string, msg: LeaseMessage): boolean {
    const member = this.byAddress.get(to) ?? this.members.get(to);
    if (!member || member.nodeId === from) return false;
    const now = this.clock.now();
    for (const delay of this.link.deliveries(from, member.nodeId, now)) {
      const copy = structuredClone(msg);
      this.clock.schedule(now + delay, () => member.deliverLease(copy, from));
    }
    return true;
  }

  /** @internal Sends `msg` from `from` to every other started member, through the link model. */
  broadcast(from: string, msg: GroupAdvert): void {
    const now = this.clock.now();
    for (const [to, member] of this.members) {
      if (to === from) continue;
      for (const delay of this.link.deliveries(from, to, now)) {
        const copy = structuredClone(msg);
        this.clock.schedule(now + delay, () => member.deliver(copy));
      }
    }
  }
}

export class MemoryTransport implements PeerTransport, LeaseTransport {
  private handler: AdvertHandler | undefined;
  private leaseReceiver: LeaseReceiver | undefined;

  constructor(
    readonly nodeId: string,
    private readonly hub: MemoryHub,
    private readonly announce?: Announce,
    readonly address: string = nodeId,
  ) {}

  async start(handler: AdvertHandler): Promise<void> {
    this.handler = handler;
  }

  send(msg: GroupAdvert): void {
    if (!this.handler) return;
    // The origin is the hub's to vouch for, never the sender's to claim.
    const { origin: _claimed, ...plain } = msg;
    this.hub.broadcast(this.nodeId, this.announce ? { ...plain, origin: { ...this.announce, nodeId: this.nodeId, address: this.address } } : plain);
  }

  async stop(): Promise<void> {
    this.handler = undefined;
    this.leaseReceiver = undefined;
  }

  onLease(receiver: LeaseReceiver): void {
    this.leaseReceiver = receiver;
  }

  sendLease(address: string, msg: LeaseMessage): boolean {
    return this.handler ? this.hub.unicast(this.nodeId, address, msg) : false;
  }

  /** @internal */
  deliverLease(msg: LeaseMessage, from: string): void {
    if (this.handler) this.leaseReceiver?.(msg, from);
  }

  /** @internal */
  deliver(msg: GroupAdvert): void {
    this.handler?.(msg);
  }
}
