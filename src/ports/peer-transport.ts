/**
 * Carries election adverts between the members of VIP groups. Implementations: in-memory
 * (demo, simulator), gRPC unicast, VRRP multicast. Meaning (right VRID, right cluster, fresh?)
 * is the core's and the runtime's business; a transport only moves messages and drops what it
 * cannot decode, counting the reason.
 */
import type { AdvertOrigin } from '../core/election/authorise.js';
import type { Advert } from '../core/election/types.js';

/** An advert addressed to one group of one cluster. */
export interface GroupAdvert {
  readonly group: string;
  readonly advert: Advert;
  /**
   * Received adverts: who sent it as far as an authenticating transport knows (gRPC: the
   * stream's certificate identity and its Hello). Absent from transports that cannot tell
   * (VRRP on the LAN, where RFC 5798 §5.1.1.3 TTL 255 is the only check).
   */
  readonly origin?: AdvertOrigin;
  /**
   * Sent adverts: a master's periodic advert, same role and term as its last one (instance-runner.ts).
   * A transport may coalesce periodic adverts of several groups for the rest of the current
   * event-loop turn; every other advert (a takeover's first, priority 0, an answer to an advert,
   * a new term) is urgent and leaves at once. Absent: urgent.
   */
  readonly periodic?: boolean;
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
