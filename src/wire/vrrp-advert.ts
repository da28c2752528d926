/**
 * VRRP messages <-> the election core's Advert (src/core/election/types.ts). VRRP has no node
 * ids and no terms: the sender is known by its source address (also the RFC 5798 §6.4.3
 * tie-break) and the term is 0. v2 intervals are whole seconds, the core counts centiseconds.
 */
import type { Advert } from '../core/election/types.js';
import { VRRP_AUTH_NONE, VRRP_V2_AUTH_LENGTH, type VrrpMessage } from './vrrp.js';

/** A received advert as the election sees it; `source` is the IP source address text. */
export function toElectionAdvert(msg: VrrpMessage, source: string): Advert {
  return {
    vrid: msg.vrid,
    sender: { nodeId: source, address: source },
    priority: msg.priority,
    advertIntervalCs: msg.version === 2 ? msg.advertIntervalS * 100 : msg.maxAdvertIntervalCs,
    term: 0,
  };
}

export interface VrrpSendOptions {
  version: 2 | 3;
  /** The virtual addresses to list, all of the packet's family. */
  addresses: string[];
  /** v2 only; default none (0) with zero auth data. */
  authType?: number;
  authData?: Uint8Array;
}

/**
 * The VRRP message for an advert we send (the SendAdvert action carries priority and interval;
 * the instance adds its VRID). Throws RangeError when a v2 interval is not whole seconds:
 * configuration must have refused that (RFC 3768 §5.3.7).
 */
export function fromElectionAdvert(advert: Pick<Advert, 'vrid' | 'priority' | 'advertIntervalCs'>, options: VrrpSendOptions): VrrpMessage {
  const { vrid, priority, advertIntervalCs } = advert;
  const addresses = [...options.addresses];
  if (options.version === 3) return { version: 3, vrid, priority, maxAdvertIntervalCs: advertIntervalCs, addresses };
  if (advertIntervalCs % 100 !== 0) {
    throw new RangeError(`VRRPv2 advert interval must be whole seconds; ${advertIntervalCs} cs is not`);
  }
  return {
    version: 2, vrid, priority, advertIntervalS: advertIntervalCs / 100, addresses,
    authType: options.authType ?? VRRP_AUTH_NONE,
    authData: options.authData ?? new Uint8Array(VRRP_V2_AUTH_LENGTH),
  };
}
