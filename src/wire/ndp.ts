/**
 * ICMPv6 Neighbor Advertisement (RFC 4861 §4.4): the IPv6 counterpart of gratuitous ARP. A new
 * master sends the unsolicited form (§7.2.6: Override set, Solicited clear, target = the VIP,
 * with a Target Link-Layer Address option) to all-nodes ff02::1 with hop limit 255.
 * encode / decode / describe the ICMPv6 message; the checksum covers the IPv6 pseudo-header
 * (RFC 4443 §2.3), so both need the path. (A Linux raw ICMPv6 socket fills the checksum in
 * itself; we compute it anyway for AF_PACKET and tests.) decode never throws.
 * providers/local sends the unsolicited form through an ICMPv6 socket (its native part).
 */
import type { Decoded } from './advert-body.js';
import { formatIp, parseIp, requireIp } from './address.js';
import { formatMac, requireMac } from './mac.js';
import { checksumOver, hex16, pseudoHeaderSum } from './checksum.js';

export const IPPROTO_ICMPV6 = 58;
export const ICMPV6_NEIGHBOR_ADVERTISEMENT = 136;
export const ALL_NODES_IPV6 = 'ff02::1';
/** Type, code, checksum, flags + reserved, target. */
export const NA_LENGTH = 24;
const OPTION_TARGET_LINK_LAYER_ADDRESS = 2;
const FLAG_ROUTER = 0x80;
const FLAG_SOLICITED = 0x40;
const FLAG_OVERRIDE = 0x20;

export interface NeighborAdvert {
  router: boolean;
  solicited: boolean;
  override: boolean;
  target: string;
  /** The Target Link-Layer Address option (RFC 4861 §4.6.1), when the message has one. */
  targetMac?: string;
}

/** IPv6 source and destination, for the checksum. */
export interface Ipv6Path {
  source: string;
  destination: string;
}

/**
 * The unsolicited NA announcing `target` at `mac` (RFC 4861 §7.2.6). `router` is the R flag:
 * set it only if this host forwards (keepalived checks the forwarding sysctl); a wrong R flag
 * makes hosts drop or add the sender in their default-router list (§7.2.5).
 */
export function unsolicitedNeighborAdvert(target: string, mac: string, router = false): NeighborAdvert {
  return { router, solicited: false, override: true, target, targetMac: mac };
}

export function encodeNeighborAdvert(na: NeighborAdvert, path: Ipv6Path): Uint8Array {
  const out = new Uint8Array(NA_LENGTH + (na.targetMac === undefined ? 0 : 8));
  out[0] = ICMPV6_NEIGHBOR_ADVERTISEMENT;
  out[4] = (na.router ? FLAG_ROUTER : 0) | (na.solicited ? FLAG_SOLICITED : 0) | (na.override ? FLAG_OVERRIDE : 0);
  out.set(requireIp(na.target, 6, 'NA target'), 8);
  if (na.targetMac !== undefined) {
    out[NA_LENGTH] = OPTION_TARGET_LINK_LAYER_ADDRESS;
    out[NA_LENGTH + 1] = 1; // in units of 8 bytes
    out.set(requireMac(na.targetMac, 'NA target link-layer address'), NA_LENGTH + 2);
  }
  const src = requireIp(path.source, 6, 'IPv6 source');
  const dst = requireIp(path.destination, 6, 'IPv6 destination');
  const sum = checksumOver(out, 2, pseudoHeaderSum(src, dst, IPPROTO_ICMPV6, out.length));
  out[2] = sum >> 8;
  out[3] = sum & 0xff;
  return out;
}

/**
 * Without `path` the checksum is not checked: for a message from a Linux ICMPv6 socket, which
 * checked it before handing it over (RFC 3542 §3.1), whose addresses the reader does not have.
 */
export function decodeNeighborAdvert(bytes: Uint8Array, path?: Ipv6Path): Decoded<NeighborAdvert> {
  const src = path ? parseIp(path.source, 6) : undefined;
  const dst = path ? parseIp(path.destination, 6) : undefined;
  if (path && !src) return { ok: false, reason: `source ${JSON.stringify(path.source)} is not an IPv6 address` };
  if (path && !dst) return { ok: false, reason: `destination ${JSON.stringify(path.destination)} is not an IPv6 address` };
  if (bytes.length < NA_LENGTH) {
    return { ok: false, reason: `neighbor advertisement is ${bytes.length} bytes; shorter than 24` };
  }
  const type = bytes[0] ?? 0;
  const code = bytes[1] ?? 0;
  if (type !== ICMPV6_NEIGHBOR_ADVERTISEMENT) {
    return { ok: false, reason: `ICMPv6 type ${type} is not Neighbor Advertisement (136)` };
  }
  if (code !== 0) return { ok: false, reason: `ICMPv6 code ${code} is not 0 (RFC 4861 §7.1.2)` };
  if (src && dst) {
    const sent = ((bytes[2] ?? 0) << 8) | (bytes[3] ?? 0);
    const expected = checksumOver(bytes, 2, pseudoHeaderSum(src, dst, IPPROTO_ICMPV6, bytes.length));
    if (sent !== expected) return { ok: false, reason: `ICMPv6 checksum ${hex16(sent)} should be ${hex16(expected)}` };
  }
  const flags = bytes[4] ?? 0;
  const na: NeighborAdvert = {
    router: (flags & FLAG_ROUTER) !== 0,
    solicited: (flags & FLAG_SOLICITED) !== 0,
    override: (flags & FLAG_OVERRIDE) !== 0,
    target: formatIp(bytes.subarray(8, NA_LENGTH)),
  };
  // Options (RFC 4861 §4.6): type, length in 8-byte units; unknown ones are skipped.
  for (let at = NA_LENGTH; at < bytes.length;) {
    if (at + 2 > bytes.length) return { ok: false, reason: `ND option at byte ${at} is cut short` };
    const optType = bytes[at] ?? 0;
    const optLength = (bytes[at + 1] ?? 0) * 8;
    if (optLength === 0) return { ok: false, reason: `ND option type ${optType} has length 0` };
    if (at + optLength > bytes.length) {
      return { ok: false, reason: `ND option type ${optType} is ${optLength} bytes but ${bytes.length - at} remain` };
    }
    // An Ethernet address fills exactly one unit; other link layers' forms are not ours.
    if (optType === OPTION_TARGET_LINK_LAYER_ADDRESS && optLength === 8) na.targetMac = formatMac(bytes.subarray(at + 2, at + 8));
    at += optLength;
  }
  return { ok: true, value: na };
}

/** tcpdump style: "ICMPv6 neighbor advertisement, tgt is 2001:db8::50, Flags [override], tll 00:00:5e:00:02:33". */
export function describeNeighborAdvert(na: NeighborAdvert): string {
  const flags = [na.router && 'router', na.solicited && 'solicited', na.override && 'override'].filter(Boolean).join(', ');
  const tll = na.targetMac === undefined ? '' : `, tll ${na.targetMac}`;
  return `ICMPv6 neighbor advertisement, tgt is ${na.target}, Flags [${flags || 'none'}]${tll}`;
}
