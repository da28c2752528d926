/**
 * Ethernet MAC text <-> bytes for the frame codecs beside this file (ethernet.ts, arp.ts, ndp.ts),
 * which providers/local sends with and the golden tests decode captured keepalived and FRR frames with.
 */
import type { IpFamily } from './address.js';

const MAC = /^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$/;

/** Bytes of a MAC written "aa:bb:cc:dd:ee:ff", or undefined. */
export function parseMac(text: string): Uint8Array | undefined {
  if (!MAC.test(text)) return undefined;
  return Uint8Array.from(text.split(':'), (h) => parseInt(h, 16));
}

export function requireMac(text: string, what: string): Uint8Array {
  const bytes = parseMac(text);
  if (!bytes) throw new RangeError(`${what} ${JSON.stringify(text)} is not a MAC address`);
  return bytes;
}

/** "aa:bb:cc:dd:ee:ff" (lower case, as ip-link and tcpdump print it). */
export function formatMac(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(':');
}

export const BROADCAST_MAC = 'ff:ff:ff:ff:ff:ff';

/**
 * The virtual router MAC (RFC 5798 §7.3): 00:00:5e:00:01:VRID for IPv4, 00:00:5e:00:02:VRID
 * for IPv6. FRR sends from it; keepalived only with use_vmac.
 */
export function vrrpVirtualMac(vrid: number, family: IpFamily): string {
  return formatMac(Uint8Array.of(0x00, 0x00, 0x5e, 0x00, family === 4 ? 0x01 : 0x02, vrid & 0xff));
}
