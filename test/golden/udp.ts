/**
 * UDP over IPv4 in an Ethernet frame (RFC 768), checksum included: how tests write captures of
 * packets vipd sends through a kernel UDP socket (BFD), for tools such as tshark to read.
 * Test-only, like the other codecs in this folder (README.md).
 */
import { requireIp } from '../../src/wire/address.js';
import { internetChecksum, pseudoHeaderSum } from '../../src/wire/checksum.js';
import { encodeIpv4 } from '../../src/wire/ipv4.js';
import { encodeEthernet, ETHERTYPE_IPV4 } from '../../src/wire/ethernet.js';

export const IPPROTO_UDP = 17;

export interface UdpFrame {
  source: string;
  destination: string;
  sourcePort: number;
  destinationPort: number;
  ttl: number;
  payload: Uint8Array;
}

export function encodeUdpFrame(f: UdpFrame): Uint8Array {
  const udp = new Uint8Array(8 + f.payload.length);
  const view = new DataView(udp.buffer);
  view.setUint16(0, f.sourcePort);
  view.setUint16(2, f.destinationPort);
  view.setUint16(4, udp.length);
  udp.set(f.payload, 8);
  const sum = internetChecksum(udp, pseudoHeaderSum(requireIp(f.source, 4, 'UDP source'), requireIp(f.destination, 4, 'UDP destination'), IPPROTO_UDP, udp.length));
  view.setUint16(6, sum === 0 ? 0xffff : sum);
  const ip = encodeIpv4({
    tos: 0xc0, identification: 1, dontFragment: true, moreFragments: false, fragmentOffset: 0, ttl: f.ttl,
    protocol: IPPROTO_UDP, source: f.source, destination: f.destination, options: new Uint8Array(0), payload: udp,
  });
  return encodeEthernet({ destination: '02:00:00:00:00:0b', source: '02:00:00:00:00:0a', etherType: ETHERTYPE_IPV4, payload: ip });
}
