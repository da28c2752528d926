/**
 * Drops counted by the runtime itself, between the transports and the cores.
 *
 * A new reason is one line in its list; docs/metrics.md lists them all
 * (test/unit/docs/metrics.test.ts checks that it does).
 */

/** `vipd_adverts_dropped_total{group="",reason}`: an advert no election on this node runs. */
export const RUNTIME_ADVERT_DROP_REASONS = ['unknown-group'] as const;

export type RuntimeAdvertDropReason = (typeof RUNTIME_ADVERT_DROP_REASONS)[number];

/** `vipd_peer_frames_dropped_total{reason}`: a membership frame that does not convert to a message. */
export const RUNTIME_FRAME_DROP_REASONS = ['membership-malformed'] as const;

export type RuntimeFrameDropReason = (typeof RUNTIME_FRAME_DROP_REASONS)[number];
