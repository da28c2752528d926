/**
 * Ethernet II framing (destination, source, EtherType, payload): what an AF_PACKET socket or a
 * pcap hands over. encode / decode / describe; decode never throws. 802.1Q tags are not
 * handled: Linux strips them before AF_PACKET sockets see the frame (VLAN offload).
 * providers/local sends gratuitous ARP in these frames (its native part).
 */
import type { Decoded } from './advert-body.js';
import { formatMac, requireMac } from './mac.js';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_ARP = 0x0806;
export const ETHERTYPE_IPV6 = 0x86dd;

export const ETHERNET_HEADER_LENGTH = 14;

export interface EthernetFrame {
  destination: string;
  source: string;
  etherType: number;
  /** Everything after the header, including any padding up to the 60-byte minimum. */
  payload: Uint8Array;
}

/** Header + payload; no padding (the NIC pads short frames) and no FCS. */
export function encodeEthernet(f: EthernetFrame): Uint8Array {
  const out = new Uint8Array(ETHERNET_HEADER_LENGTH + f.payload.length);
  out.set(requireMac(f.destination, 'Ethernet destination'), 0);
  out.set(requireMac(f.source, 'Ethernet source'), 6);
  out[12] = (f.etherType >> 8) & 0xff;
  out[13] = f.etherType & 0xff;
  out.set(f.payload, ETHERNET_HEADER_LENGTH);
  return out;
}

export function decodeEthernet(bytes: Uint8Array): Decoded<EthernetFrame> {
  if (bytes.length < ETHERNET_HEADER_LENGTH) {
    return { ok: false, reason: `Ethernet frame is ${bytes.length} bytes; shorter than the 14-byte header` };
  }
  return {
    ok: true,
    value: {
      destination: formatMac(bytes.subarray(0, 6)),
      source: formatMac(bytes.subarray(6, 12)),
      etherType: ((bytes[12] ?? 0) << 8) | (bytes[13] ?? 0),
      payload: bytes.subarray(ETHERNET_HEADER_LENGTH),
    },
  };
}

export function describeEthernet(f: EthernetFrame): string {
  const name = { [ETHERTYPE_IPV4]: 'IPv4', [ETHERTYPE_ARP]: 'ARP', [ETHERTYPE_IPV6]: 'IPv6' }[f.etherType];
  return `${f.source} > ${f.destination}, ethertype ${name ?? 'unknown'} (0x${f.etherType.toString(16).padStart(4, '0')}), length ${ETHERNET_HEADER_LENGTH + f.payload.length}`;
}
