// IP addresses in the configuration. node:net is fine here (config is not the pure core).
import { isIPv4, isIPv6 } from 'node:net';
import type { VipConfig } from './types.js';

export type AddressResult = { ok: true; address: string; family: 4 | 6 } | { ok: false; reason: string };
export type VipResult = { ok: true; vip: VipConfig } | { ok: false; reason: string };

const MAX_PREFIX = { 4: 32, 6: 128 } as const;

/** A bare IPv4 or IPv6 address, returned in canonical form so duplicates compare equal. */
export function parseAddress(text: string): AddressResult {
  if (text.includes('%')) {
    return { ok: false, reason: `${JSON.stringify(text)} has a zone index; write the address without "%zone"` };
  }
  if (isIPv4(text)) return { ok: true, address: text, family: 4 };
  if (isIPv6(text)) return { ok: true, address: canonicalIPv6(text), family: 6 };
  return { ok: false, reason: `${JSON.stringify(text)} is not an IPv4 or IPv6 address` };
}

/** "192.0.2.50/24", "2001:db8::50/64", or a bare address (full-length prefix, /32 or /128). */
export function parseVip(text: string): VipResult {
  const slash = text.indexOf('/');
  const addressText = slash === -1 ? text : text.slice(0, slash);
  const parsed = parseAddress(addressText);
  if (!parsed.ok) return parsed;
  const max = MAX_PREFIX[parsed.family];
  if (slash === -1) {
    return { ok: true, vip: { address: parsed.address, prefixLength: max, family: parsed.family } };
  }
  const prefixText = text.slice(slash + 1);
  const prefixLength = /^\d{1,3}$/.test(prefixText) ? Number(prefixText) : NaN;
  // /0 would claim every address as on-link; no VIP means that.
  if (!(prefixLength >= 1 && prefixLength <= max)) {
    return { ok: false, reason: `prefix ${JSON.stringify(`/${prefixText}`)} must be 1-${max} for IPv${parsed.family}` };
  }
  return { ok: true, vip: { address: parsed.address, prefixLength, family: parsed.family } };
}

/** WHATWG URL parsing compresses and lower-cases IPv6 (RFC 5952 form) without a dependency. */
function canonicalIPv6(text: string): string {
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}
