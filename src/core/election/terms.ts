/**
 * Bounds on the election term (issue 8 finding 4). The term rides on every unicast advert and
 * fences provider calls; it rises by one on every takeover (step.ts becomeMaster) and a node
 * adopts the highest term it hears. Unbounded, one advert with term 2^53 - 1 made every later
 * advert fail the receivers' safe-integer check: a permanent split brain.
 *
 * MAX_TERM is the largest term a correct cluster can reach. A correct node raises the term only
 * by taking over, and a takeover is a Backup -> Master transition that follows a
 * Master_Down_Timer, a Skew_Time or a startup, each of them an event at the pace of failures
 * and restarts, not of packets. Even a cluster that took over 1,000 times a second, without a
 * pause, would need 2^48 / (1000 × 3600 × 24 × 365) ≈ 8,900 years to reach 2^48. So a term above
 * MAX_TERM can only come from a faulty or hostile sender: such adverts are dropped and counted
 * (`term-beyond-max`), and every term computation saturates at MAX_TERM, so even a hostile
 * term of exactly MAX_TERM leaves terms that every node accepts (ordering then falls through to
 * the address, RFC 5798 §6.4.3). MAX_TERM + 1 is still far inside Number.MAX_SAFE_INTEGER, and
 * 2^48 fits the wire's uint64.
 */
export const MAX_TERM = 2 ** 48;

/** Whether `term` is one a correct cluster can produce: an integer 0..MAX_TERM. */
export function isValidTerm(term: number): boolean {
  return Number.isSafeInteger(term) && term >= 0 && term <= MAX_TERM;
}

/** The next term after a takeover, saturating at MAX_TERM. */
export function nextTerm(term: number): number {
  return term >= MAX_TERM ? MAX_TERM : term + 1;
}

/** The higher of two terms (a node adopts the highest term it hears), never above MAX_TERM. */
export function laterTerm(a: number, b: number): number {
  return Math.min(MAX_TERM, Math.max(a, b));
}
