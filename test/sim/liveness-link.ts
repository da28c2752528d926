/**
 * The BFD majority rule's LivenessReport / LivenessQuery frames in the whole-node simulator
 * (docs/bfd.md "The majority rule"; ClusterBfd.links of src/runtime/cluster-node.ts). On gRPC
 * they are frames on the authenticated stream to an address, delivered with the stream's
 * identity (GrpcTransport.sendLiveness / onLiveness); here:
 * - a frame goes to the process listening at the address when it is sent, with the sender's
 *   node id as `from`, never a name taken from the frame; if that process ends before the frame
 *   arrives, the frame ends with its stream (a restarted process at the address does not get it);
 * - a send needs a stream, which needs both directions (a one-way cut breaks it, as in
 *   network.ts `connected`); without one it returns false and nothing is sent (a missing report
 *   is no Down);
 * - the frame's fate is the link model's, like a lease message's (loss included: a pessimistic
 *   model of a stream that breaks and drops what was in flight);
 * - a stalled process reads it when its stall ends; a closed one (crashed, stopped) never.
 */
import type { Clock } from '../../src/ports/clock.js';
import type { LivenessMessage } from '../../src/ports/liveness-reports.js';
import type { ClusterBfd } from '../../src/runtime/cluster-node.js';
import type { SimNetwork } from './network.js';

interface Listener {
  readonly nodeId: string;
  readonly run: (fn: () => void) => void;
  receiver: ((m: LivenessMessage, from: string) => void) | undefined;
  open: boolean;
}

export class SimLivenessLinks {
  private readonly listening = new Map<string, Listener>();
  sent = 0;

  constructor(
    private readonly clock: Clock,
    private readonly net: SimNetwork,
  ) {}

  /** The links of the process of `nodeId` serving at `address`; `close` when it dies or stops. */
  connect(nodeId: string, address: string, run: Listener['run']): ClusterBfd['links'] & { close(): void } {
    const me: Listener = { nodeId, run, receiver: undefined, open: true };
    this.listening.set(address, me);
    return {
      onLiveness: (receiver) => {
        me.receiver = receiver;
      },
      sendLiveness: (to, m) => (me.open ? this.send(nodeId, to, m) : false),
      close: () => {
        me.open = false;
        if (this.listening.get(address) === me) this.listening.delete(address);
      },
    };
  }

  private send(from: string, address: string, m: LivenessMessage): boolean {
    const peer = this.listening.get(address);
    if (!peer || peer.nodeId === from || !this.net.connected(from, peer.nodeId)) return false;
    this.sent++;
    const now = this.clock.now();
    for (const delay of this.net.deliveries(from, peer.nodeId)) {
      const copy = { ...m };
      this.clock.schedule(now + delay, () => {
        if (peer.open) peer.run(() => peer.open && peer.receiver?.(copy, from));
      });
    }
    return true;
  }
}
