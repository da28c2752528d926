/**
 * rtnetlink messages (RFC 3549 §2.3.3; Linux <linux/rtnetlink.h>, <linux/if_addr.h>): the few
 * the local provider exchanges with the kernel to read an interface and add or remove its VIPs
 * without running `ip` (issue 10: nothing spawned on the takeover path).
 *
 * Requests: RTM_GETLINK by name, an RTM_GETADDR dump, RTM_NEWADDR / RTM_DELADDR of one address,
 * RTM_DELROUTE of one IPv6 prefix route. Answers: RTM_NEWLINK, RTM_NEWADDR, NLMSG_ERROR (an ACK
 * when its error is 0), NLMSG_DONE. Netlink uses the host's byte order; every machine vipd runs
 * on is little-endian (x86-64, arm64), and each request is byte for byte what iproute2 6.1 sends
 * for the same command (test/unit/wire/rtnetlink.test.ts holds its bytes, captured with strace).
 *
 * encode / decode / describe; decode never throws (a property test), it returns a reason.
 */
import type { Decoded } from './advert-body.js';
import { formatIp, type IpFamily } from './address.js';
import { formatMac } from './mac.js';

export const NLMSG_HEADER_LENGTH = 16;
export const NLMSG_ERROR = 2;
export const NLMSG_DONE = 3;
export const RTM_NEWLINK = 16;
export const RTM_GETLINK = 18;
export const RTM_NEWADDR = 20;
export const RTM_DELADDR = 21;
export const RTM_GETADDR = 22;
export const RTM_DELROUTE = 25;

export const NLM_F_REQUEST = 0x1;
export const NLM_F_MULTI = 0x2;
export const NLM_F_ACK = 0x4;
export const NLM_F_DUMP = 0x300;
export const NLM_F_EXCL = 0x200;
export const NLM_F_CREATE = 0x400;
/** On NLMSG_ERROR: the echoed request is only its header (NETLINK_CAP_ACK). */
const NLM_F_CAPPED = 0x100;
/** On NLMSG_ERROR: extended-ACK attributes follow (NETLINK_EXT_ACK). */
const NLM_F_ACK_TLVS = 0x200;
const NLMSGERR_ATTR_MSG = 1;

const AF_INET = 2;
const AF_INET6 = 10;
const IFLA_ADDRESS = 1;
const IFLA_IFNAME = 3;
const IFA_ADDRESS = 1;
const IFA_LOCAL = 2;
const IFA_LABEL = 3;
const IFA_FLAGS = 8;
const IFA_RT_PRIORITY = 9;
/** Duplicate Address Detection is skipped (RFC 4862 §5.4 is for addresses that may collide; see providers/local/README.md "IPv6"). */
export const IFA_F_NODAD = 0x02;
const RTA_DST = 1;
const RTA_OIF = 4;
const RTA_PRIORITY = 6;
const RT_TABLE_MAIN = 254;
export const RTPROT_KERNEL = 2;
const IFINFOMSG_LENGTH = 16;
const IFADDRMSG_LENGTH = 8;
const RTMSG_LENGTH = 12;

const TYPE_NAMES: Record<number, string> = {
  [NLMSG_ERROR]: 'NLMSG_ERROR', [NLMSG_DONE]: 'NLMSG_DONE', [RTM_NEWLINK]: 'RTM_NEWLINK', [RTM_GETLINK]: 'RTM_GETLINK',
  [RTM_NEWADDR]: 'RTM_NEWADDR', [RTM_DELADDR]: 'RTM_DELADDR', [RTM_GETADDR]: 'RTM_GETADDR', [RTM_DELROUTE]: 'RTM_DELROUTE',
};

export interface NetlinkMessage {
  readonly type: number;
  readonly flags: number;
  readonly seq: number;
  readonly pid: number;
  /** What follows the 16-byte header (up to nlmsg_len). */
  readonly payload: Uint8Array;
}

/** An address to add (RTM_NEWADDR) or remove (RTM_DELADDR). */
export interface AddressRequest {
  readonly family: IpFamily;
  /** 4 or 16 bytes. */
  readonly address: Uint8Array;
  readonly prefixLength: number;
  readonly ifindex: number;
  /** IPv4 only (IFA_LABEL). */
  readonly label?: string;
  /** IFA_RT_PRIORITY: `ip addr add … metric N`. */
  readonly metric?: number;
  /** IFA_F_* flags (IFA_F_NODAD). */
  readonly flags?: number;
}

/** One IPv6 route to remove (RTM_DELROUTE): `ip -6 route del DST/LEN dev IF metric M proto P`. */
export interface RouteRequest {
  readonly destination: Uint8Array;
  readonly prefixLength: number;
  readonly ifindex: number;
  readonly metric: number;
  readonly protocol: number;
}

/** RTM_NEWLINK's part the provider reads. */
export interface LinkInfo {
  readonly ifindex: number;
  readonly name: string | undefined;
  /** Lower case; undefined for an interface without a link-layer address. */
  readonly mac: string | undefined;
}

/** RTM_NEWADDR's part the provider reads. */
export interface AddressInfo {
  readonly family: IpFamily;
  readonly ifindex: number;
  readonly prefixLength: number;
  /** IFA_LOCAL when present (IPv4, and IPv6 with a peer), else IFA_ADDRESS: what `ip` prints as "local". */
  readonly address: string;
  readonly metric: number | undefined;
  /** RT_SCOPE_* (253 = link: an IPv6 link-local address). */
  readonly scope: number;
}

/** NLMSG_ERROR: errno 0 is the ACK. */
export interface NetlinkAck {
  /** A positive errno (EEXIST = 17 …), 0 for success. */
  readonly errno: number;
  /** The kernel's own words (extended ACK), when it gave some. */
  readonly message: string | undefined;
}

// ---- encode ----

class Builder {
  private readonly parts: Uint8Array[] = [];
  private length = 0;

  bytes(b: Uint8Array): this {
    const padded = new Uint8Array(align4(b.length));
    padded.set(b);
    this.parts.push(padded);
    this.length += padded.length;
    return this;
  }

  attr(type: number, value: Uint8Array): this {
    const header = new Uint8Array(4);
    const view = new DataView(header.buffer);
    view.setUint16(0, 4 + value.length, true);
    view.setUint16(2, type, true);
    this.bytes(header);
    return this.bytes(value);
  }

  message(type: number, flags: number, seq: number): Uint8Array {
    const out = new Uint8Array(NLMSG_HEADER_LENGTH + this.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, out.length, true);
    view.setUint16(4, type, true);
    view.setUint16(6, flags, true);
    view.setUint32(8, seq >>> 0, true);
    view.setUint32(12, 0, true); // to the kernel
    let at = NLMSG_HEADER_LENGTH;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}

function align4(n: number): number {
  return (n + 3) & ~3;
}

function u32(n: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, n >>> 0, true);
  return out;
}

function cString(text: string): Uint8Array {
  const bytes = new TextEncoder().encode(text);
  const out = new Uint8Array(bytes.length + 1);
  out.set(bytes);
  return out;
}

function familyNumber(family: IpFamily): number {
  return family === 4 ? AF_INET : AF_INET6;
}

/** RTM_GETLINK for one interface by name (IFLA_IFNAME): answered by RTM_NEWLINK or ENODEV. */
export function encodeGetLink(seq: number, name: string): Uint8Array {
  return new Builder().bytes(new Uint8Array(IFINFOMSG_LENGTH)).attr(IFLA_IFNAME, cString(name)).message(RTM_GETLINK, NLM_F_REQUEST, seq);
}

/**
 * RTM_GETADDR dump. With `ifindex` and a socket in NETLINK_GET_STRICT_CHK mode (Linux 4.20+) the
 * kernel sends only that interface's addresses; otherwise every interface's, so the caller keeps
 * its own either way.
 */
export function encodeGetAddresses(seq: number, ifindex = 0): Uint8Array {
  const ifaddr = new Uint8Array(IFADDRMSG_LENGTH);
  new DataView(ifaddr.buffer).setUint32(4, ifindex >>> 0, true);
  return new Builder().bytes(ifaddr).message(RTM_GETADDR, NLM_F_REQUEST | NLM_F_DUMP, seq);
}

function ifaddrmsg(r: AddressRequest, flags: number): Uint8Array {
  const out = new Uint8Array(IFADDRMSG_LENGTH);
  out[0] = familyNumber(r.family);
  out[1] = r.prefixLength;
  out[2] = flags & 0xff;
  out[3] = 0; // RT_SCOPE_UNIVERSE
  new DataView(out.buffer).setUint32(4, r.ifindex >>> 0, true);
  return out;
}

/**
 * RTM_NEWADDR with NLM_F_CREATE | NLM_F_EXCL (EEXIST when the address is there), byte for byte
 * what `ip addr add ADDR/LEN dev IF [label L] [nodad] metric M` sends (iproute2 6.1): IFA_LOCAL,
 * the label, IFA_RT_PRIORITY, then IFA_ADDRESS (the same address: no peer); flags that fit in
 * ifa_flags go there, IFA_FLAGS only for the others.
 */
export function encodeNewAddress(seq: number, r: AddressRequest): Uint8Array {
  const flags = r.flags ?? 0;
  const b = new Builder().bytes(ifaddrmsg(r, flags)).attr(IFA_LOCAL, r.address);
  if (r.label !== undefined && r.family === 4) b.attr(IFA_LABEL, cString(r.label));
  if (flags & ~0xff) b.attr(IFA_FLAGS, u32(flags));
  if (r.metric !== undefined) b.attr(IFA_RT_PRIORITY, u32(r.metric));
  b.attr(IFA_ADDRESS, r.address);
  return b.message(RTM_NEWADDR, NLM_F_REQUEST | NLM_F_ACK | NLM_F_CREATE | NLM_F_EXCL, seq);
}

/** RTM_DELADDR of one address (EADDRNOTAVAIL when it is not there), as `ip addr del ADDR/LEN dev IF`. */
export function encodeDeleteAddress(seq: number, r: AddressRequest): Uint8Array {
  return new Builder().bytes(ifaddrmsg(r, 0)).attr(IFA_LOCAL, r.address).attr(IFA_ADDRESS, r.address)
    .message(RTM_DELADDR, NLM_F_REQUEST | NLM_F_ACK, seq);
}

/** RTM_DELROUTE of one IPv6 route in the main table (ESRCH when there is none), as iproute2 sends `ip -6 route del`. */
export function encodeDeleteRoute(seq: number, r: RouteRequest): Uint8Array {
  const rtmsg = new Uint8Array(RTMSG_LENGTH);
  rtmsg[0] = AF_INET6;
  rtmsg[1] = r.prefixLength;
  rtmsg[4] = RT_TABLE_MAIN;
  rtmsg[5] = r.protocol;
  return new Builder().bytes(rtmsg).attr(RTA_DST, r.destination).attr(RTA_PRIORITY, u32(r.metric)).attr(RTA_OIF, u32(r.ifindex))
    .message(RTM_DELROUTE, NLM_F_REQUEST | NLM_F_ACK, seq);
}

// ---- decode ----

/** Splits a buffer of netlink messages; a truncated or impossible header is a reason, not a throw. */
export function decodeMessages(bytes: Uint8Array): Decoded<NetlinkMessage[]> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out: NetlinkMessage[] = [];
  let at = 0;
  while (at < bytes.length) {
    if (at + NLMSG_HEADER_LENGTH > bytes.length) return { ok: false, reason: `netlink message at byte ${at} is cut short (${bytes.length - at} bytes left, the header is 16)` };
    const length = view.getUint32(at, true);
    if (length < NLMSG_HEADER_LENGTH || at + length > bytes.length) {
      return { ok: false, reason: `netlink message at byte ${at} says nlmsg_len ${length}; ${bytes.length - at} bytes left` };
    }
    out.push({
      type: view.getUint16(at + 4, true),
      flags: view.getUint16(at + 6, true),
      seq: view.getUint32(at + 8, true),
      pid: view.getUint32(at + 12, true),
      payload: bytes.subarray(at + NLMSG_HEADER_LENGTH, at + length),
    });
    at += align4(length);
  }
  return { ok: true, value: out };
}

/** Route attributes (struct rtattr): type → value; unknown ones kept, a bad one stops the list. */
function attributes(bytes: Uint8Array): Decoded<Map<number, Uint8Array>> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Map<number, Uint8Array>();
  let at = 0;
  while (at + 4 <= bytes.length) {
    const length = view.getUint16(at, true);
    const type = view.getUint16(at + 2, true) & 0x3fff; // without NLA_F_NESTED / NLA_F_NET_BYTEORDER
    if (length < 4 || at + length > bytes.length) return { ok: false, reason: `attribute type ${type} at byte ${at} says length ${length}; ${bytes.length - at} bytes left` };
    if (!out.has(type)) out.set(type, bytes.subarray(at + 4, at + length));
    at += align4(length);
  }
  return { ok: true, value: out };
}

function readCString(bytes: Uint8Array): string {
  const end = bytes.indexOf(0);
  return new TextDecoder().decode(end < 0 ? bytes : bytes.subarray(0, end));
}

function readU32(bytes: Uint8Array | undefined): number | undefined {
  if (!bytes || bytes.length < 4) return undefined;
  return new DataView(bytes.buffer, bytes.byteOffset, 4).getUint32(0, true);
}

/** NLMSG_ERROR: the errno and the kernel's message. */
export function decodeAck(m: NetlinkMessage): Decoded<NetlinkAck> {
  if (m.type !== NLMSG_ERROR) return { ok: false, reason: `message type ${m.type} is not NLMSG_ERROR (2)` };
  if (m.payload.length < 4) return { ok: false, reason: `NLMSG_ERROR payload is ${m.payload.length} bytes; shorter than 4` };
  const view = new DataView(m.payload.buffer, m.payload.byteOffset, m.payload.byteLength);
  const errno = Math.abs(view.getInt32(0, true));
  let message: string | undefined;
  if (m.flags & NLM_F_ACK_TLVS && m.payload.length >= 4 + NLMSG_HEADER_LENGTH) {
    const echoed = m.flags & NLM_F_CAPPED ? NLMSG_HEADER_LENGTH : view.getUint32(4, true);
    const attrs = attributes(m.payload.subarray(Math.min(m.payload.length, 4 + align4(echoed))));
    const text = attrs.ok ? attrs.value.get(NLMSGERR_ATTR_MSG) : undefined;
    if (text) message = readCString(text) || undefined;
  }
  return { ok: true, value: { errno, message } };
}

/** RTM_NEWLINK: index, name, MAC. */
export function decodeLink(m: NetlinkMessage): Decoded<LinkInfo> {
  if (m.type !== RTM_NEWLINK) return { ok: false, reason: `message type ${m.type} is not RTM_NEWLINK (16)` };
  if (m.payload.length < IFINFOMSG_LENGTH) return { ok: false, reason: `RTM_NEWLINK payload is ${m.payload.length} bytes; shorter than 16` };
  const ifindex = new DataView(m.payload.buffer, m.payload.byteOffset, IFINFOMSG_LENGTH).getInt32(4, true);
  const attrs = attributes(m.payload.subarray(IFINFOMSG_LENGTH));
  if (!attrs.ok) return attrs;
  const name = attrs.value.get(IFLA_IFNAME);
  const mac = attrs.value.get(IFLA_ADDRESS);
  return { ok: true, value: { ifindex, name: name ? readCString(name) : undefined, mac: mac?.length === 6 ? formatMac(mac) : undefined } };
}

/** RTM_NEWADDR: family, interface, prefix, address, metric; other families are a reason. */
export function decodeAddress(m: NetlinkMessage): Decoded<AddressInfo> {
  if (m.type !== RTM_NEWADDR) return { ok: false, reason: `message type ${m.type} is not RTM_NEWADDR (20)` };
  if (m.payload.length < IFADDRMSG_LENGTH) return { ok: false, reason: `RTM_NEWADDR payload is ${m.payload.length} bytes; shorter than 8` };
  const p = m.payload;
  const family = p[0] === AF_INET ? 4 : p[0] === AF_INET6 ? 6 : undefined;
  if (family === undefined) return { ok: false, reason: `address family ${p[0] ?? 0} is not AF_INET (2) or AF_INET6 (10)` };
  const attrs = attributes(p.subarray(IFADDRMSG_LENGTH));
  if (!attrs.ok) return attrs;
  const raw = attrs.value.get(IFA_LOCAL) ?? attrs.value.get(IFA_ADDRESS);
  const size = family === 4 ? 4 : 16;
  if (!raw || raw.length !== size) return { ok: false, reason: `RTM_NEWADDR has no ${size}-byte IFA_LOCAL or IFA_ADDRESS` };
  return {
    ok: true,
    value: {
      family,
      ifindex: new DataView(p.buffer, p.byteOffset, IFADDRMSG_LENGTH).getUint32(4, true),
      prefixLength: p[1] ?? 0,
      address: formatIp(raw),
      metric: readU32(attrs.value.get(IFA_RT_PRIORITY)),
      scope: p[3] ?? 0,
    },
  };
}

/** One line per message, `ip monitor` style: "RTM_NEWADDR seq 7 inet 192.0.2.50/24 ifindex 3 metric 5798". */
export function describeMessage(m: NetlinkMessage): string {
  const head = `${TYPE_NAMES[m.type] ?? `type ${m.type}`} seq ${m.seq}`;
  if (m.type === NLMSG_ERROR) {
    const ack = decodeAck(m);
    if (!ack.ok) return `${head}: ${ack.reason}`;
    return ack.value.errno === 0 ? `${head} ack` : `${head} errno ${ack.value.errno}${ack.value.message ? ` (${ack.value.message})` : ''}`;
  }
  if (m.type === RTM_NEWADDR) {
    const a = decodeAddress(m);
    if (!a.ok) return `${head}: ${a.reason}`;
    return `${head} inet${a.value.family === 6 ? '6' : ''} ${a.value.address}/${a.value.prefixLength} ifindex ${a.value.ifindex}${a.value.metric === undefined ? '' : ` metric ${a.value.metric}`}`;
  }
  if (m.type === RTM_NEWLINK) {
    const l = decodeLink(m);
    if (!l.ok) return `${head}: ${l.reason}`;
    return `${head} ${l.value.ifindex}: ${l.value.name ?? '?'} link/ether ${l.value.mac ?? 'none'}`;
  }
  return `${head}, ${m.payload.length} bytes`;
}
