/**
 * Several PeerTransports behind one: each group's adverts go to the transports it uses
 * (unicast gRPC, VRRP multicast, or both side by side), and what any of them receives goes to
 * the one handler.
 */
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../ports/peer-transport.js';

export class CompositeTransport implements PeerTransport {
  constructor(private readonly routes: ReadonlyArray<{ transport: PeerTransport; groups: ReadonlySet<string> }>) {}

  async start(handler: AdvertHandler): Promise<void> {
    for (const r of this.routes) await r.transport.start(handler);
  }

  send(msg: GroupAdvert): void {
    for (const r of this.routes) if (r.groups.has(msg.group)) r.transport.send(msg);
  }

  async stop(): Promise<void> {
    await Promise.all(this.routes.map((r) => r.transport.stop()));
  }
}
