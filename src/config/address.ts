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

/**
 * Why `vip` cannot be a virtual IP, or undefined when it is a unicast address one host can hold
 * (issue 8 finding 11). Link-local addresses pass: whether they may be VIPs depends on the
 * group's transport (linkLocalVipProblem).
 */
export function vipAddressProblem(vip: VipConfig): string | undefined {
  const bytes = canonicalBytes(vip.address, vip.family);
  const a = vip.address;
  const special = vip.family === 4 ? ipv4Special(a, bytes) : ipv6Special(a, bytes);
  if (special !== undefined) return `${special}; a VIP must be a unicast address one host can hold`;
  return hostBitsProblem(vip, bytes);
}

/**
 * A link-local VIP (169.254.0.0/16, RFC 3927; fe80::/10, RFC 4291 §2.5.6) means one thing only
 * on one link: fine for a group that speaks VRRP there (every node shares the link), wrong for
 * a unicast group, whose nodes may be anywhere. `sharedLink`: transport multicast or both.
 */
export function linkLocalVipProblem(vip: VipConfig, sharedLink: boolean): string | undefined {
  if (sharedLink) return undefined;
  const [b0 = 0, b1 = 0] = canonicalBytes(vip.address, vip.family);
  const linkLocal = vip.family === 4 ? b0 === 169 && b1 === 254 : b0 === 0xfe && (b1 & 0xc0) === 0x80;
  if (!linkLocal) return undefined;
  const range = vip.family === 4 ? '169.254.0.0/16, RFC 3927' : 'fe80::/10, RFC 4291 §2.5.6';
  return `${vip.address} is link-local (${range}): usable as a VIP only with VRRP on one link (transport multicast or both), where every node shares it`;
}

/**
 * Bytes of an address in parseAddress's canonical form: a dotted quad, or RFC 5952 hex groups
 * (WHATWG URL serialization never writes an embedded IPv4 part). src/config imports only itself,
 * so this is not src/core's general parser.
 */
function canonicalBytes(address: string, family: 4 | 6): number[] {
  if (family === 4) return address.split('.').map(Number);
  const groups = (text: string | undefined) => (text === undefined || text === '' ? [] : text.split(':').map((g) => parseInt(g, 16)));
  const [head, tail] = address.split('::');
  const before = groups(head);
  const after = groups(tail);
  const all = [...before, ...new Array<number>(8 - before.length - after.length).fill(0), ...after];
  return all.flatMap((group) => [group >> 8, group & 0xff]);
}

function ipv4Special(a: string, [b0 = 0, b1 = 0, b2 = 0, b3 = 0]: number[]): string | undefined {
  if (b0 === 0 && b1 === 0 && b2 === 0 && b3 === 0) return `${a} is the unspecified address (RFC 1122 §3.2.1.3)`;
  if (b0 === 0) return `${a} is in "this network" (0.0.0.0/8), a source address only (RFC 1122 §3.2.1.3)`;
  if (b0 === 127) return `${a} is loopback (127.0.0.0/8): it never leaves the host (RFC 1122 §3.2.1.3)`;
  if (b0 >= 224 && b0 <= 239) {
    const vrrp = a === '224.0.0.18' ? ', VRRP\'s own group (RFC 5798 §5.1.1.2)' : '';
    return `${a} is multicast (224.0.0.0/4)${vrrp}: a group, not a host (RFC 5771)`;
  }
  if (b0 === 255 && b1 === 255 && b2 === 255 && b3 === 255) return `${a} is the limited broadcast address (RFC 919)`;
  if (b0 >= 240) return `${a} is reserved (240.0.0.0/4) (RFC 1112 §4)`;
  return undefined;
}

function ipv6Special(a: string, bytes: number[]): string | undefined {
  const zeroUpTo = (n: number) => bytes.slice(0, n).every((b) => b === 0);
  if (zeroUpTo(16)) return `${a} is the unspecified address (RFC 4291 §2.5.2)`;
  if (zeroUpTo(15) && bytes[15] === 1) return `${a} is the loopback address: it never leaves the host (RFC 4291 §2.5.3)`;
  if (bytes[0] === 0xff) return `${a} is multicast (ff00::/8): a group, not a host (RFC 4291 §2.7)`;
  if (zeroUpTo(10) && bytes[10] === 0xff && bytes[11] === 0xff) return `${a} is an IPv4-mapped address (RFC 4291 §2.5.5.2); write the IPv4 address in a group of its own`;
  return undefined;
}

/**
 * The all-zeros and (IPv4) all-ones host parts of a prefix name the network, not a host:
 * network and broadcast address (RFC 919, RFC 922), subnet-router anycast (RFC 4291 §2.6.1).
 * Point-to-point prefixes have neither: /31 (RFC 3021) and /127 (RFC 6164); /32 and /128 are hosts.
 */
function hostBitsProblem(vip: VipConfig, bytes: number[]): string | undefined {
  const bits = bytes.length * 8;
  if (vip.prefixLength >= bits - 1) return undefined;
  const hostBit = (i: number) => (((bytes[i >> 3] ?? 0) >> (7 - (i & 7))) & 1) === 1;
  const host = Array.from({ length: bits - vip.prefixLength }, (_, k) => hostBit(vip.prefixLength + k));
  const network = bytes.map((byte, i) => {
    const keep = Math.max(0, Math.min(8, vip.prefixLength - i * 8));
    return byte & ((0xff << (8 - keep)) & 0xff);
  });
  const prefix = `${vip.family === 4 ? network.join('.') : vip.address}/${vip.prefixLength}`;
  if (host.every((bit) => !bit)) {
    return vip.family === 4
      ? `${vip.address} is the network address of ${prefix}, not a host (RFC 919); use a host address such as ${network.slice(0, 3).join('.')}.${(network[3] ?? 0) + 1}`
      : `${vip.address} is the subnet-router anycast address of ${prefix} (RFC 4291 §2.6.1), not a host`;
  }
  if (vip.family === 4 && host.every((bit) => bit)) return `${vip.address} is the broadcast address of ${prefix}, not a host (RFC 919)`;
  return undefined;
}
