/**
 * In-memory MembershipTransport for the tests and the simulator: nodes in one process exchange
 * SWIM messages through a hub, on the clock they are given (virtual in the simulator), with the
 * fate of every message decided by a pluggable LinkModel exactly like MemoryHub's adverts
 * (src/adapters/memory-transport.ts; test/sim/network.ts SimNetwork is one).
 *
 * Streams are modelled the way the gRPC transport reports them (src/adapters/grpc/peer-link.ts):
 * the first message to a listening address opens a stream (peerUp); a stream whose far end
 * closes, or that the model says is cut, breaks (peerDown); a send that finds nobody listening,
 * or a cut link, before any stream was up is `unreachable`. Link events are delivered from a
 * timer at the current time, never from inside the call that caused them.
 *
 * Crash verdicts as the gRPC link gives them (peer-link.ts checkGone, window 0): a stream broken
 * because its far end closed (the process died or stopped) is followed by a redial, at the same
 * instant, that is refused when nobody listens at the address any more (`gone`); a restarted
 * process that already listens there answers it. A cut link (a partition) is silence: no verdict.
 * A transport's standing (crash-verdict ranking) reaches a peer when that peer's stream to it
 * comes up, as a gRPC Hello would carry it.
 */
import type { Message } from '../../src/core/membership/messages.js';
import { fixedDelay, type LinkModel } from './memory-transport.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Announcement, GroupStanding, MembershipReceiver, MembershipTransport } from '../../src/ports/membership-transport.js';

/** A LinkModel that may also say whether a stream can exist between two nodes right now. */
export interface StreamModel extends LinkModel {
  /** false while `from` cannot reach `to` at all (a partition or a cut); default: connected. */
  connected?(from: string, to: string, now: number): boolean;
}

export class MemoryMembershipHub {
  private readonly listening = new Map<string, MemoryMembershipTransport>();

  constructor(
    readonly clock: Clock,
    public link: StreamModel = fixedDelay(1),
  ) {}

  /** A transport for `nodeId` at `address` (default: the node id); a restarted node gets a new one. */
  connect(nodeId: string, address: string = nodeId, standing: readonly GroupStanding[] = []): MemoryMembershipTransport {
    return new MemoryMembershipTransport(nodeId, address, this, standing);
  }

  /** @internal The transport listening at `address`, if any. */
  at(address: string): MemoryMembershipTransport | undefined {
    return this.listening.get(address);
  }

  /** @internal */
  attach(t: MemoryMembershipTransport): void {
    this.listening.set(t.address, t);
  }

  /** @internal Stops listening at t's address and breaks every stream to it. */
  detach(t: MemoryMembershipTransport): void {
    if (this.listening.get(t.address) !== t) return;
    this.listening.delete(t.address);
    for (const other of this.listening.values()) other.lost(t.address, t.nodeId, 'peer closed the stream');
  }

  /** @internal A reload changed `t`'s standing: every stream to it hears the new Hello. */
  reannounced(t: MemoryMembershipTransport): void {
    for (const other of this.listening.values()) if (other !== t) other.heardAgain(t);
  }

  /** @internal */
  connected(from: string, to: string): boolean {
    return this.link.connected?.(from, to, this.clock.now()) ?? true;
  }
}

export class MemoryMembershipTransport implements MembershipTransport {
  address = '';
  private receiver: MembershipReceiver | undefined;
  /** Addresses we hold an established stream to. */
  private readonly up = new Set<string>();

  constructor(
    readonly nodeId: string,
    private readonly listenAddress: string,
    private readonly hub: MemoryMembershipHub,
    /** What this node's Hello would announce (crash-verdict ranking); a reload replaces it. */
    public standing: readonly GroupStanding[] = [],
  ) {}

  /** A reload (MembershipTransport.reannounce): the peers with a stream to us hear the new standing. */
  reannounce(a: Announcement): void {
    this.standing = a.standing.map((g) => ({ ...g }));
    if (this.address) this.hub.reannounced(this);
  }

  /** @internal `peer` reannounced: our established stream to it carries its new Hello. */
  heardAgain(peer: MemoryMembershipTransport): void {
    if (!this.up.has(peer.address)) return;
    const standing = peer.standing;
    this.later((r) => r.standing?.(peer.nodeId, standing));
  }

  async listen(receiver: MembershipReceiver): Promise<void> {
    this.receiver = receiver;
    if (this.address) return;
    this.address = this.listenAddress;
    this.hub.attach(this);
  }

  sendMembership(address: string, m: Message): boolean {
    if (!this.receiver || address === this.address) return false;
    const peer = this.hub.at(address);
    if (!peer || !this.hub.connected(this.nodeId, peer.nodeId)) {
      if (this.up.delete(address)) this.later((r) => r.peerDown(peer?.nodeId ?? address, 'stream broke'));
      else this.later((r) => r.unreachable(address, peer ? 'link cut' : 'nobody listens there'));
      return false;
    }
    if (!this.up.has(address)) {
      this.up.add(address);
      const standing = peer.standing;
      this.later((r) => {
        if (standing.length > 0) r.standing?.(peer.nodeId, standing);
        r.peerUp?.(peer.nodeId);
      });
    }
    const now = this.hub.clock.now();
    for (const delay of this.hub.link.deliveries(this.nodeId, peer.nodeId, now)) {
      const copy = structuredClone(m);
      this.hub.clock.schedule(now + delay, () => peer.deliver(copy, this.nodeId));
    }
    return true;
  }

  isUp(address: string): boolean {
    const peer = this.hub.at(address);
    return this.up.has(address) && peer !== undefined && this.hub.connected(this.nodeId, peer.nodeId);
  }

  forget(address: string): void {
    this.up.delete(address);
  }

  async close(): Promise<void> {
    this.receiver = undefined;
    this.up.clear();
    this.hub.detach(this);
  }

  /** @internal A message that was in flight arrives; dropped once this transport closed. */
  deliver(m: Message, from: string): void {
    this.receiver?.message(m, from);
  }

  /** @internal The stream to `address` broke because its far end went away. */
  lost(address: string, nodeId: string, reason: string): void {
    if (!this.up.delete(address)) return;
    this.later((r) => {
      r.peerDown(nodeId, reason);
      // The redial: refused while nobody listens there (a stalled process would still accept).
      if (!this.hub.at(address)) r.gone?.(address, nodeId, 'refused');
    });
  }

  private later(fn: (r: MembershipReceiver) => void): void {
    this.hub.clock.schedule(this.hub.clock.now(), () => {
      if (this.receiver) fn(this.receiver);
    });
  }
}
