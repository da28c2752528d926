/**
 * The Internet checksum (RFC 1071) and the pseudo-header sums that VRRPv3 (RFC 5798 §5.2.8)
 * and ICMPv6 (RFC 4443 §2.3) fold in. VRRPv2 (RFC 3768 §5.3.8) and the IPv4 header use the
 * plain checksum over their own bytes.
 */

/**
 * One's complement sum of big-endian 16-bit words, folded to 16 bits (RFC 1071 §4.1); an odd
 * last byte is padded with zero. `initial` chains an earlier partial sum, which must have
 * covered an even number of bytes (pseudo-headers always do).
 */
export function onesComplementSum(bytes: Uint8Array, initial = 0): number {
  let sum = initial;
  const even = bytes.length & ~1;
  for (let i = 0; i < even; i += 2) sum += ((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0);
  if (even < bytes.length) sum += (bytes[even] ?? 0) << 8;
  // Each fold can carry once more; two folds suffice below 2^32, loop anyway for clarity.
  while (sum > 0xffff) sum = (sum & 0xffff) + Math.floor(sum / 0x10000);
  return sum;
}

/** The checksum to put in a header: the complement of the one's complement sum. */
export function internetChecksum(bytes: Uint8Array, initial = 0): number {
  return ~onesComplementSum(bytes, initial) & 0xffff;
}

/**
 * Sum of the pseudo-header for an upper-layer message of `length` bytes:
 * IPv4 (4-byte addresses, as for UDP, RFC 768): source, destination, zero, protocol, length;
 * IPv6 (16-byte addresses, RFC 8200 §8.1): source, destination, 32-bit length, zero, next header.
 * VRRPv3 uses protocol 112 in both (RFC 5798 §5.2.8); ICMPv6 uses 58.
 */
export function pseudoHeaderSum(source: Uint8Array, destination: Uint8Array, protocol: number, length: number): number {
  if (source.length !== destination.length || (source.length !== 4 && source.length !== 16)) {
    throw new RangeError(`pseudo-header needs two 4-byte or two 16-byte addresses, not ${source.length} and ${destination.length}`);
  }
  const tail = source.length === 4
    ? Uint8Array.of(0, protocol & 0xff, (length >> 8) & 0xff, length & 0xff)
    : Uint8Array.of((length >>> 24) & 0xff, (length >> 16) & 0xff, (length >> 8) & 0xff, length & 0xff, 0, 0, 0, protocol & 0xff);
  return onesComplementSum(tail, onesComplementSum(destination, onesComplementSum(source)));
}

/**
 * The checksum `bytes` should carry in the 16-bit field at `fieldOffset`: computed with that
 * field read as zero, so it serves both the sender (fill it in) and the receiver (compare).
 */
export function checksumOver(bytes: Uint8Array, fieldOffset: number, initial = 0): number {
  const copy = Uint8Array.from(bytes);
  copy[fieldOffset] = 0;
  copy[fieldOffset + 1] = 0;
  return internetChecksum(copy, initial);
}

/** "0x05f3": how checksums appear in reasons and descriptions. */
export function hex16(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}
