/**
 * Address text <-> bytes for the packet codecs: IPv4 and IPv6 (RFC 5952 text form). Messages
 * carry addresses as text so that logs, the election core and tests read them as people write
 * them; only the codecs see bytes.
 */
import { addressBytes } from '../core/election/identity.js';

/** IP version of a packet or socket: 4 or 6 (as `net.isIP` answers). */
export type IpFamily = 4 | 6;

/** Length of an address of `family` in bytes. */
export function addressLength(family: IpFamily): 4 | 16 {
  return family === 4 ? 4 : 16;
}

/** Bytes of an IPv4 or IPv6 literal of the given family, or undefined if it is not one. */
export function parseIp(text: string, family: IpFamily): Uint8Array | undefined {
  const bytes = addressBytes(text);
  return bytes && bytes.length === addressLength(family) ? Uint8Array.from(bytes) : undefined;
}

/** Like parseIp, for the send path: a bad address there is a programming or config error. */
export function requireIp(text: string, family: IpFamily, what: string): Uint8Array {
  const bytes = parseIp(text, family);
  if (!bytes) throw new RangeError(`${what} ${JSON.stringify(text)} is not an IPv${family} address`);
  return bytes;
}

/** Text of 4 or 16 address bytes: dotted quad, or RFC 5952 §4 (lower case, longest zero run as "::"). */
export function formatIp(bytes: Uint8Array): string {
  if (bytes.length === 4) return Array.from(bytes).join('.');
  const groups: number[] = [];
  for (let i = 0; i + 1 < bytes.length; i += 2) groups.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  // RFC 5952 §4.2: compress the longest run of two or more zero groups; the first on a tie.
  let bestAt = -1;
  let bestLen = 1;
  for (let i = 0; i < groups.length;) {
    let j = i;
    while (j < groups.length && groups[j] === 0) j++;
    if (j - i > bestLen) [bestAt, bestLen] = [i, j - i];
    i = j === i ? i + 1 : j;
  }
  const hex = (gs: number[]): string => gs.map((g) => g.toString(16)).join(':');
  if (bestAt < 0) return hex(groups);
  return `${hex(groups.slice(0, bestAt))}::${hex(groups.slice(bestAt + bestLen))}`;
}
