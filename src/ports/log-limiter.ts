/**
 * Keeps a flood of identical warnings (a misconfigured peer, a stream of bad packets) from
 * drowning the log: each warning key is printed at most once per window, with a count of how
 * many were suppressed. Info lines (role changes) are never limited. Counting is the metrics'
 * job, so nothing is lost.
 *
 * The one class in src/ports: the runtime and the adapters both limit their drop logs, neither
 * may import the other (docs/architecture.md "Layers"), and it needs nothing but the Clock
 * and Logger ports, so its single implementation lives beside the port it implements.
 */
import type { Clock } from './clock.js';
import type { Logger } from './logger.js';

export type LogLevel = 'debug' | 'info' | 'warn';

/** A logger that prints each warning key at most once per window. */
export interface RateLimitedLog {
  /**
   * debug and info pass straight through; a warning is printed unless one with the same key
   * (`fields.reason` when it is a string, else `msg`) was printed within the window, and then
   * carries `suppressed`, the number held back since. Never blocks, never throws.
   */
  log(level: LogLevel, msg: string, fields?: Readonly<Record<string, unknown>>): void;
}

export class LogLimiter implements RateLimitedLog {
  private readonly last = new Map<string, { at: number; suppressed: number }>();

  constructor(
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly windowMs = 10_000,
  ) {}

  log(level: LogLevel, msg: string, fields: Readonly<Record<string, unknown>> = {}): void {
    if (level !== 'warn') {
      this.logger[level]({ ...fields }, msg);
      return;
    }
    this.once(typeof fields.reason === 'string' ? fields.reason : msg, level, msg, fields);
  }

  /**
   * At any level, a line printed at most once per `key` per window, with `suppressed` as for
   * warnings: for info lines a peer can cause without end (membership changes of one member,
   * src/runtime/membership-runner.ts). Never blocks, never throws.
   */
  once(key: string, level: LogLevel, msg: string, fields: Readonly<Record<string, unknown>> = {}): void {
    const now = this.clock.now();
    const seen = this.last.get(key);
    if (seen && now - seen.at < this.windowMs) {
      seen.suppressed += 1;
      return;
    }
    const suppressed = seen?.suppressed ?? 0;
    this.last.set(key, { at: now, suppressed: 0 });
    this.logger[level](suppressed > 0 ? { ...fields, suppressed } : { ...fields }, msg);
  }
}
