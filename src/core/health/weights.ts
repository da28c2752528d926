/**
 * What a group's tracked checks do to its election (issue 11 §1), keepalived's rules
 * (vrrp_script weight, track_script, track_file):
 * - weight > 0: the priority goes up by `weight` while the check is OK;
 * - weight < 0: the priority goes down by |weight| while it is not OK (failed, or not run yet);
 * - weight 0: while it is not OK the group is in Fault (`check:NAME`), whatever its priority;
 * - a `file` check (track_file): while it reads, its integer × weight is added (weight 0: a
 *   non-zero integer means Fault); while it cannot be read, Fault.
 * The sum moves the priority within 1..254 and never touches an address owner's 255
 * (src/core/election/timers.ts effectivePriority; keepalived clamps the same way).
 * Pure.
 */
import type { CheckState } from './check.js';

export interface Track {
  /** The check's name (top-level `checks`). */
  readonly check: string;
  /** keepalived weight, -254..254. */
  readonly weight: number;
  /** A `file` check: its value is the weight (times `weight`). */
  readonly file?: boolean;
}

export interface TrackedHealth {
  /** The sum of the weights that apply now: HealthWeightChanged. */
  readonly weight: number;
  /** Fault resources (`check:NAME`) that apply now: FaultRaised, until they clear. */
  readonly faults: readonly string[];
}

/** The fault resource of a check (the election's `faults`, status and logs show it). */
export function checkFault(name: string): string {
  return `check:${name}`;
}

export function trackedHealth(tracks: readonly Track[], states: ReadonlyMap<string, CheckState>): TrackedHealth {
  let weight = 0;
  const faults: string[] = [];
  for (const t of tracks) {
    const s = states.get(t.check);
    const ok = s?.status === 'ok';
    if (t.file) {
      const v = ok ? s?.value : undefined;
      if (v === undefined) faults.push(checkFault(t.check));
      else if (t.weight === 0) {
        if (v !== 0) faults.push(checkFault(t.check));
      } else weight += v * t.weight;
      continue;
    }
    if (t.weight > 0 && ok) weight += t.weight;
    else if (t.weight < 0 && !ok) weight += t.weight;
    else if (t.weight === 0 && !ok) faults.push(checkFault(t.check));
  }
  return { weight, faults };
}
