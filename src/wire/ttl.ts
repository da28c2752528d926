/**
 * The hop-limit guard for link-local protocols: VRRP (RFC 5798 §5.1.1.3 and §7.1; RFC 3768
 * §5.2.3 for v2) and Neighbor Discovery (RFC 4861 §7.1.2) are sent with TTL / hop limit 255
 * and a receiver drops anything less, because a router on the way would have decremented it:
 * the packet did not come from the link. This is meaning, not syntax, so decoders return the
 * value and receivers call this.
 */
import type { IpFamily } from './address.js';

/** The only acceptable TTL / hop limit for VRRP and ND messages. */
export const LINK_LOCAL_TTL = 255;

/** undefined when `ttl` is 255; otherwise why the packet must be dropped. */
export function checkTtl(ttl: number, family: IpFamily = 4): string | undefined {
  if (ttl === LINK_LOCAL_TTL) return undefined;
  return family === 4 ? `IPv4 TTL is ${ttl}; should be 255` : `IPv6 hop limit is ${ttl}; should be 255`;
}
