/**
 * What the gRPC transport refuses, by counter. Detailed reasons stay in the local log; the peer
 * is told only that it was refused.
 *
 * A new reason is one line in the list of its counter; docs/metrics.md lists them all
 * (test/unit/docs/metrics.test.ts checks that it does).
 */

/**
 * `vipd_adverts_dropped_total{group="",reason}`: a signed advert refused before it reaches an
 * election. `signature-*` is the Keyring's verdict (src/security/signing.ts) in enforce mode,
 * `replay-*` the ReplayGuard's (src/security/replay.ts).
 */
export const TRANSPORT_ADVERT_DROP_REASONS = [
  'malformed',
  'wrong-cluster',
  'identity-mismatch',
  'signature-unsigned',
  'signature-unknown-key',
  'signature-bad-mac',
  'replay-stale-sequence',
  'replay-outside-window',
  'replay-invalid-sequence',
] as const;

export type TransportAdvertDropReason = (typeof TRANSPORT_ADVERT_DROP_REASONS)[number];

/**
 * `vipd_peer_frames_dropped_total{reason}` (a frame on an open stream that is not used) and
 * `vipd_peer_rejected_total{reason,side}` (a stream refused before it was used): the lists live
 * beside the limits that produce them (src/adapters/grpc/limits.ts).
 */
export { FRAME_DROPS as PEER_FRAME_DROP_REASONS, PEER_REFUSALS as PEER_REJECT_REASONS } from './limits.js';
export type { FrameDrop as PeerFrameDropReason, PeerRefusal as PeerRejectReason } from './limits.js';

/** `vipd_peer_frames_unsent_total{reason}`: frames a link could not send. */
export const FRAME_UNSENT_REASONS = [
  /** Sent while the link was down and not queued (adverts are periodic). */
  'link-down',
  /** Queued while connecting, then the peer turned out unreachable. */
  'unreachable',
] as const;

export type FrameUnsentReason = (typeof FRAME_UNSENT_REASONS)[number];
