/**
 * RFC 5798 / RFC 3768 timer math, as pure functions with table tests (test/unit/core).
 * All results are milliseconds.
 */
import type { TimerVersion } from './types.js';

export const CS = 10; // ms per centisecond

/**
 * Skew_Time.
 * - v3, RFC 5798 §6.1: ((256 - Priority) * Master_Adver_Interval) / 256, in centiseconds.
 * - v2, RFC 3768 §6.1: (256 - Priority) / 256 seconds, independent of the interval.
 */
export function skewTimeMs(priority: number, masterAdverIntervalCs: number, version: TimerVersion): number {
  const p = Math.min(Math.max(priority, 0), 255);
  return version === 3 ? ((256 - p) * masterAdverIntervalCs * CS) / 256 : ((256 - p) * 1000) / 256;
}

/** Master_Down_Interval = 3 * Master_Adver_Interval + Skew_Time (RFC 5798 §6.1, RFC 3768 §6.1). */
export function masterDownIntervalMs(priority: number, masterAdverIntervalCs: number, version: TimerVersion): number {
  return 3 * masterAdverIntervalCs * CS + skewTimeMs(priority, masterAdverIntervalCs, version);
}

/**
 * The priority this node advertises: the configured priority moved by health weights,
 * kept inside 1-254 so that weights can neither resign (0) nor claim ownership (255).
 * An address owner (255) is not moved (keepalived does the same).
 */
export function effectivePriority(basePriority: number, healthWeight: number): number {
  if (basePriority === 255) return 255;
  return Math.min(254, Math.max(1, basePriority + healthWeight));
}
