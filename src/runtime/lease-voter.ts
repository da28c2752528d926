/**
 * This node's voter in every leased group (docs/leases.md): members and witnesses alike keep
 * at most one live promise per group and grant only to whom they promised. Wraps the pure voter
 * of src/core/election/lease.ts with the clock, counting every decision and logging refusals
 * once per reason per window.
 */
import { crashVerdict, grant, initialVoter, relinquish, type LeaseRefusal, type VoterState } from '../core/election/lease.js';
import type { Clock } from '../ports/clock.js';
import { LogLimiter } from '../ports/log-limiter.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';

export type VoterDecision = { readonly granted: true } | { readonly granted: false; readonly until?: number; readonly grantedTerm?: number };

export class LeaseVoter {
  private state: VoterState;
  private readonly limiter: LogLimiter;

  constructor(
    private readonly nodeId: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
  ) {
    // A (re)started voter has forgotten its promises: it grants nothing for P from now.
    this.state = initialVoter(clock.now());
    this.limiter = new LogLimiter(clock, logger);
  }

  /**
   * `from` asks for the lease of `group` with an advert of `term`: granted, or until when this
   * voter will refuse (undefined when it refuses for want of room or for the term), and the
   * highest term it granted in the group when `term` can never be granted (docs/leases.md, "Terms").
   */
  decide(group: string, from: string, term: number, advertIntervalCs: number, promiseMs?: number, address?: string): VoterDecision {
    const req = { group, from, term, advertIntervalCs, ...(promiseMs === undefined ? {} : { promiseMs }), ...(address === undefined ? {} : { address }) };
    const r = grant(this.state, req, this.clock.now());
    this.state = r.state;
    const result: 'granted' | LeaseRefusal = r.granted ? 'granted' : r.reason;
    this.metrics.inc('vipd_lease_grants_total', { group, result });
    if (!r.granted && r.reason !== 'restart-quiet') {
      const whom = r.reason === 'term-behind' ? ` (term ${term}, and term ${r.grantedTerm} was granted already)`
        : r.promisedTo === undefined ? '' : ` (promised to ${r.promisedTo === this.nodeId ? 'ourselves' : r.promisedTo})`;
      // term-behind is the normal first answer to a master that never heard its predecessor.
      this.limiter.log(r.reason === 'term-behind' ? 'info' : 'warn', `lease for ${group} refused to ${from === this.nodeId ? 'ourselves' : from}: ${r.reason}${whom}`, { reason: r.reason, group });
    }
    if (r.granted) return { granted: true };
    return { granted: false, ...(r.until === undefined ? {} : { until: r.until }), ...(r.grantedTerm === undefined ? {} : { grantedTerm: r.grantedTerm }) };
  }

  /** `from` confirmed it released `group` at `term`: drop a promise to it. */
  relinquish(group: string, from: string, term: number): void {
    const r = relinquish(this.state, group, from, term);
    this.state = r.state;
    if (r.dropped) this.metrics.inc('vipd_lease_relinquished_total', { group });
  }

  /**
   * This node itself saw `from`'s stream at `address` end at `before` (our clock) and a redial
   * refused (docs/leases.md "Crash verdict"): drop its promises granted from that address before
   * then. Only this node's own observation calls this, never a peer's report. Returns the groups.
   */
  crashVerdict(from: string, address: string, before: number): string[] {
    const r = crashVerdict(this.state, from, address, before);
    this.state = r.state;
    for (const group of r.dropped) {
      this.metrics.inc('vipd_lease_crash_dropped_total', { group });
      this.logger.info({ group, master: from, address }, `lease for ${group}: dropped the promise to ${from}, whose process at ${address} is gone (crash verdict)`);
    }
    return r.dropped;
  }
}
