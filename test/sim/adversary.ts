/**
 * A misbehaving allow-listed node for the adversarial property (issue 8 "What must exist" 8):
 * it holds a valid certificate, so it speaks on authenticated streams under its own identity
 * (the gRPC transport drops frames claiming another sender: src/adapters/grpc/grpc-transport.ts,
 * `identity-mismatch`, `membership-identity`), but it is not a voter of the group and sends
 * whatever it likes in every field the wire can carry: adverts for the group with any priority,
 * term, interval and address; membership messages with any gossip about anyone, any
 * incarnation, joins listing made-up members; with BFD, LivenessReport and LivenessQuery frames
 * about anyone (docs/bfd.md "The majority rule": they count for it alone, and it is no voter).
 */
import type { GossipItem, MemberRecord, MemberState, Message } from '../../src/core/membership/messages.js';
import { UINT32_MAX } from '../../src/core/membership/messages.js';
import type { LivenessMessage } from '../../src/ports/liveness-reports.js';
import type { MembershipTransport } from '../../src/ports/membership-transport.js';
import type { MemoryTransport } from '../fakes/memory-transport.js';
import type { Rng } from './rng.js';
import { GROUP, VRID, type SimWorld } from './world.js';

/** Bounds on what one message lists, so the simulator itself stays cheap. */
const MAX_ITEMS = 24;

export class Adversary {
  private adverts: MemoryTransport | undefined;
  private gossip: MembershipTransport | undefined;
  private liveness: { sendLiveness(address: string, m: LivenessMessage): boolean; close(): void } | undefined;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly world: SimWorld,
    readonly id: string,
    private readonly rng: Rng,
  ) {}

  async start(): Promise<void> {
    // Its Hello: a member of another group, a witness of none, or a liar claiming the group.
    const groups = this.rng.pick([['other'], [], [GROUP]]);
    this.adverts = this.world.adverts.connect(this.id, { primaryAddresses: ['192.0.2.254'], groups });
    await this.adverts.start(() => undefined);
    this.gossip = this.world.membership.connect(this.id);
    await this.gossip.listen({ message: () => undefined, peerDown: () => undefined, unreachable: () => undefined, groupTargets: () => [] });
    this.liveness = this.world.liveness?.connect(this.id, this.id, (fn) => fn());
    this.next();
  }

  stop(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.liveness?.close();
  }

  private next(): void {
    const clock = this.world.clock;
    this.cancel = clock.schedule(clock.now() + this.rng.int(5, 150), () => {
      this.act();
      this.next();
    });
  }

  private act(): void {
    // Only with BFD, so that a seed without it draws what it drew before.
    if (this.liveness && this.rng.chance(0.25)) return this.livenessFrame();
    const roll = this.rng.next();
    if (roll < 0.4) this.advert();
    else if (roll < 0.6) this.lease();
    else this.membershipMessage();
  }

  /** Lease acks for any term and echo, and relinquishes, to any voter. */
  private lease(): void {
    const r = this.rng;
    const group = r.chance(0.9) ? GROUP : 'other';
    const term = r.pick([0, 1, 2, r.int(0, 1000), 2 ** 48, Number.MAX_SAFE_INTEGER]);
    const to = this.world.address(r.pick(this.world.ids()));
    this.adverts?.sendLease(to, r.chance(0.7)
      ? { kind: 'ack', group, term, echo: r.pick([0, r.next() * 1e6, Number.MAX_SAFE_INTEGER]) }
      : { kind: 'relinquish', group, term });
  }

  /** A report that anyone is Down or Up, or a query, to any node. */
  private livenessFrame(): void {
    const r = this.rng;
    const subject = this.subject();
    this.liveness?.sendLiveness(this.addressOf(r.pick(this.world.ids())), r.chance(0.7) ? { kind: 'report', subject, down: r.chance(0.8) } : { kind: 'query', subject });
  }

  private advert(): void {
    const r = this.rng;
    const address = r.chance(0.5) ? {} : { address: r.pick(['192.0.2.1', '192.0.2.254', '198.51.100.7', '2001:db8::1', '']) };
    this.adverts?.send({
      group: r.chance(0.9) ? GROUP : r.pick(['other', '', 'vip ']),
      advert: {
        vrid: r.chance(0.9) ? VRID : r.int(0, 255),
        sender: { nodeId: this.id, ...address },
        priority: r.pick([0, 1, 100, 254, 255, r.int(0, 255)]),
        advertIntervalCs: r.pick([1, 10, 100, 4095, r.int(0, 4095)]),
        term: r.pick([0, 1, 2, 2 ** 32, 2 ** 48, 2 ** 48 + 1, Number.MAX_SAFE_INTEGER, r.int(0, 1000)]),
        // Asks voters for a lease, as a master's advert does.
        ...(r.chance(0.7) ? { leaseEcho: r.pick([0, r.next() * 1e6, Number.MAX_SAFE_INTEGER]) } : {}),
      },
    });
  }

  private membershipMessage(): void {
    const r = this.rng;
    const ids = this.world.ids();
    const to = this.addressOf(r.pick(ids));
    const env = { from: this.id, fromAddress: r.chance(0.8) ? this.id : this.addressOf(r.pick(ids)) };
    const gossip = (): GossipItem[] => Array.from({ length: r.int(0, MAX_ITEMS) }, () => this.item());
    const seq = r.int(0, UINT32_MAX);
    const m: Message = r.pick<() => Message>([
      () => ({ ...env, type: 'Ping', seq, target: r.pick(ids), gossip: gossip() }),
      () => ({ ...env, type: 'PingReq', seq, target: r.pick(ids), targetAddress: this.addressOf(r.pick(ids)), nack: r.chance(0.5), gossip: gossip() }),
      () => ({ ...env, type: 'Ack', seq, gossip: gossip() }),
      () => ({ ...env, type: 'Nack', seq, gossip: gossip() }),
      () => ({ ...env, type: 'Gossip', gossip: gossip() }),
      () => ({ ...env, type: 'Join', members: this.records() }),
      () => ({ ...env, type: 'PushPull', reply: r.chance(0.5), members: this.records() }),
    ])();
    this.gossip?.sendMembership(to, m);
  }

  /** A real node's address (its node id, or host:port with BFD), so a claim can hijack a real one; a ghost's or our own is its id. */
  private addressOf(id: string): string {
    return this.world.ids().includes(id) ? this.world.address(id) : id;
  }

  private subject(): string {
    const r = this.rng;
    return r.chance(0.7) ? r.pick([...this.world.ids(), this.id]) : `ghost-${r.int(0, 5000)}`;
  }

  private incarnation(): number {
    const r = this.rng;
    return r.pick([0, 1, 2, r.int(0, 20), r.int(0, UINT32_MAX), UINT32_MAX - 1, UINT32_MAX]);
  }

  private item(): GossipItem {
    const r = this.rng;
    const id = this.subject();
    const incarnation = this.incarnation();
    const from = r.chance(0.5) ? this.id : r.pick(this.world.ids());
    return r.pick<() => GossipItem>([
      () => ({ type: 'Alive', id, address: r.chance(0.7) ? this.addressOf(id) : this.id, incarnation }),
      () => ({ type: 'Suspect', id, incarnation, from }),
      () => ({ type: 'Dead', id, incarnation, from }),
      () => ({ type: 'Left', id, incarnation }),
    ])();
  }

  private records(): MemberRecord[] {
    const r = this.rng;
    const states: MemberState[] = ['alive', 'suspect', 'dead', 'left'];
    return Array.from({ length: r.int(1, MAX_ITEMS) }, () => {
      const id = this.subject();
      return { id, address: r.chance(0.7) ? this.addressOf(id) : this.id, incarnation: this.incarnation(), state: r.pick(states) };
    });
  }
}
