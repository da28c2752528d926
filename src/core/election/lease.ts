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
import { MAX_TERM } from './terms.js';
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
 * The shortest promise. With 4 × Advertisement_Interval alone, adverts under 75 ms leave a
 * lease hardly longer than R plus one renewal; such groups wait up to this long before a new
 * master may take the VIP.
 */
export const MIN_PROMISE_MS = 300;

/**
 * A new master whose own voter still promised the old master advertises again this long after
 * that promise ends (the other voters' promises to the old master end within a delivery time of
 * ours), instead of up to one Advertisement_Interval later.
 */
export const LEASE_RETRY_MS = 5;

/**
 * The largest stall tolerance S a master may ask for (lease_stall_tolerance): bounds how long
 * one advert can make a voter promise (a promise outliving this is refused as config error).
 */
export const MAX_STALL_TOLERANCE_MS = 10_000;

/** The most groups a voter keeps promises for; beyond it refuses (bounded work per peer). */
export const MAX_VOTER_GROUPS = 1024;

/**
 * P, how long a promise lasts on the voter's clock: 4 × Advertisement_Interval (the advert's,
 * which is the master's own), at least MIN_PROMISE_MS. Master_Down_Interval is 3 × that interval
 * plus a Skew_Time below one interval (RFC 5798 §6.1), so the lease (P less drift and R) lets the
 * master ride out about as long a silence as its backups do: a lost or retransmitted advert
 * (TCP's 200 ms minimum RTO on gRPC) costs neither a master change nor the VIP. The price: a new
 * master takes the VIP about P - Master_Down_Interval (40 ms at 100 ms adverts, priority 100)
 * after it became master, when the old master crashed without a relinquish.
 */
export function basePromiseMs(advertIntervalCs: number): number {
  return Math.max(MIN_PROMISE_MS, 4 * advertIntervalCs * CS);
}

/** S as the lease uses it: 0..MAX_STALL_TOLERANCE_MS. */
export function stallTolerance(stallToleranceMs = 0): number {
  return Number.isFinite(stallToleranceMs) ? Math.min(MAX_STALL_TOLERANCE_MS, Math.max(0, stallToleranceMs)) : 0;
}

/**
 * P, the promise a master asks for: the base promise plus its stall tolerance S, so that a
 * master frozen for up to S across its lease deadline still releases before any promise behind
 * its lease ends (docs/leases.md, "Constants" and "Honest limits"). A silent failure costs
 * a takeover about P after the last grant.
 */
export function promiseMs(advertIntervalCs: number, stallToleranceMs = 0): number {
  return basePromiseMs(advertIntervalCs) + stallTolerance(stallToleranceMs);
}

/**
 * The promise a voter makes for an advert: what it asks for (`lease_promise_ms`), kept within
 * [base promise, base promise + MAX_STALL_TOLERANCE_MS]; an advert asking for nothing gets the
 * base promise.
 */
export function grantedPromiseMs(advertIntervalCs: number, requestedMs?: number): number {
  const base = basePromiseMs(advertIntervalCs);
  if (requestedMs === undefined || !Number.isFinite(requestedMs)) return base;
  return Math.min(base + MAX_STALL_TOLERANCE_MS, Math.max(base, requestedMs));
}

/**
 * L, how long after an advert's send time (on the master's clock) a majority's grants of it keep
 * the lease: L = P (1 - RHO) / (1 + RHO) - R - S. Proof in docs/leases.md.
 */
export function leaseMs(advertIntervalCs: number, releaseMarginMs = DEFAULT_RELEASE_MARGIN_MS, stallToleranceMs = 0): number {
  const s = stallTolerance(stallToleranceMs);
  const p = promiseMs(advertIntervalCs, s);
  return (p * (1 - RHO)) / (1 + RHO) - releaseMarginMs - s;
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
  /**
   * When the voter last granted (renewed) it, on its clock: a crash verdict drops only a
   * promise granted before it observed the master gone (crashVerdict).
   */
  readonly grantedAt?: number;
  /**
   * The address the master announced on the stream its adverts came on (its Hello), when every
   * grant of this promise came from that one address; undefined otherwise (or unknown), and then
   * no crash verdict drops it.
   */
  readonly address?: string;
}

/** The highest term this voter granted in a group, and to whom (kept after the promise ends). */
export interface GrantedTerm {
  readonly to: string;
  readonly term: number;
}

export interface VoterState {
  /** When this voter (re)started: it grants nothing for P after (it forgot its promises). */
  readonly startedAt: number;
  /** Live (or expired, until pruned) promises by group. */
  readonly promises: Readonly<Record<string, VoterPromise>>;
  /**
   * The highest term granted per group (docs/leases.md, "Terms"): a later grant to another node
   * needs a higher term, so successive masterships carry increasing terms. Never pruned (one
   * entry per group this voter ever granted in; MAX_VOTER_GROUPS bounds them); forgotten on a
   * restart like the promises.
   */
  readonly granted: Readonly<Record<string, GrantedTerm>>;
}

/** Why a voter did not grant. Typed so metrics, logs and tests list them. */
export const LEASE_REFUSALS = ['lease-refused', 'restart-quiet', 'too-many-groups', 'term-behind'] as const;
export type LeaseRefusal = (typeof LEASE_REFUSALS)[number];

export interface GrantRequest {
  readonly group: string;
  /** The master asking (the authenticated sender of the advert). */
  readonly from: string;
  readonly term: number;
  readonly advertIntervalCs: number;
  /** The promise the advert asks for (lease_promise_ms); default the base promise. */
  readonly promiseMs?: number;
  /** The address the master announced on the stream the advert came on (crashVerdict). */
  readonly address?: string;
}

export type GrantResult =
  | { readonly state: VoterState; readonly granted: true }
  | {
    readonly state: VoterState; readonly granted: false; readonly reason: LeaseRefusal; readonly promisedTo?: string; readonly until?: number;
    /**
     * With `term-behind`, the request's term can never be granted here: the highest term this
     * voter granted in the group (to another node at a term at least the request's, or to anyone
     * at a higher one). The voter tells the master (LeaseRefusal), which moves past it (step.ts).
     */
    readonly grantedTerm?: number;
  };

export function initialVoter(now: number): VoterState {
  return { startedAt: now, promises: {}, granted: {} };
}

/**
 * An advert (priority > 0, asking for a lease) from voter `from` arrived at `now`: grant iff no
 * live promise for the group or the live promise is to `from`, the term is above the highest
 * this voter granted in the group (or equal to it, granted to `from`: a renewal), and not in
 * the restart quiet period. Granting (re)sets the promise to now + P.
 */
export function grant(state: VoterState, req: GrantRequest, now: number): GrantResult {
  const p = grantedPromiseMs(req.advertIntervalCs, req.promiseMs);
  if (now < state.startedAt + p) return { state, granted: false, reason: 'restart-quiet', until: state.startedAt + p };
  const last = state.granted[req.group];
  // At MAX_TERM (saturated by a hostile advert, terms.ts) no term is above it: equal terms are
  // granted as before terms were remembered, or the group could never take over again.
  const behind = last !== undefined && (req.term < last.term || (req.term === last.term && req.from !== last.to && req.term < MAX_TERM));
  const live = state.promises[req.group];
  if (live && live.until > now && live.to !== req.from) return { state, granted: false, reason: 'lease-refused', promisedTo: live.to, until: live.until };
  // Said only once no live promise stands in the way: while one does, a master that cannot hear
  // the holder (one-way loss) and moved its term past it would make the holder move past that in
  // turn (step.ts, a won conflict), a term race at the advert rate.
  if (behind) return { state, granted: false, reason: 'term-behind', grantedTerm: last.term };
  const promises = prune(state.promises, now);
  if (!last && Object.keys(state.granted).length >= MAX_VOTER_GROUPS) return { state: { ...state, promises }, granted: false, reason: 'too-many-groups' };
  const renewed = live !== undefined && live.until > now && live.to === req.from;
  const until = Math.max(now + p, renewed ? live.until : -Infinity);
  // A promise renewed from another address than it was first granted from covers two processes
  // (or a misconfiguration): no refusal at one address can then prove it free (crashVerdict).
  const address = renewed ? (live.address === req.address ? live.address : undefined) : req.address;
  const promise: VoterPromise = { to: req.from, term: req.term, until, grantedAt: now, ...(address === undefined ? {} : { address }) };
  return {
    state: { ...state, promises: { ...promises, [req.group]: promise }, granted: { ...state.granted, [req.group]: { to: req.from, term: req.term } } },
    granted: true,
  };
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

/**
 * Crash verdict (issue 10, docs/leases.md "Crash verdict"): this voter itself saw its stream to
 * `from` at `address` end and a redial of `address` refused (nothing listens there). A process
 * that can hold the VIP keeps its listener open until its last release finished (assumption A6),
 * so every process of `from` whose adverts came from `address` before the refusal is done: drop
 * each promise to `from` whose every grant came from `address` and was made at or before
 * `before` (the voter's clock when the stream broke, which precedes the redial). Any other
 * promise stays: one renewed from elsewhere, or granted later (a restarted process may have
 * answered since). Returns the groups whose promise was dropped.
 */
export function crashVerdict(state: VoterState, from: string, address: string, before: number): { state: VoterState; dropped: string[] } {
  const dropped: string[] = [];
  for (const [g, p] of Object.entries(state.promises)) {
    if (p.to === from && p.address === address && p.grantedAt !== undefined && p.grantedAt <= before) dropped.push(g);
  }
  if (dropped.length === 0) return { state, dropped };
  const rest: Record<string, VoterPromise> = { ...state.promises };
  for (const g of dropped) delete rest[g];
  return { state: { ...state, promises: rest }, dropped };
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
