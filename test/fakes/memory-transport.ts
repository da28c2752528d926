/**
 * In-memory PeerTransport: nodes in one process exchange adverts through a hub. Test-only (it
 * lives under test/ because nothing in src/ uses it): the simulator (test/sim) runs it on a
 * virtual clock with a seeded lossy LinkModel, so simulated nodes run exactly the runtime code
 * a real node runs.
 */
import type { Clock } from '../../src/ports/clock.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../../src/ports/peer-transport.js';

/** Decides the fate of one message on one link: the delays of its copies; [] means lost. */
export interface LinkModel {
  deliveries(from: string, to: string, now: number): readonly number[];
}

export const fixedDelay = (ms: number): LinkModel => ({ deliveries: () => [ms] });

export class MemoryHub {
  private readonly members = new Map<string, MemoryTransport>();

  constructor(
    private readonly clock: Clock,
    public link: LinkModel = fixedDelay(1),
  ) {}

  /** A transport for `nodeId`; a node that reconnects replaces its old transport. */
  connect(nodeId: string): MemoryTransport {
    const t = new MemoryTransport(nodeId, this);
    this.members.set(nodeId, t);
    return t;
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

export class MemoryTransport implements PeerTransport {
  private handler: AdvertHandler | undefined;

  constructor(
    readonly nodeId: string,
    private readonly hub: MemoryHub,
  ) {}

  async start(handler: AdvertHandler): Promise<void> {
    this.handler = handler;
  }

  send(msg: GroupAdvert): void {
    if (this.handler) this.hub.broadcast(this.nodeId, msg);
  }

  async stop(): Promise<void> {
    this.handler = undefined;
  }

  /** @internal */
  deliver(msg: GroupAdvert): void {
    this.handler?.(msg);
  }
}
