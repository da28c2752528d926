/**
 * Incarnation arithmetic. Incarnations travel as uint32 (proto/vipd/v1/vipd.proto) and are
 * compared as RFC 1982 serial numbers (§3.1 addition, §3.2 comparison) with SERIAL_BITS = 32:
 * `a` is newer than `b` when (a − b) mod 2^32 lies in (0, 2^31). Plain integer comparison has a
 * ceiling: a forged `dead` at 2^32 − 1 could never be outbid, so the member stayed dead (issue 8
 * finding 6). With serial comparison the member itself can always refute: one past any claim
 * is newer than the claim. Claims by others are kept close to what we know (MAX_INCARNATION_JUMP,
 * limits.ts), so honest comparisons stay far inside the half-range where the order is defined.
 */

/** 2^31: serial numbers further apart than this are not ordered (RFC 1982 §3.2). */
const HALF_RANGE = 0x8000_0000;

/** How far `a` is ahead of `b`, (a − b) mod 2^32. */
export function incarnationsAhead(a: number, b: number): number {
  return (a - b) >>> 0;
}

/** RFC 1982 §3.2: `a` is newer than `b`. */
export function newerIncarnation(a: number, b: number): boolean {
  const d = incarnationsAhead(a, b);
  return d !== 0 && d < HALF_RANGE;
}

/** RFC 1982 §3.1: the incarnation after `a` (wraps from 2^32 − 1 to 0). */
export function nextIncarnation(a: number): number {
  return (a + 1) >>> 0;
}
