/**
 * The majority rule for BFD (issue 10 §3, docs/bfd.md "The majority rule"): a backup whose own
 * BFD session to a node went Down treats that node as down only when a majority of the group's
 * voters (itself, the other members, the witnesses) report it Down too. One lossy path then
 * causes no failover: only one voter's session is down, the others report Up.
 *
 * Insider-proof counting: a report counts for the voter it came from, which the caller takes
 * from the authenticated stream (the peer's certificate identity), never from the report's
 * content; each voter counts once (its latest report replaces the earlier one); a node's word
 * about itself does not count; a report from a node that is not a voter of the group is
 * ignored; reports expire after `reportTtlMs`. This node's own view comes only from its own
 * session (`OwnView`), never from the network.
 *
 * Pure: `stepAgreement(state, event, now) -> { state, actions }`.
 */
import { assertNever } from '../assert.js';

export interface AgreementParams {
  /** This node's id. */
  readonly self: string;
  /** Every voter of the group, this node included: members and witnesses (node ids). */
  readonly voters: readonly string[];
  /** A report older than this no longer counts, ms. */
  readonly reportTtlMs: number;
}

interface Report {
  readonly down: boolean;
  readonly at: number;
}

export interface AgreementState {
  readonly params: AgreementParams;
  /** Per subject node, per voter: its latest report (this node's own view under `self`). */
  readonly reports: Readonly<Record<string, Readonly<Record<string, Report>>>>;
  /** Subjects already confirmed down: `ConfirmedDown` is said once until the subject is seen Up. */
  readonly confirmed: readonly string[];
}

export type AgreementEvent =
  /** This node's own BFD session to `subject` went Down (`down`) or Up. */
  | { readonly type: 'OwnView'; readonly subject: string; readonly down: boolean }
  /** Voter `from` (the authenticated sender) reports its session to `subject`. */
  | { readonly type: 'Report'; readonly from: string; readonly subject: string; readonly down: boolean };

export const AGREEMENT_IGNORED = ['not-a-voter', 'about-itself', 'from-self'] as const;
export type AgreementIgnored = (typeof AGREEMENT_IGNORED)[number];

export type AgreementAction =
  /** Ask the other voters for their view of `subject` (our own session to it went Down). */
  | { readonly type: 'Query'; readonly subject: string }
  /** A majority of voters, this node included, see `subject` down: feed PeerConfirmedDown (reason `bfd-down`). */
  | { readonly type: 'ConfirmedDown'; readonly subject: string; readonly voters: readonly string[] }
  | { readonly type: 'Ignored'; readonly reason: AgreementIgnored; readonly from: string };

export interface AgreementResult {
  readonly state: AgreementState;
  readonly actions: readonly AgreementAction[];
}

/** More than half of `n` voters. */
export function majorityOf(n: number): number {
  return Math.floor(n / 2) + 1;
}

export function createAgreement(params: AgreementParams): AgreementState {
  if (!params.voters.includes(params.self)) throw new RangeError(`BFD agreement: this node ${params.self} is not among the voters [${params.voters.join(', ')}]`);
  return { params, reports: {}, confirmed: [] };
}

/** The voters whose fresh report says `subject` is down, this node first if it is one. */
export function downVoters(s: AgreementState, subject: string, now: number): string[] {
  const reports = s.reports[subject] ?? {};
  return s.params.voters.filter((v) => {
    const r = reports[v];
    return v !== subject && r !== undefined && r.down && now - r.at <= s.params.reportTtlMs;
  });
}

function record(s: AgreementState, voter: string, subject: string, down: boolean, now: number): AgreementState {
  return { ...s, reports: { ...s.reports, [subject]: { ...(s.reports[subject] ?? {}), [voter]: { down, at: now } } } };
}

function evaluate(s: AgreementState, subject: string, now: number, actions: AgreementAction[]): AgreementState {
  // Never a verdict on this node itself: there is no own session to ourselves, and the others'
  // reports about us cannot stand in for one (found by the property test: m, v and w reporting
  // b down plus an OwnView about b would otherwise have confirmed b down at b).
  if (subject === s.params.self) return s;
  const own = s.reports[subject]?.[s.params.self];
  const ownDown = own !== undefined && own.down && now - own.at <= s.params.reportTtlMs;
  if (!ownDown) return s.confirmed.includes(subject) ? { ...s, confirmed: s.confirmed.filter((x) => x !== subject) } : s;
  const voters = downVoters(s, subject, now);
  if (voters.length < majorityOf(s.params.voters.length) || s.confirmed.includes(subject)) return s;
  actions.push({ type: 'ConfirmedDown', subject, voters });
  return { ...s, confirmed: [...s.confirmed, subject] };
}

export function stepAgreement(s: AgreementState, e: AgreementEvent, now: number): AgreementResult {
  const actions: AgreementAction[] = [];
  switch (e.type) {
    case 'OwnView': {
      let next = record(s, s.params.self, e.subject, e.down, now);
      if (e.down) actions.push({ type: 'Query', subject: e.subject });
      next = evaluate(next, e.subject, now, actions);
      return { state: next, actions };
    }
    case 'Report': {
      const ignore = (reason: AgreementIgnored): AgreementResult => ({ state: s, actions: [{ type: 'Ignored', reason, from: e.from }] });
      if (e.from === s.params.self) return ignore('from-self');
      if (!s.params.voters.includes(e.from)) return ignore('not-a-voter');
      if (e.from === e.subject) return ignore('about-itself');
      const next = evaluate(record(s, e.from, e.subject, e.down, now), e.subject, now, actions);
      return { state: next, actions };
    }
    default:
      return assertNever(e, 'BFD agreement event');
  }
}
