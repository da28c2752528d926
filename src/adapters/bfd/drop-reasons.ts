/**
 * Every reason a received BFD packet is not used: `vipd_bfd_dropped_total{reason}`.
 * docs/metrics.md lists them (test/unit/docs/metrics.test.ts checks it).
 */
import { BFD_SESSION_DROP_REASONS } from '../../core/bfd/session.js';
import { BFD_DECODE_DROP_REASONS } from '../../wire/bfd.js';

/** Dropped by the UDP endpoint before any session sees the packet. */
export const BFD_ENDPOINT_DROP_REASONS = [
  /** RFC 5881 §5: single hop, and the TTL is not 255 (a router forwarded it: not from the link). */
  'ttl',
  /** From an address with no session: §6.8.6 "no session found". */
  'unknown-peer',
  /** §6.7: the digest does not verify (see src/adapters/bfd/auth.ts). */
  'auth-wrong-type', 'auth-unknown-key', 'auth-bad-digest',
] as const;

export const BFD_DROP_REASONS = [...BFD_DECODE_DROP_REASONS, ...BFD_ENDPOINT_DROP_REASONS, ...BFD_SESSION_DROP_REASONS] as const;
export type BfdDropReason = (typeof BFD_DROP_REASONS)[number];
