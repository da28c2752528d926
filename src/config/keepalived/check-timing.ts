/**
 * A vrrp_script's interval, timeout, rise and fall in vipd's ranges (src/config/checks-schema.ts):
 * keepalived's seconds (resolution micro-seconds) become whole milliseconds; a value out of range
 * is brought into it, and a timeout longer than the interval is cut to it (vipd never overlaps
 * runs, and a tick that finds the last run still going is skipped, docs/health-checks.md), each
 * with a note.
 */
import type { SourceRef } from './lexer.js';
import { statement, type KNode } from './parser.js';
import type { Report } from './report.js';
import { duration, integer, microseconds } from './values.js';

const INTERVAL = { minMs: 100, maxMs: 3_600_000 };
const TIMEOUT = { minMs: 10, maxMs: 600_000 };
const RISE_FALL_MAX = 100;

export class Timing {
  private intervalMs = 1000;
  private intervalAt?: SourceRef;
  private timeoutMs?: number;
  private timeoutAt?: SourceRef;
  private readonly counts = new Map<string, [number, SourceRef]>();

  constructor(private readonly report: Report, private readonly at: (string | number)[]) {}

  interval(s: KNode): void {
    const ms = this.ms(s, INTERVAL);
    if (ms !== undefined) [this.intervalMs, this.intervalAt] = [ms, s.at];
  }

  timeout(s: KNode): void {
    const ms = this.ms(s, TIMEOUT);
    if (ms !== undefined) [this.timeoutMs, this.timeoutAt] = [ms, s.at];
  }

  count(s: KNode): void {
    const n = integer(s.args[0]?.text);
    if (n === undefined || n < 1) return this.report.unmapped(s.at, statement(s), 'must be a positive integer; vipd\'s default, 1, applies', this.at);
    if (n > RISE_FALL_MAX) this.report.note(s.at, statement(s), `vipd allows at most ${RISE_FALL_MAX}: written as ${RISE_FALL_MAX}`, [...this.at, s.name]);
    this.counts.set(s.name, [Math.min(n, RISE_FALL_MAX), s.at]);
  }

  private ms(s: KNode, range: { minMs: number; maxMs: number }): number | undefined {
    const us = microseconds(s.args[0]?.text);
    if (us === undefined) {
      this.report.unmapped(s.at, statement(s), 'must be a number of seconds; vipd\'s default applies', this.at);
      return undefined;
    }
    const ms = Math.min(range.maxMs, Math.max(range.minMs, Math.round(us / 1000)));
    if (ms * 1000 !== us) this.report.note(s.at, statement(s), `written as ${duration(ms)} (vipd: whole milliseconds, ${duration(range.minMs)}-${duration(range.maxMs)})`, [...this.at, s.name]);
    return ms;
  }

  fields(): { fields: Record<string, unknown>; origins: [string, SourceRef][] } {
    const fields: Record<string, unknown> = {};
    const origins: [string, SourceRef][] = [];
    if (this.intervalAt) {
      fields.interval = duration(this.intervalMs);
      origins.push(['interval', this.intervalAt]);
    }
    if (this.timeoutMs !== undefined && this.timeoutAt) {
      let timeout = this.timeoutMs;
      if (timeout > this.intervalMs) {
        this.report.note(this.timeoutAt, `timeout ${duration(timeout)}`, `longer than the interval (${duration(this.intervalMs)}); vipd never overlaps runs and caps the timeout at the interval: written as ${duration(this.intervalMs)}`, [...this.at, 'timeout']);
        timeout = this.intervalMs;
      }
      fields.timeout = duration(timeout);
      origins.push(['timeout', this.timeoutAt]);
    }
    for (const key of ['rise', 'fall']) {
      const count = this.counts.get(key);
      if (count === undefined) continue;
      fields[key] = count[0];
      origins.push([key, count[1]]);
    }
    return { fields, origins };
  }
}
