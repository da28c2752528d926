// Durations in the configuration: "100ms", "1s", "1.5s", "2m", "1h", or a plain number of
// seconds (keepalived's advert_int convention, so imported configs read the same).
import { describeInput } from './messages.js';

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const WITH_UNIT = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNKNOWN_UNIT = /^\d+(?:\.\d+)?([^\d\s.]+)$/;

const FORMS = 'use a number with a unit ms, s, m or h (e.g. "100ms", "1.5s", "2m"), or a plain number of seconds';

/**
 * Bounds, so no duration costs more than a few digits of arithmetic and none overflows a timer
 * (issue 8 finding 11: "1.000…0s" with a million zeros was accepted). 24h is the longest any
 * field accepts (garp_refresh); 9 digits before the point reach past it in milliseconds, and
 * 6 after it are more than any whole number of milliseconds needs (hours: 5).
 */
export const MAX_DURATION_MS = 86_400_000;
const MAX_WHOLE_DIGITS = 9;
const MAX_FRACTION_DIGITS = 6;

/** JSON Schema pattern for the string form; kept next to the parser it documents. */
export const DURATION_PATTERN = `^\\d{1,${MAX_WHOLE_DIGITS}}(\\.\\d{1,${MAX_FRACTION_DIGITS}})?(ms|s|m|h)$`;

/** Parse a configuration duration into whole milliseconds. Never throws. */
export function parseDuration(input: unknown): DurationResult {
  if (typeof input === 'number') return fromNumberOfSeconds(input);
  if (typeof input !== 'string') return { ok: false, reason: `not a duration; ${FORMS}` };
  const text = input.trim();
  const match = WITH_UNIT.exec(text);
  if (match) return toMs(match[1] ?? '', match[2] as Unit, input);
  if (DECIMAL.test(text)) {
    return { ok: false, reason: `${describeInput(input)} has no unit; ${FORMS}` };
  }
  const unit = UNKNOWN_UNIT.exec(text)?.[1];
  if (unit !== undefined) {
    return { ok: false, reason: `${describeInput(input)} has unknown unit ${describeInput(unit)}; allowed units: ms, s, m, h` };
  }
  return { ok: false, reason: `${describeInput(input)} is not a duration; ${FORMS}` };
}

function fromNumberOfSeconds(seconds: number): DurationResult {
  if (!Number.isFinite(seconds)) return { ok: false, reason: `${seconds} is not a duration; ${FORMS}` };
  if (seconds < 0) return { ok: false, reason: `${seconds} is negative; a duration must be 0 or more` };
  // String() keeps the shortest decimal that round-trips, so 1.005 stays 1.005 and the
  // arithmetic below is exact; exponent forms only appear for values out of our range.
  const text = String(seconds);
  if (!DECIMAL.test(text)) {
    const reason = seconds < 1 ? 'is finer than 1ms' : 'is too large';
    return { ok: false, reason: `${text} seconds ${reason}` };
  }
  return toMs(text, 's', text);
}

/** Exact decimal arithmetic (BigInt) so "1.005s" is 1005ms, not 1004.9999. */
function toMs(decimal: string, unit: Unit, original: string | number): DurationResult {
  const [whole = '0', fraction = ''] = decimal.split('.');
  const shown = describeInput(original);
  if (whole.length > MAX_WHOLE_DIGITS) {
    return { ok: false, reason: `${shown} is too large (more than ${MAX_WHOLE_DIGITS} digits before the point); the longest duration is ${formatDuration(MAX_DURATION_MS)}` };
  }
  if (fraction.length > MAX_FRACTION_DIGITS) return { ok: false, reason: `${shown} has more than ${MAX_FRACTION_DIGITS} digits after the point` };
  const scaled = BigInt(whole + fraction) * BigInt(UNIT_MS[unit]);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) {
    return { ok: false, reason: `${shown} is finer than 1ms` };
  }
  const ms = Number(scaled / divisor);
  if (ms > MAX_DURATION_MS) return { ok: false, reason: `${shown} is too large; must be at most ${formatDuration(MAX_DURATION_MS)}` };
  return { ok: true, ms };
}

/** Shortest readable form for messages and summaries: 15ms, 1.5s, 40.95s, 2m, 1h. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
