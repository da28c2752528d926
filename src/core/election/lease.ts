/**
 * Leases for `quorum: majority` groups (issue 8 "What must exist" 3; contract in docs/leases.md).
 *
 * Voter side: every voter of a group (members and witnesses) keeps at most one live promise
 * per group and grants only to the node it already promised, or to anyone once the promise ran
 * out. A higher term does not override a live promise: that is the whole point. A grant is the
 * ack the master counts.
 *
 * Master side (step.ts): the master holds the VIP only while a majority of voters granted one
 * of its adverts within the last L; L is short enough that the master has finished releasing
 * before any promise of that majority runs out, on any clock that drifts at most RHO.
 *
 * Pure: times are milliseconds on the caller's monotonic clock, passed in as `now`.
 */
import { CS } from './timers.js';

/** Bound on clock-rate drift against real time: 1000 ppm (crystal clocks are within 100 ppm). */
export const RHO = 0.001;

/**
 * R, the release margin: how long a release may take once started. The runtime passes the
 * provider's bound when it has one (LeaseParams.releaseMarginMs); this is the default, for
 * one `ip addr del` (local provider) on a loaded host.
 */
export const DEFAULT_RELEASE_MARGIN_MS = 50;

/**
 * The shortest promise. With 3 × Advertisement_Interval alone, adverts under 100 ms leave a
 * lease shorter than R plus one renewal; such groups wait up to this long before a new master
 * may take the VIP.
 */
export const MIN_PROMISE_MS = 300;

/** The most groups a voter keeps promises for; beyond it refuses (bounded work per peer). */
export const MAX_VOTER_GROUPS = 1024;

/**
 * P, how long a promise lasts on the voter's clock: 3 × Advertisement_Interval (the advert's,
 * which is the master's own), at least MIN_PROMISE_MS. That is Master_Down_Interval without
 * Skew_Time (RFC 5798 §6.1), so a backup's promise to a dead master has run out by the time its
 * Master_Down_Timer fires: leases barely delay a takeover.
 */
export function promiseMs(advertIntervalCs: number): number {
  return Math.max(MIN_PROMISE_MS, 3 * advertIntervalCs * CS);
}

/**
 * L, how long after an advert's send time (on the master's clock) a majority's grants of it keep
 * the lease: L = P (1 - RHO) / (1 + RHO) - R. Proof in docs/leases.md.
 */
export function leaseMs(advertIntervalCs: number, releaseMarginMs = DEFAULT_RELEASE_MARGIN_MS): number {
  const p = promiseMs(advertIntervalCs);
  return (p * (1 - RHO)) / (1 + RHO) - releaseMarginMs;
}

/** Strict majority of `voters` (this node included). */
export function majority(voters: number): number {
  return Math.floor(voters / 2) + 1;
}

// ---- voter ---------------------------------------------------------------------------------

export interface VoterPromise {
  readonly to: string;
  readonly term: number;
  /** End of the promise on the voter's clock. */
  readonly until: number;
}

export interface VoterState {
  /** When this voter (re)started: it grants nothing for P after (it forgot its promises). */
  readonly startedAt: number;
  /** Live (or expired, until pruned) promises by group. */
  readonly promises: Readonly<Record<string, VoterPromise>>;
}

/** Why a voter did not grant. Typed so metrics, logs and tests list them. */
export const LEASE_REFUSALS = ['lease-refused', 'restart-quiet', 'too-many-groups'] as const;
export type LeaseRefusal = (typeof LEASE_REFUSALS)[number];

export interface GrantRequest {
  readonly group: string;
  /** The master asking (the authenticated sender of the advert). */
  readonly from: string;
  readonly term: number;
  readonly advertIntervalCs: number;
}

export type GrantResult =
  | { readonly state: VoterState; readonly granted: true }
  | { readonly state: VoterState; readonly granted: false; readonly reason: LeaseRefusal; readonly promisedTo?: string };

export function initialVoter(now: number): VoterState {
  return { startedAt: now, promises: {} };
}

/**
 * An advert (priority > 0, asking for a lease) from voter `from` arrived at `now`: grant iff no
 * live promise for the group or the live promise is to `from`, and not in the restart quiet
 * period. Granting (re)sets the promise to now + P.
 */
export function grant(state: VoterState, req: GrantRequest, now: number): GrantResult {
  const p = promiseMs(req.advertIntervalCs);
  if (now < state.startedAt + p) return { state, granted: false, reason: 'restart-quiet' };
  const live = state.promises[req.group];
  if (live && live.until > now && live.to !== req.from) return { state, granted: false, reason: 'lease-refused', promisedTo: live.to };
  const promises = prune(state.promises, now);
  if (!live && Object.keys(promises).length >= MAX_VOTER_GROUPS) return { state: { ...state, promises }, granted: false, reason: 'too-many-groups' };
  const until = Math.max(now + p, live && live.to === req.from ? live.until : -Infinity);
  return { state: { ...state, promises: { ...promises, [req.group]: { to: req.from, term: req.term, until } } }, granted: true };
}

/**
 * `from` confirmed it released the group's VIP at `term`: a promise to it for that term or an
 * earlier one ends now (graceful stop and preemption need not wait P; issue 10 uses the same
 * hook for a master whose process is provably gone). Returns whether a promise was dropped.
 */
export function relinquish(state: VoterState, group: string, from: string, term: number): { state: VoterState; dropped: boolean } {
  const live = state.promises[group];
  if (!live || live.to !== from || live.term > term) return { state, dropped: false };
  const rest: Record<string, VoterPromise> = { ...state.promises };
  delete rest[group];
  return { state: { ...state, promises: rest }, dropped: true };
}

/** The live promise for `group`, if any. */
export function promiseOf(state: VoterState, group: string, now: number): VoterPromise | undefined {
  const p = state.promises[group];
  return p && p.until > now ? p : undefined;
}

function prune(promises: Readonly<Record<string, VoterPromise>>, now: number): Readonly<Record<string, VoterPromise>> {
  let out: Record<string, VoterPromise> | undefined;
  for (const [g, p] of Object.entries(promises)) {
    if (p.until > now) continue;
    out ??= { ...promises };
    delete out[g];
  }
  return out ?? promises;
}

// ---- master --------------------------------------------------------------------------------

/**
 * The lease end implied by `acks`: the newest echo granted by a majority of the `voters`
 * (every voter's newest grant, the k-th newest of them), plus L.
 */
export function leaseUntil(acks: Readonly<Record<string, number>>, voters: number, lMs: number): number | undefined {
  const echoes = Object.values(acks).sort((a, b) => b - a);
  const k = majority(voters);
  const echo = echoes[k - 1];
  return echo === undefined ? undefined : echo + lMs;
}
