/**
 * Carries election adverts between the members of VIP groups. Implementations: in-memory
 * (demo, simulator), gRPC unicast, VRRP multicast. Meaning (right VRID, right cluster, fresh?)
 * is the core's and the runtime's business; a transport only moves messages and drops what it
 * cannot decode, counting the reason.
 */
import type { Advert } from '../core/election/types.js';

/** An advert addressed to one group of one cluster. */
export interface GroupAdvert {
  readonly group: string;
  readonly advert: Advert;
}

export type AdvertHandler = (msg: GroupAdvert) => void;

export interface PeerTransport {
  /**
   * Starts receiving and delivers every decoded advert to `handler`. Idempotent; may reject
   * with a typed error when the transport cannot start (port in use, no CAP_NET_RAW).
   */
  start(handler: AdvertHandler): Promise<void>;
  /**
   * Sends to the group's members. Never throws and never blocks: failures are the transport's
   * to count and log, because the election tolerates loss by design (RFC 5798 §6.1).
   */
  send(msg: GroupAdvert): void;
  /** Stops; idempotent, and harmless before start. Pending sends may be dropped. */
  stop(): Promise<void>;
}
