/**
 * Drops counted by the runtime itself, between the transports and the cores.
 *
 * A new reason is one line in its list; docs/metrics.md lists them all
 * (test/unit/docs/metrics.test.ts checks that it does).
 */

import { ADVERT_REFUSALS } from '../core/election/authorise.js';

/**
 * `vipd_adverts_dropped_total{group,reason}`: an advert no election on this node runs
 * (`group=""`), or one from a node that may not speak for the group (issue 8 finding 5,
 * src/core/election/authorise.ts).
 */
export const RUNTIME_ADVERT_DROP_REASONS = ['unknown-group', ...ADVERT_REFUSALS] as const;

export type RuntimeAdvertDropReason = (typeof RUNTIME_ADVERT_DROP_REASONS)[number];
