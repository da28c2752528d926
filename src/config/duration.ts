// Durations in the configuration: "100ms", "1s", "1.5s", "2m", "1h", or a plain number of
// seconds (keepalived's advert_int convention, so imported configs read the same).

export type DurationResult = { ok: true; ms: number } | { ok: false; reason: string };

const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 } as const;
type Unit = keyof typeof UNIT_MS;

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;
const WITH_UNIT = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/;
const UNKNOWN_UNIT = /^\d+(?:\.\d+)?([^\d\s.]+)$/;

const FORMS = 'use a number with a unit ms, s, m or h (e.g. "100ms", "1.5s", "2m"), or a plain number of seconds';

/** JSON Schema pattern for the string form; kept next to the parser it documents. */
export const DURATION_PATTERN = '^\\d+(\\.\\d+)?(ms|s|m|h)$';

/** Parse a configuration duration into whole milliseconds. Never throws. */
export function parseDuration(input: unknown): DurationResult {
  if (typeof input === 'number') return fromNumberOfSeconds(input);
  if (typeof input !== 'string') return { ok: false, reason: `not a duration; ${FORMS}` };
  const text = input.trim();
  const match = WITH_UNIT.exec(text);
  if (match) return toMs(match[1] ?? '', match[2] as Unit, input);
  if (DECIMAL.test(text)) {
    return { ok: false, reason: `${JSON.stringify(input)} has no unit; ${FORMS}` };
  }
  const unit = UNKNOWN_UNIT.exec(text)?.[1];
  if (unit !== undefined) {
    return { ok: false, reason: `${JSON.stringify(input)} has unknown unit ${JSON.stringify(unit)}; allowed units: ms, s, m, h` };
  }
  return { ok: false, reason: `${JSON.stringify(input)} is not a duration; ${FORMS}` };
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
  const scaled = BigInt(whole + fraction) * BigInt(UNIT_MS[unit]);
  const divisor = 10n ** BigInt(fraction.length);
  if (scaled % divisor !== 0n) {
    return { ok: false, reason: `${JSON.stringify(original)} is finer than 1ms` };
  }
  const ms = scaled / divisor;
  if (ms > BigInt(Number.MAX_SAFE_INTEGER)) {
    return { ok: false, reason: `${JSON.stringify(original)} is too large` };
  }
  return { ok: true, ms: Number(ms) };
}

/** Shortest readable form for messages and summaries: 15ms, 1.5s, 40.95s, 2m, 1h. */
export function formatDuration(ms: number): string {
  if (ms === 0) return '0s';
  if (ms % UNIT_MS.h === 0) return `${ms / UNIT_MS.h}h`;
  if (ms % UNIT_MS.m === 0) return `${ms / UNIT_MS.m}m`;
  if (ms >= 1000) return `${ms / 1000}s`;
  return `${ms}ms`;
}
