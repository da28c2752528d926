/**
 * Drops counted by the runtime itself, between the transports and the cores.
 *
 * A new reason is one line in its list; docs/metrics.md lists them all
 * (test/unit/docs/metrics.test.ts checks that it does).
 */

/** `vipd_adverts_dropped_total{group="",reason}`: an advert no election on this node runs. */
export const RUNTIME_ADVERT_DROP_REASONS = ['unknown-group'] as const;

export type RuntimeAdvertDropReason = (typeof RUNTIME_ADVERT_DROP_REASONS)[number];
