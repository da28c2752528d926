/**
 * Keeps a flood of identical warnings (a misconfigured peer, a stream of bad packets) from
 * drowning the log: each warning key is printed at most once per window, with a count of how
 * many were suppressed. Info lines (role changes) are never limited. Counting is the metrics'
 * job, so nothing is lost.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';

export class LogLimiter {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  log(level: 'debug' | 'info' | 'warn', msg: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (level !== 'warn') {
      this.logger[level]({ ...fields }, msg);
      return;
    }
    const key = typeof fields.reason === 'string' ? fields.reason : msg;
    const now = this.clock.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed += 1;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger.warn(suppressed > 0 ? { ...fields, suppressed } : { ...fields }, msg);
  }
}
