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

/** A peer-service endpoint: where we listen, where peers dial us, where we dial seeds. */
export type HostPort = { readonly host: string; readonly port: number; readonly kind: 'ipv4' | 'ipv6' | 'name' };
export type HostPortResult = ({ ok: true } & HostPort) | { ok: false; reason: string };

/** RFC 1123 §2.1 labels; RFC 3696 §2: the last label is never all digits (so 999.1.1.1 is no name). */
const HOST_NAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;
const HOST_PORT_FORMS = 'expected host:port, e.g. 192.0.2.11:7946, [2001:db8::11]:7946 or node-b.example:7946';

/**
 * "192.0.2.11:7946", "[2001:db8::11]:7946" or "node-b.example:7946". IPv6 needs the brackets
 * (RFC 3986 §3.2.2): without them the last ":" could belong to the address. Port 0-65535;
 * whether 0 or an unspecified host makes sense depends on the use, checked by the caller.
 */
export function parseHostPort(text: string): HostPortResult {
  const quoted = JSON.stringify(text);
  let hostText: string;
  let portText: string;
  let bracketed = false;
  if (text.startsWith('[')) {
    const close = text.indexOf(']');
    if (close === -1 || text[close + 1] !== ':') return { ok: false, reason: `${quoted} is not host:port; ${HOST_PORT_FORMS}` };
    hostText = text.slice(1, close);
    portText = text.slice(close + 2);
    bracketed = true;
  } else {
    const colon = text.lastIndexOf(':');
    if (colon === -1) return { ok: false, reason: `${quoted} has no port; ${HOST_PORT_FORMS}` };
    hostText = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (hostText.includes(':')) return { ok: false, reason: `${quoted}: write an IPv6 address in brackets, e.g. [2001:db8::11]:7946` };
  }
  const port = /^\d{1,5}$/.test(portText) ? Number(portText) : NaN;
  if (!(port >= 0 && port <= 65535)) return { ok: false, reason: `${quoted}: port ${JSON.stringify(portText)} must be an integer 0-65535` };

  if (bracketed) {
    const parsed = parseAddress(hostText);
    if (!parsed.ok) return { ok: false, reason: `${quoted}: ${parsed.reason}` };
    if (parsed.family !== 6) return { ok: false, reason: `${quoted}: brackets are for IPv6 addresses; write ${hostText}:${portText}` };
    return { ok: true, host: parsed.address, port, kind: 'ipv6' };
  }
  if (isIPv4(hostText)) return { ok: true, host: hostText, port, kind: 'ipv4' };
  const labels = hostText.split('.');
  if (HOST_NAME.test(hostText) && !/^\d+$/.test(labels[labels.length - 1] ?? '')) {
    return { ok: true, host: hostText.toLowerCase(), port, kind: 'name' };
  }
  return { ok: false, reason: `${quoted}: ${JSON.stringify(hostText)} is not an IPv4 address, [IPv6] address or host name` };
}

/** Canonical text, so that equal endpoints compare equal: IPv6 compressed in brackets, names lower case. */
export function formatHostPort(endpoint: HostPort): string {
  return endpoint.kind === 'ipv6' ? `[${endpoint.host}]:${endpoint.port}` : `${endpoint.host}:${endpoint.port}`;
}

/** 0.0.0.0 and :: mean "every local address": fine to bind, impossible to dial. */
export function isUnspecifiedHost(endpoint: HostPort): boolean {
  return endpoint.host === '0.0.0.0' || endpoint.host === '::';
}
