/**
 * VRRP advertisements, the payload of IP protocol 112: VRRPv2 (RFC 3768 §5.3, IPv4 only) and
 * VRRPv3 (RFC 5798 §5.2, kept by RFC 9568). encode / decode / describe. decode checks syntax
 * (version, type, lengths, checksum, fields no one may send) and never throws; meaning — our
 * VRID? PASS correct? TTL 255 (see ttl.ts)? — belongs to the receiver.
 */
import type { Decoded } from './advert-body.js';
import { addressLength, formatIp, parseIp, requireIp, type IpFamily } from './address.js';
import { checksumOver, hex16, pseudoHeaderSum } from './checksum.js';
import { IPPROTO_VRRP } from './ipv4.js';

/** Receivers drop adverts whose TTL / hop limit is not 255 (RFC 5798 §5.1.1.3); shared with ND. */
export { checkTtl } from './ttl.js';

export const VRRP_MULTICAST_IPV4 = '224.0.0.18';
export const VRRP_MULTICAST_IPV6 = 'ff02::12';
export const VRRP_HEADER_LENGTH = 8;
/** RFC 3768 §5.3.10: v2 always carries 8 bytes of authentication data after the addresses. */
export const VRRP_V2_AUTH_LENGTH = 8;
export const VRRP_AUTH_NONE = 0;
/** RFC 2338's simple text password: keepalived's `auth_type PASS`. */
export const VRRP_AUTH_PASS = 1;
const ADVERTISEMENT = 1;

export interface VrrpV2Message {
  version: 2;
  vrid: number;
  priority: number;
  /** Adver Int in whole seconds, 1-255 (RFC 3768 §5.3.7). */
  advertIntervalS: number;
  /** 0 none, 1 PASS, 2 IP AH (RFC 2338); returned as sent. */
  authType: number;
  /** The 8 authentication bytes: the zero-padded password for PASS, zeros otherwise. */
  authData: Uint8Array;
  addresses: string[];
}

export interface VrrpV3Message {
  version: 3;
  vrid: number;
  priority: number;
  /** Max Adver Int in centiseconds, 12 bits: 1-4095 (RFC 5798 §5.2.7). */
  maxAdvertIntervalCs: number;
  addresses: string[];
}

export type VrrpMessage = VrrpV2Message | VrrpV3Message;

/** The IP addresses the message travels between: v3's checksum covers them (RFC 5798 §5.2.8). */
export interface VrrpPath {
  family: IpFamily;
  source: string;
  destination: string;
}

/** The 8 auth bytes for `auth_type PASS`: the password cut to 8 bytes, zero-padded (as keepalived). */
export function passAuthData(password: string): Uint8Array {
  const out = new Uint8Array(VRRP_V2_AUTH_LENGTH);
  out.set(new TextEncoder().encode(password).subarray(0, VRRP_V2_AUTH_LENGTH));
  return out;
}

const intervalOf = (m: VrrpMessage): number => (m.version === 2 ? m.advertIntervalS : m.maxAdvertIntervalCs);
const intervalLimit = (version: 2 | 3): number => (version === 2 ? 0xff : 0xfff);
const plural = (n: number, word: string): string => `${n} ${word}${n === 1 ? '' : 'es'}`;

function checksumFor(bytes: Uint8Array, version: 2 | 3, src: Uint8Array, dst: Uint8Array): number {
  // RFC 3768 §5.3.8: v2 sums the VRRP message only; RFC 5798 §5.2.8: v3 adds the pseudo-header.
  return checksumOver(bytes, 6, version === 2 ? 0 : pseudoHeaderSum(src, dst, IPPROTO_VRRP, bytes.length));
}

/** The message with its checksum. Throws RangeError on fields that cannot be sent (a bug or bad config). */
export function encodeVrrp(msg: VrrpMessage, path: VrrpPath): Uint8Array {
  const { version } = msg;
  if (version === 2 && path.family !== 4) throw new RangeError('VRRPv2 carries IPv4 only (RFC 3768)');
  const checks: Array<[string, number, number, number]> = [
    ['VRID', msg.vrid, 1, 255], ['priority', msg.priority, 0, 255],
    ['advert interval', intervalOf(msg), 1, intervalLimit(version)], ['address count', msg.addresses.length, 0, 255],
  ];
  for (const [what, v, lo, hi] of checks) {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`VRRPv${version} ${what} ${v} is not ${lo}-${hi}`);
  }
  if (msg.version === 2 && msg.authData.length !== VRRP_V2_AUTH_LENGTH) {
    throw new RangeError(`VRRPv2 auth data is ${msg.authData.length} bytes; should be 8`);
  }
  const size = addressLength(path.family);
  const trailer = msg.version === 2 ? VRRP_V2_AUTH_LENGTH : 0;
  const out = new Uint8Array(VRRP_HEADER_LENGTH + size * msg.addresses.length + trailer);
  out[0] = (version << 4) | ADVERTISEMENT;
  out[1] = msg.vrid;
  out[2] = msg.priority;
  out[3] = msg.addresses.length;
  if (msg.version === 2) {
    out[4] = msg.authType & 0xff;
    out[5] = msg.advertIntervalS;
    out.set(msg.authData, out.length - VRRP_V2_AUTH_LENGTH);
  } else {
    out[4] = msg.maxAdvertIntervalCs >> 8; // the top 4 bits are reserved: zero
    out[5] = msg.maxAdvertIntervalCs & 0xff;
  }
  msg.addresses.forEach((a, i) => out.set(requireIp(a, path.family, 'VRRP address'), VRRP_HEADER_LENGTH + i * size));
  const [src, dst] = version === 2 ? [new Uint8Array(4), new Uint8Array(4)]
    : [requireIp(path.source, path.family, 'VRRP source'), requireIp(path.destination, path.family, 'VRRP destination')];
  const sum = checksumFor(out, version, src, dst);
  out[6] = sum >> 8;
  out[7] = sum & 0xff;
  return out;
}

/**
 * Parse the VRRP payload of an IP packet that went from `path.source` to `path.destination`
 * (both must parse, even for v2 whose checksum ignores them: a receiver always has them).
 */
export function decodeVrrp(bytes: Uint8Array, path: VrrpPath): Decoded<VrrpMessage> {
  const family = path.family;
  if (family !== 4 && family !== 6) return { ok: false, reason: `IP family ${String(family)} is not 4 or 6` };
  const src = parseIp(path.source, family);
  const dst = parseIp(path.destination, family);
  if (!src) return { ok: false, reason: `source ${JSON.stringify(path.source)} is not an IPv${family} address` };
  if (!dst) return { ok: false, reason: `destination ${JSON.stringify(path.destination)} is not an IPv${family} address` };
  if (bytes.length < VRRP_HEADER_LENGTH) {
    return { ok: false, reason: `VRRP message is ${bytes.length} bytes; shorter than the 8-byte header` };
  }
  const version = (bytes[0] ?? 0) >> 4;
  const type = (bytes[0] ?? 0) & 0x0f;
  if (version !== 2 && version !== 3) return { ok: false, reason: `VRRP version ${version} is not 2 or 3` };
  if (type !== ADVERTISEMENT) return { ok: false, reason: `type ${type} is not ADVERTISEMENT` };
  if (version === 2 && family !== 4) return { ok: false, reason: 'VRRPv2 carries IPv4 only (RFC 3768); this came over IPv6' };
  const trailer = version === 2 ? VRRP_V2_AUTH_LENGTH : 0;
  if (bytes.length < VRRP_HEADER_LENGTH + trailer) {
    return { ok: false, reason: `VRRPv2 message is ${bytes.length} bytes; shorter than the 8-byte header and 8 bytes of auth data` };
  }
  const count = bytes[3] ?? 0;
  const size = addressLength(family);
  const carried = bytes.length - VRRP_HEADER_LENGTH - trailer;
  if (carried !== count * size) {
    return { ok: false, reason: `advert says ${plural(count, 'address')} (${count * size} bytes) but carries ${carried} bytes` };
  }
  const sent = ((bytes[6] ?? 0) << 8) | (bytes[7] ?? 0);
  const expected = checksumFor(bytes, version, src, dst);
  if (sent !== expected) return { ok: false, reason: `checksum ${hex16(sent)} should be ${hex16(expected)}` };
  const vrid = bytes[1] ?? 0;
  if (vrid === 0) return { ok: false, reason: 'VRID 0 is not 1-255' };
  const interval = version === 2 ? (bytes[5] ?? 0) : (((bytes[4] ?? 0) & 0x0f) << 8) | (bytes[5] ?? 0);
  if (interval === 0) return { ok: false, reason: `advert interval is 0; should be 1-${intervalLimit(version)} ${version === 2 ? 's' : 'cs'}` };
  const addresses: string[] = [];
  for (let i = 0; i < count; i++) {
    addresses.push(formatIp(bytes.subarray(VRRP_HEADER_LENGTH + i * size, VRRP_HEADER_LENGTH + (i + 1) * size)));
  }
  const common = { vrid, priority: bytes[2] ?? 0, addresses };
  const value: VrrpMessage = version === 2
    ? { version, ...common, advertIntervalS: interval, authType: bytes[4] ?? 0, authData: bytes.slice(bytes.length - trailer) }
    : { version, ...common, maxAdvertIntervalCs: interval };
  return { ok: true, value };
}

/** tcpdump style: "VRRPv3 advert vrid 51 prio 150 intvl 10cs addrs 192.0.2.50". */
export function describeVrrp(msg: VrrpMessage): string {
  const auth = msg.version === 2 ? ` auth ${({ 0: 'none', 1: 'PASS', 2: 'AH' } as Record<number, string>)[msg.authType] ?? msg.authType}` : '';
  const interval = msg.version === 2 ? `${msg.advertIntervalS}s` : `${msg.maxAdvertIntervalCs}cs`;
  const addrs = msg.addresses.length ? msg.addresses.join(',') : '(none)';
  return `VRRPv${msg.version} advert vrid ${msg.vrid} prio ${msg.priority}${auth} intvl ${interval} addrs ${addrs}`;
}
