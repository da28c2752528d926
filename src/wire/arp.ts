/**
 * ARP for IPv4 over Ethernet (RFC 826), in a full Ethernet frame as an AF_PACKET socket sends
 * it, and the gratuitous form a new master announces its VIP with (RFC 5227 §3 "ARP
 * Announcement": a request whose sender and target IP are both the announced address).
 * encode / decode / describe; decode never throws and ignores Ethernet padding after the
 * 28-byte body.
 * providers/local sends the gratuitous form through an AF_PACKET socket (its native part).
 */
import type { Decoded } from './advert-body.js';
import { formatIp, requireIp } from './address.js';
import { BROADCAST_MAC, formatMac, requireMac } from './mac.js';
import { decodeEthernet, encodeEthernet, ETHERTYPE_ARP, ETHERTYPE_IPV4 } from './ethernet.js';

export const ARP_LENGTH = 28;
const HTYPE_ETHERNET = 1;
const OPERATIONS = { request: 1, reply: 2 } as const;

export interface ArpPacket {
  operation: 'request' | 'reply';
  senderMac: string;
  senderIp: string;
  targetMac: string;
  targetIp: string;
}

/** An ARP packet with the Ethernet addresses it travels between (EtherType 0x0806). */
export interface ArpFrame {
  destination: string;
  source: string;
  arp: ArpPacket;
}

export function encodeArp(p: ArpPacket): Uint8Array {
  const out = new Uint8Array(ARP_LENGTH);
  out.set([0, HTYPE_ETHERNET, ETHERTYPE_IPV4 >> 8, ETHERTYPE_IPV4 & 0xff, 6, 4, 0, OPERATIONS[p.operation]]);
  out.set(requireMac(p.senderMac, 'ARP sender MAC'), 8);
  out.set(requireIp(p.senderIp, 4, 'ARP sender IP'), 14);
  out.set(requireMac(p.targetMac, 'ARP target MAC'), 18);
  out.set(requireIp(p.targetIp, 4, 'ARP target IP'), 24);
  return out;
}

export function decodeArp(bytes: Uint8Array): Decoded<ArpPacket> {
  if (bytes.length < ARP_LENGTH) return { ok: false, reason: `ARP packet is ${bytes.length} bytes; shorter than 28` };
  const u16 = (i: number): number => ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  const htype = u16(0);
  const ptype = u16(2);
  if (htype !== HTYPE_ETHERNET) return { ok: false, reason: `ARP hardware type ${htype} is not Ethernet (1)` };
  if (ptype !== ETHERTYPE_IPV4) return { ok: false, reason: `ARP protocol type 0x${ptype.toString(16)} is not IPv4 (0x800)` };
  if (bytes[4] !== 6 || bytes[5] !== 4) {
    return { ok: false, reason: `ARP address lengths ${bytes[4] ?? 0}/${bytes[5] ?? 0} are not 6/4` };
  }
  const op = u16(6);
  if (op !== OPERATIONS.request && op !== OPERATIONS.reply) {
    return { ok: false, reason: `ARP operation ${op} is not request (1) or reply (2)` };
  }
  return {
    ok: true,
    value: {
      operation: op === OPERATIONS.request ? 'request' : 'reply',
      senderMac: formatMac(bytes.subarray(8, 14)),
      senderIp: formatIp(bytes.subarray(14, 18)),
      targetMac: formatMac(bytes.subarray(18, 24)),
      targetIp: formatIp(bytes.subarray(24, 28)),
    },
  };
}

/** Ethernet header + ARP body, unpadded (the NIC pads to 60 bytes). */
export function encodeArpFrame(f: ArpFrame): Uint8Array {
  return encodeEthernet({ destination: f.destination, source: f.source, etherType: ETHERTYPE_ARP, payload: encodeArp(f.arp) });
}

export function decodeArpFrame(bytes: Uint8Array): Decoded<ArpFrame> {
  const eth = decodeEthernet(bytes);
  if (!eth.ok) return eth;
  const { destination, source, etherType, payload } = eth.value;
  if (etherType !== ETHERTYPE_ARP) {
    return { ok: false, reason: `ethertype 0x${etherType.toString(16).padStart(4, '0')} is not ARP (0x0806)` };
  }
  const arp = decodeArp(payload);
  return arp.ok ? { ok: true, value: { destination, source, arp: arp.value } } : arp;
}

/**
 * The announcement a new master broadcasts for `address` from `mac` (the interface MAC, as
 * keepalived; or the virtual MAC, as FRR). Both put ff:ff:ff:ff:ff:ff in the target MAC, which
 * receivers ignore (RFC 5227 §2.1.1 suggests zeros); we match them.
 */
export function gratuitousArp(address: string, mac: string): ArpFrame {
  return {
    destination: BROADCAST_MAC,
    source: mac,
    arp: { operation: 'request', senderMac: mac, senderIp: address, targetMac: BROADCAST_MAC, targetIp: address },
  };
}

/** Sender IP = target IP: an announcement (request) or a gratuitous reply; both update caches. */
export function isGratuitousArp(p: ArpPacket): boolean {
  return p.senderIp === p.targetIp;
}

/** tcpdump style: "ARP request who-has 192.0.2.50 (ff:ff:ff:ff:ff:ff) tell 192.0.2.50 (02:00:00:00:00:0b), gratuitous". */
export function describeArp(p: ArpPacket): string {
  const body = p.operation === 'request'
    ? `ARP request who-has ${p.targetIp} (${p.targetMac}) tell ${p.senderIp} (${p.senderMac})`
    : `ARP reply ${p.senderIp} is-at ${p.senderMac} to ${p.targetIp} (${p.targetMac})`;
  return isGratuitousArp(p) ? `${body}, gratuitous` : body;
}

export function describeArpFrame(f: ArpFrame): string {
  return `${f.source} > ${f.destination}: ${describeArp(f.arp)}`;
}
