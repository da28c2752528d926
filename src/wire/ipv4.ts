/**
 * IPv4 header (RFC 791) as a Linux raw AF_INET socket delivers it: header + payload, total
 * length in network order and counting the header (BSDs differ; we do not run there). decode
 * checks syntax and the header checksum and returns the payload; trailing bytes past the total
 * length (Ethernet padding in a capture) are ignored. encode is for tests and captures: on the
 * send path the kernel builds the header.
 */
import type { Decoded } from './advert-body.js';
import { formatIp, requireIp } from './address.js';
import { checksumOver, hex16 } from './checksum.js';

export const IPV4_HEADER_LENGTH = 20;
export const IPPROTO_VRRP = 112;

export interface Ipv4Packet {
  /** DSCP + ECN byte; VRRP senders use 0xc0 (CS6, network control). */
  tos: number;
  identification: number;
  dontFragment: boolean;
  moreFragments: boolean;
  /** Fragment offset in bytes (the field × 8). */
  fragmentOffset: number;
  ttl: number;
  protocol: number;
  source: string;
  destination: string;
  /** Header options, a multiple of 4 bytes (usually empty). */
  options: Uint8Array;
  payload: Uint8Array;
}

const u16 = (b: Uint8Array, i: number): number => ((b[i] ?? 0) << 8) | (b[i + 1] ?? 0);

export function decodeIpv4(bytes: Uint8Array): Decoded<Ipv4Packet> {
  if (bytes.length < IPV4_HEADER_LENGTH) {
    return { ok: false, reason: `IPv4 packet is ${bytes.length} bytes; shorter than the 20-byte header` };
  }
  const first = bytes[0] ?? 0;
  const version = first >> 4;
  if (version !== 4) return { ok: false, reason: `IP version ${version} is not 4` };
  const headerLength = (first & 0x0f) * 4;
  if (headerLength < IPV4_HEADER_LENGTH) {
    return { ok: false, reason: `IPv4 header length is ${headerLength} bytes; less than 20` };
  }
  if (headerLength > bytes.length) {
    return { ok: false, reason: `IPv4 header says ${headerLength} bytes but the packet is ${bytes.length}` };
  }
  const totalLength = u16(bytes, 2);
  if (totalLength < headerLength) {
    return { ok: false, reason: `IPv4 total length ${totalLength} is less than the ${headerLength}-byte header` };
  }
  if (totalLength > bytes.length) {
    return { ok: false, reason: `IPv4 total length is ${totalLength} but only ${bytes.length} bytes arrived` };
  }
  const header = bytes.subarray(0, headerLength);
  const carried = u16(bytes, 10);
  const expected = checksumOver(header, 10);
  if (carried !== expected) {
    return { ok: false, reason: `IPv4 header checksum ${hex16(carried)} should be ${hex16(expected)}` };
  }
  const flagsOffset = u16(bytes, 6);
  return {
    ok: true,
    value: {
      tos: bytes[1] ?? 0,
      identification: u16(bytes, 4),
      dontFragment: (flagsOffset & 0x4000) !== 0,
      moreFragments: (flagsOffset & 0x2000) !== 0,
      fragmentOffset: (flagsOffset & 0x1fff) * 8,
      ttl: bytes[8] ?? 0,
      protocol: bytes[9] ?? 0,
      source: formatIp(bytes.subarray(12, 16)),
      destination: formatIp(bytes.subarray(16, 20)),
      options: bytes.subarray(IPV4_HEADER_LENGTH, headerLength),
      payload: bytes.subarray(headerLength, totalLength),
    },
  };
}

/** Header (with its checksum) + payload. Throws RangeError on fields that do not fit. */
export function encodeIpv4(p: Ipv4Packet): Uint8Array {
  if (p.options.length % 4 !== 0 || p.options.length > 40) {
    throw new RangeError(`IPv4 options are ${p.options.length} bytes; need a multiple of 4, at most 40`);
  }
  if (p.fragmentOffset % 8 !== 0 || p.fragmentOffset < 0 || p.fragmentOffset > 0x1fff * 8) {
    throw new RangeError(`IPv4 fragment offset ${p.fragmentOffset} is not a multiple of 8 below 65536`);
  }
  const headerLength = IPV4_HEADER_LENGTH + p.options.length;
  const totalLength = headerLength + p.payload.length;
  if (totalLength > 0xffff) throw new RangeError(`IPv4 packet of ${totalLength} bytes exceeds 65535`);
  const out = new Uint8Array(totalLength);
  const view = new DataView(out.buffer);
  out[0] = 0x40 | (headerLength / 4);
  out[1] = p.tos & 0xff;
  view.setUint16(2, totalLength);
  view.setUint16(4, p.identification & 0xffff);
  view.setUint16(6, (p.dontFragment ? 0x4000 : 0) | (p.moreFragments ? 0x2000 : 0) | (p.fragmentOffset / 8));
  out[8] = p.ttl & 0xff;
  out[9] = p.protocol & 0xff;
  out.set(requireIp(p.source, 4, 'IPv4 source'), 12);
  out.set(requireIp(p.destination, 4, 'IPv4 destination'), 16);
  out.set(p.options, IPV4_HEADER_LENGTH);
  view.setUint16(10, checksumOver(out.subarray(0, headerLength), 10));
  out.set(p.payload, headerLength);
  return out;
}

/** tcpdump -v style: "IP (tos 0xc0, ttl 255, id 1, offset 0, flags [none], proto 112, length 40) 192.0.2.11 > 224.0.0.18". */
export function describeIpv4(p: Ipv4Packet): string {
  const flags = [p.dontFragment ? 'DF' : '', p.moreFragments ? '+' : ''].filter(Boolean).join('') || 'none';
  const length = IPV4_HEADER_LENGTH + p.options.length + p.payload.length;
  return `IP (tos 0x${p.tos.toString(16)}, ttl ${p.ttl}, id ${p.identification}, offset ${p.fragmentOffset}, ` +
    `flags [${flags}], proto ${p.protocol}, length ${length}) ${p.source} > ${p.destination}`;
}
