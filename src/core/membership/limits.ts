/**
 * Bounds on what one peer can make the membership core do (issue 8 finding 7: one Join with
 * 20,000 made-up members stalled the event loop for 7 s). Each bound is counted when hit
 * (vipd_membership_items_dropped_total{reason}) and logged once per reason per window.
 */

/**
 * Members in the table at most (alive, suspect, and dead or left until reaped). vipd runs HA
 * groups of a handful of nodes plus witnesses, all named in the allow-list (src/config/trust.ts),
 * so 1024 is two orders of magnitude above any configured cluster, while one push-pull of the
 * whole table stays near 50 KiB (≈ 50 bytes a record), far below the 1 MiB gRPC message limit
 * (src/adapters/grpc/service.ts), and one merge stays a few thousand operations.
 */
export const MAX_MEMBERS = 1024;

/** Member records read from one Join or PushPull: the largest honest one is our table plus the sender. */
export const MAX_RECORDS_PER_MESSAGE = MAX_MEMBERS + 1;

/**
 * Gossip items read from one message. Honest senders piggyback at most maxGossipPerMessage (16,
 * params.ts) plus one item of news for the receiver (probe.ts gossipFor); 256 leaves room for
 * a larger setting. The wire decoder refuses frames with more (src/wire/membership-limits.ts).
 */
export const MAX_GOSSIP_PER_MESSAGE = 256;

/**
 * How far ahead of the incarnation we know a claim by another member about a member may be.
 * Only the member raises its own incarnation, by one per refutation, and others relay it, so
 * an honest relay is a few ahead of us at most; a receiver that missed more than 64 refutations
 * of one member in a row hears the member itself, whose word about itself is not bounded. The
 * bound keeps forged claims (incarnation 2^32 − 1) out and keeps every honest comparison far
 * inside the range where RFC 1982 order is defined (incarnation.ts).
 */
export const MAX_INCARNATION_JUMP = 64;

/**
 * How far ahead of our own incarnation a claim about us may be for us to refute past it. Larger
 * than MAX_INCARNATION_JUMP, since a restarted node forgets its incarnation and others may know
 * an earlier life's, but a quarter of the 2^32 ring: our refutation must stay within the half
 * where RFC 1982 orders it after what the others know of us (incarnation.ts). Beyond it the claim
 * is forged; we answer its sender with our own alive.
 */
export const MAX_SELF_INCARNATION_JUMP = 0x4000_0000;

/** Suspects queued for the next round-robin slots (probeSuspectsFirst) at most; the rest wait their turn. */
export const MAX_PROBE_FIRST = 16;

/** Why a gossip item or member record was ignored (the label of vipd_membership_items_dropped_total). */
export const ITEM_DROP_REASONS = [
  /** Malformed (messages.ts validGossipItem / validMemberRecord). */
  'malformed',
  /** About, or accused by, a node outside the allow-list. */
  'not-allowed',
  /** A new member while the table holds MAX_MEMBERS. */
  'table-full',
  /** Beyond MAX_GOSSIP_PER_MESSAGE or MAX_RECORDS_PER_MESSAGE in one message. */
  'too-many',
  /** `left` about a member, not sent by that member. */
  'left-not-from-member',
  /** Another member's claim more than MAX_INCARNATION_JUMP ahead of what we know (MAX_SELF_INCARNATION_JUMP about us). */
  'incarnation-jump',
] as const;
export type ItemDropReason = (typeof ITEM_DROP_REASONS)[number];
