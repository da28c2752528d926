/**
 * One health check's state (issue 11 §1): keepalived's vrrp_script semantics, typed. A check
 * runs every `interval`; each run ends in a Result (success, failure, or a timeout, which is a
 * failure). `rise` consecutive successes make a failed check OK, `fall` consecutive failures make
 * an OK check fail (hysteresis: one bad run on a busy host does not move the VIP).
 *
 * Before its first result a check is `unknown`, which counts as failing (weights.ts): a node does
 * not claim a VIP for a service it has not checked yet. The first result decides at once, unless
 * `initFail` (keepalived's init_fail), where the check starts failed and needs `rise` successes.
 *
 * A `file` check (keepalived track_file) reports a value, not only success: the integer read is
 * its weight contribution (weights.ts).
 *
 * Pure: `stepCheck(state, result) -> state`; the runtime runs the probes and keeps time.
 */

export type CheckStatus = 'unknown' | 'ok' | 'failed';

export interface CheckParams {
  readonly name: string;
  /** Consecutive successes that make a failed check OK (keepalived rise), >= 1. */
  readonly rise: number;
  /** Consecutive failures that make an OK check fail (keepalived fall), >= 1. */
  readonly fall: number;
  /** Start failed, needing `rise` successes (keepalived init_fail). */
  readonly initFail?: boolean;
}

export interface CheckResult {
  readonly ok: boolean;
  /** What happened, for status and logs: "exit 0", "HTTP 503", "timed out after 2000 ms". */
  readonly detail: string;
  /** When the run ended (runtime clock, ms) and how long it took. */
  readonly at: number;
  readonly durationMs: number;
  /** A `file` check's integer (its weight contribution); absent for the others. */
  readonly value?: number;
}

/** How many results of each check are kept for status (`vipctl status`, /v1/groups). */
export const CHECK_HISTORY = 10;

export interface CheckState {
  readonly params: CheckParams;
  readonly status: CheckStatus;
  /** Consecutive successes (status failed or unknown) or failures (status ok) towards a change. */
  readonly streak: number;
  /** The last value of a `file` check while it reads. */
  readonly value?: number;
  /** The latest results, newest last, at most CHECK_HISTORY. */
  readonly history: readonly CheckResult[];
  /** When the status last changed (runtime clock), if it ever did. */
  readonly changedAt?: number;
}

export function initialCheck(params: CheckParams): CheckState {
  if (!Number.isInteger(params.rise) || params.rise < 1 || !Number.isInteger(params.fall) || params.fall < 1) {
    throw new RangeError(`check ${params.name}: rise and fall must be whole numbers >= 1 (got rise ${params.rise}, fall ${params.fall})`);
  }
  return { params, status: params.initFail ? 'failed' : 'unknown', streak: 0, history: [] };
}

export interface CheckStep {
  readonly state: CheckState;
  /** The status changed with this result (from, to). */
  readonly changed?: { readonly from: CheckStatus; readonly to: CheckStatus };
}

export function stepCheck(s: CheckState, r: CheckResult): CheckStep {
  const history = [...s.history, r].slice(-CHECK_HISTORY);
  const { value: _previous, ...rest } = s;
  const base: CheckState = r.ok && r.value !== undefined ? { ...rest, history, value: r.value } : { ...rest, history };
  if (s.status === 'unknown') return moved(base, r.ok ? 'ok' : 'failed', r.at, s.status);
  const towards = s.status === 'ok' ? !r.ok : r.ok;
  if (!towards) return { state: { ...base, streak: 0 } };
  const streak = s.streak + 1;
  const needed = s.status === 'ok' ? s.params.fall : s.params.rise;
  if (streak < needed) return { state: { ...base, streak } };
  return moved(base, s.status === 'ok' ? 'failed' : 'ok', r.at, s.status);
}

function moved(s: CheckState, to: CheckStatus, at: number, from: CheckStatus): CheckStep {
  return { state: { ...s, status: to, streak: 0, changedAt: at }, changed: { from, to } };
}
