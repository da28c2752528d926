/**
 * This node's voter in every leased group (docs/leases.md): members and witnesses alike keep
 * at most one live promise per group and grant only to whom they promised. Wraps the pure voter
 * of src/core/election/lease.ts with the clock, counting every decision and logging refusals
 * once per reason per window.
 */
import { grant, initialVoter, relinquish, type LeaseRefusal, type VoterState } from '../core/election/lease.js';
import type { Clock } from '../ports/clock.js';
import { LogLimiter } from '../ports/log-limiter.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';

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
   * voter will refuse (undefined when it refuses for want of room).
   */
  decide(group: string, from: string, term: number, advertIntervalCs: number, promiseMs?: number): { granted: true } | { granted: false; until?: number } {
    const r = grant(this.state, { group, from, term, advertIntervalCs, ...(promiseMs === undefined ? {} : { promiseMs }) }, this.clock.now());
    this.state = r.state;
    const result: 'granted' | LeaseRefusal = r.granted ? 'granted' : r.reason;
    this.metrics.inc('vipd_lease_grants_total', { group, result });
    if (!r.granted && r.reason !== 'restart-quiet') {
      const whom = r.promisedTo === undefined ? '' : ` (promised to ${r.promisedTo === this.nodeId ? 'ourselves' : r.promisedTo})`;
      this.limiter.log('warn', `lease for ${group} refused to ${from === this.nodeId ? 'ourselves' : from}: ${r.reason}${whom}`, { reason: r.reason, group });
    }
    return r.granted ? { granted: true } : r.until === undefined ? { granted: false } : { granted: false, until: r.until };
  }

  /** decide(), as a yes or no. */
  grant(group: string, from: string, term: number, advertIntervalCs: number, promiseMs?: number): boolean {
    return this.decide(group, from, term, advertIntervalCs, promiseMs).granted;
  }

  /** `from` confirmed it released `group` at `term`: drop a promise to it. */
  relinquish(group: string, from: string, term: number): void {
    const r = relinquish(this.state, group, from, term);
    this.state = r.state;
    if (r.dropped) this.metrics.inc('vipd_lease_relinquished_total', { group });
  }
}
