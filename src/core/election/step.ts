/**
 * The election reducer for one VRRP instance: step(state, event, now) -> { state, actions }.
 * It follows RFC 5798 §6.4 (Initialize, Backup, Master) with these vipd additions, each cited:
 * - Fault role for tracked resources (keepalived);
 * - preempt_delay (keepalived);
 * - a term that orders dual masters (higher priority, then higher term, then address);
 * - a master that hears a lower-ranked master answers at once instead of waiting for its
 *   Adver_Timer (keepalived does the same), so dual masters resolve within one interval.
 * Pure: no I/O, no clock; `now` is milliseconds on the runtime's clock.
 */
import { assertNever } from '../assert.js';
import type { ElectionDropReason } from './drop-reasons.js';
import { staleResignation } from './handoff.js';
import { compareIdentity, describeIdentity } from './identity.js';
import { LEASE_RETRY_MS, leaseMs, leaseUntil, majority, promiseMs } from './lease.js';
import { isValidTerm, laterTerm, MAX_TERM, nextTerm } from './terms.js';
import { CS, effectivePriority, masterDownIntervalMs, skewTimeMs } from './timers.js';
import { roleLabel, transition } from './transition.js';
import type { Advert, ElectionAction, ElectionEvent, ElectionParams, ElectionState, KnownMaster, MasterLeaseState, StepResult } from './types.js';

export function initialState(params: ElectionParams): ElectionState {
  return {
    params,
    role: 'Initialize',
    healthWeight: 0,
    faults: [],
    term: 0,
    masterAdverIntervalCs: params.advertIntervalCs,
    preemptAfter: 0,
    hasQuorum: !params.requireQuorum,
    quorumDetail: params.requireQuorum ? 'no voters seen yet' : 'quorum not required',
    awaitingQuorum: false,
  };
}

/** The priority this instance advertises now. */
export function currentPriority(state: ElectionState): number {
  return effectivePriority(state.params.basePriority, state.healthWeight);
}

/** Master_Down_Interval for this instance with what it has learned of the master. */
export function currentMasterDownIntervalMs(state: ElectionState): number {
  return masterDownIntervalMs(currentPriority(state), state.masterAdverIntervalCs, state.params.version);
}

/** The earliest deadline the runtime must arm a timer for (keepalived: one timer per instance). */
export function nextDeadline(state: ElectionState): number | undefined {
  const leaseEnd = state.lease?.acquired ? state.lease.until : undefined;
  const ds = [state.adverTimer, state.masterDownTimer, state.quorumLossTimer, leaseEnd, state.handoff?.until].filter((d): d is number => d !== undefined);
  return ds.length === 0 ? undefined : Math.min(...ds);
}

export function step(state: ElectionState, event: ElectionEvent, now: number): StepResult {
  if (state.role === 'Master' && state.handoff) return whileHandingOff(state, event, now);
  switch (event.type) {
    case 'Startup':
      return onStartup(state, now, event.reason, event.afterHold, event.outranked);
    case 'Shutdown':
      return onShutdown(state);
    case 'AdvertReceived':
      return onAdvert(state, event.advert, now);
    case 'TimerFired':
      return onTimer(state, now);
    case 'HealthWeightChanged':
      return onWeight(state, event.weight, now);
    case 'FaultRaised':
      return onFaultRaised(state, event.resource);
    case 'FaultCleared':
      return onFaultCleared(state, event.resource, now);
    case 'QuorumChanged':
      return onQuorum(state, event.hasQuorum, event.detail, now);
    case 'PeerConfirmedDown':
      return onPeerConfirmedDown(state, event.nodeId, event.reason, now);
    case 'MasterGone':
      return onMasterGone(state, event.nodeId, event.top, event.reason, now);
    case 'LeaseAck':
      return onLeaseAck(state, event.from, event.term, event.echo, now);
    case 'LeaseRefused':
      return onLeaseRefused(state, event.until);
    case 'LeaseTermBehind':
      return onLeaseTermBehind(state, event.from, event.term, event.grantedTerm, now);
    case 'HandOff':
      return startHandoff(state, event.to, event.waitMs, event.releaseFirst, event.resign, now);
    case 'HandoffOffered':
      return onHandoffOffered(state, event.from, event.term, now);
    case 'HandoffDone':
      return { state, actions: [] }; // only a master handing off waits for it (whileHandingOff)
    default:
      return assertNever(event, 'election event');
  }
}

// ---- helpers -------------------------------------------------------------------------------

/**
 * The next periodic advert: the first multiple of the interval after `now` on the node's
 * monotonic clock, so every group with the same interval advertises in the same event-loop turn
 * and the transport sends them in one bundle (docs/wire-compatibility.md, "Advert bundles").
 * Never later than one interval after this advert (RFC 5798 §6.4.3 resets Adver_Timer to
 * Advertisement_Interval), at most that much earlier once after an off-grid advert (a takeover,
 * an answer), and no burst to catch up after a pause (a stalled process).
 */
export function nextAdvertDue(now: number, intervalMs: number): number {
  return (Math.floor(now / intervalMs) + 1) * intervalMs;
}

/**
 * An advert; a leased master's carries `now` as its lease echo (lease.ts): the time the grants
 * it collects count from.
 */
function advert(state: ElectionState, now: number | undefined, priority = currentPriority(state)): ElectionAction {
  const a = { type: 'SendAdvert', priority, advertIntervalCs: state.params.advertIntervalCs, term: state.term } as const;
  const lp = state.params.lease;
  if (!state.lease || !lp || priority <= 0 || now === undefined) return a;
  return { ...a, leaseEcho: Math.floor(now), leasePromiseMs: promiseMs(state.params.advertIntervalCs, lp.stallToleranceMs) };
}

function log(level: 'debug' | 'info' | 'warn', msg: string, fields?: Record<string, unknown>): ElectionAction {
  return fields ? { type: 'Log', level, msg, fields } : { type: 'Log', level, msg };
}

function drop(state: ElectionState, reason: ElectionDropReason, level: 'debug' | 'warn', msg: string): StepResult {
  return {
    state,
    actions: [
      log(level, msg, { reason }),
      { type: 'Metric', name: 'vipd_adverts_dropped_total', labels: { group: state.params.group, reason }, inc: 1 },
    ],
  };
}

function clearTimers(state: ElectionState): ElectionState {
  return {
    ...state, adverTimer: undefined, masterDownTimer: undefined, master: undefined, preempting: undefined,
    awaitingQuorum: false, quorumLossTimer: undefined, masterConfirmedDown: undefined, lease: undefined, crashVerdictRetries: undefined,
    handoff: undefined,
  };
}

/**
 * RFC 5798 §6.4.1/§6.4.2 "transition to Master": send an advert, then take the address. With a
 * lease the address waits until a majority of voters granted (onLeaseAck).
 */
function becomeMaster(state: ElectionState, now: number, reason: string): StepResult {
  const term = nextTerm(state.term);
  const s0: ElectionState = {
    ...clearTimers(state),
    term,
    masterAdverIntervalCs: state.params.advertIntervalCs,
    adverTimer: now + state.params.advertIntervalCs * CS,
    ...(state.params.lease ? { lease: { since: now, sinceTerm: term, acks: {}, acquired: false } } : {}),
  };
  const t = transition(s0, 'Master', reason);
  const acquire: ElectionAction[] = t.state.lease ? [] : [{ type: 'AcquireVip', term: t.state.term, reason }];
  return { state: t.state, actions: [...t.actions, advert(t.state, now), ...acquire] };
}

/** RFC 5798 §6.4.1 "transition to Backup": arm Master_Down_Timer. */
function becomeBackup(state: ElectionState, now: number, reason: string, master?: KnownMaster): StepResult {
  const s0: ElectionState = { ...clearTimers(state), master };
  const s1: ElectionState = { ...s0, masterDownTimer: now + currentMasterDownIntervalMs(s0) };
  return transition(s1, 'Backup', reason);
}

/** Initialize → Master (owner) or Backup; Fault while a tracked resource is down. */
function enter(state: ElectionState, now: number, reason: string): StepResult {
  if (state.faults.length > 0) return transition(clearTimers(state), 'Fault', `tracked resource down: ${state.faults.join(', ')}`);
  if (currentPriority(state) === 255 && state.hasQuorum) return becomeMaster(state, now, `${reason}; address owner (priority 255)`);
  return becomeBackup(state, now, reason);
}

function known(a: Advert, now: number): KnownMaster {
  return { sender: a.sender, priority: a.priority, term: a.term, advertIntervalCs: a.advertIntervalCs, seenAt: now };
}

/**
 * Does the sender of `a` win against this master? Higher priority (RFC 5798 §6.4.3), then the
 * higher term (vipd: the most recent takeover; not for VRRP groups, see orderByTerm), then the
 * higher primary address (RFC 5798 §6.4.3).
 */
function outranks(a: Advert, state: ElectionState): boolean {
  const mine = currentPriority(state);
  if (a.priority !== mine) return a.priority > mine;
  if (state.params.orderByTerm !== false && a.term !== state.term) return a.term > state.term;
  return compareIdentity(a.sender, state.params.self) > 0;
}

// ---- events --------------------------------------------------------------------------------

function onStartup(state: ElectionState, now: number, reason = 'startup', afterHold = false, outranked = false): StepResult {
  if (state.role !== 'Initialize') {
    return { state, actions: [log('warn', `Startup refused: instance is already ${roleLabel(state.role)}`)] };
  }
  const r = enter({ ...state, preemptAfter: now + state.params.preemptDelayMs }, now, reason);
  if (!afterHold || r.state.role !== 'Backup' || r.state.masterDownTimer === undefined) return r;
  const skew = skewTimeMs(currentPriority(r.state), r.state.masterAdverIntervalCs, r.state.params.version);
  const defer = outranked ? currentMasterDownIntervalMs(r.state) : 0;
  return { state: { ...r.state, masterDownTimer: r.state.masterDownTimer + STARTUP_SKEW_FACTOR * skew + defer }, actions: r.actions };
}

/**
 * After the startup hold (issue 10), peers end their holds up to tens of ms apart (each when it
 * has heard the last one join; more on a loaded host), more than the Skew_Time between two
 * priorities (20 ms between 150 and 100 at 100 ms adverts, RFC 5798 §6.1): the first node to
 * hear everyone could still win and be preempted a moment later. Its first Master_Down_Timer
 * therefore adds this many Skew_Times, which keeps the priority order with room for that spread
 * (160 ms between 150 and 100 at 100 ms adverts), at the price of a later first claim at cold
 * start (at most 8 × Skew_Time, under 8 intervals).
 */
export const STARTUP_SKEW_FACTOR = 8;

/** RFC 5798 §6.4.3: a master that shuts down sends priority 0 so a backup waits only Skew_Time. */
function onShutdown(state: ElectionState): StepResult {
  if (state.role === 'Initialize') return { state, actions: [] };
  const wasMaster = state.role === 'Master';
  const t = transition(clearTimers(state), 'Initialize', 'shutdown');
  if (!wasMaster) return t;
  return {
    state: t.state,
    actions: [advert(state, undefined, 0), { type: 'ReleaseVip', term: state.term, reason: 'shutdown' }, ...t.actions],
  };
}

function onTimer(state: ElectionState, now: number): StepResult {
  const l = state.lease;
  if (state.role === 'Master' && l?.acquired && l.until !== undefined && now >= l.until) {
    // Safety first: release before anything else that is due (docs/leases.md). Still Master:
    // keep advertising, and take the VIP again when a majority grants again.
    const s: ElectionState = { ...state, lease: { ...l, acquired: false, reassert: undefined } };
    const lp = state.params.lease;
    const reason = `lease expired: no majority of voters granted an advert for ${Math.round(leaseMs(state.params.advertIntervalCs, lp?.releaseMarginMs, lp?.stallToleranceMs))} ms`;
    const rest = onTimer(s, now);
    return {
      state: rest.state,
      actions: [
        log('warn', `${reason}; releasing the VIP, still advertising`, { reason: 'lease-expired' }),
        { type: 'Metric', name: 'vipd_lease_expired_total', labels: { group: state.params.group }, inc: 1 },
        { type: 'ReleaseVip', term: state.term, reason },
        ...rest.actions,
      ],
    };
  }
  if (state.role === 'Master' && state.adverTimer !== undefined && now >= state.adverTimer) {
    const interval = state.params.advertIntervalCs * CS;
    // Groups that speak VRRP keep their own cadence (never bursting to catch up): a hundred raw
    // adverts in one instant overran the receivers (test/netns/lan-groups.test.ts: 1,286 role
    // changes). Only the unicast groups, whose adverts share a frame, keep the grid.
    const own = state.adverTimer + interval;
    const due = (state.params.vrrpCadence ?? state.params.orderByTerm === false) ? (own > now ? own : now + interval) : nextAdvertDue(now, interval);
    const s: ElectionState = { ...state, adverTimer: due };
    return { state: crashVerdictRetry(s, now), actions: [advert(s, now)] };
  }
  if (state.role === 'Master' && state.quorumLossTimer !== undefined && now >= state.quorumLossTimer) {
    return stepDown(state, now, `lost quorum (${state.quorumDetail}) for Master_Down_Interval`);
  }
  if (state.role === 'Backup' && state.masterDownTimer !== undefined && now >= state.masterDownTimer) {
    if (!state.hasQuorum) {
      // Split-brain guard: never take over without a majority; do it the moment one returns.
      const reason = masterDownReason(state);
      return {
        state: { ...state, masterDownTimer: undefined, awaitingQuorum: true },
        actions: [log('warn', `not taking over without quorum (${state.quorumDetail}): ${reason}`, { reason: 'no-quorum' })],
      };
    }
    return becomeMaster(state, now, masterDownReason(state));
  }
  return { state, actions: [] };
}

/** Master → Backup with the VIP released. */
function stepDown(state: ElectionState, now: number, reason: string, master?: KnownMaster, heldTerm = state.term): StepResult {
  const b = becomeBackup(state, now, reason, master);
  return { state: b.state, actions: [{ type: 'ReleaseVip', term: heldTerm, reason }, ...b.actions] };
}

function masterDownReason(state: ElectionState): string {
  const m = state.master;
  if (state.masterConfirmedDown) return state.masterConfirmedDown;
  if (m && m.priority === 0) return `master ${describeIdentity(m.sender)} resigned (priority 0), Skew_Time elapsed`;
  const p = state.preempting;
  if (p) return `preempt: priority ${currentPriority(state)} > ${p.priority} of master ${describeIdentity(p.sender)}`;
  const mdi = Math.round(currentMasterDownIntervalMs(state));
  return m
    ? `master down: no advert from ${describeIdentity(m.sender)} for Master_Down_Interval ${mdi} ms`
    : `no master seen for Master_Down_Interval ${mdi} ms`;
}

function onAdvert(state: ElectionState, a: Advert, now: number): StepResult {
  const { params } = state;
  if (a.vrid !== params.vrid) return drop(state, 'vrid-mismatch', 'debug', `advert for VRID ${a.vrid}, we run ${params.vrid}`);
  if (a.sender.nodeId === params.self.nodeId) return drop(state, 'own-advert', 'debug', 'advert from ourselves');
  if (!Number.isInteger(a.priority) || a.priority < 0 || a.priority > 255) {
    return drop(state, 'invalid-priority', 'warn', `advert from ${describeIdentity(a.sender)} has priority ${a.priority}`);
  }
  if (!Number.isInteger(a.advertIntervalCs) || a.advertIntervalCs < 1 || a.advertIntervalCs > 4095) {
    return drop(state, 'invalid-interval', 'warn', `advert from ${describeIdentity(a.sender)} has interval ${a.advertIntervalCs} cs`);
  }
  if (!Number.isSafeInteger(a.term) || a.term < 0) {
    return drop(state, 'invalid-term', 'warn', `advert from ${describeIdentity(a.sender)} has term ${a.term}`);
  }
  if (!isValidTerm(a.term)) {
    return drop(state, 'term-beyond-max', 'warn', `advert from ${describeIdentity(a.sender)} has term ${a.term}, above the largest a correct cluster reaches (${MAX_TERM}, terms.ts)`);
  }
  // RFC 3768 §7.1: a v2 router discards adverts whose interval differs from its own.
  if (params.version === 2 && a.advertIntervalCs !== params.advertIntervalCs) {
    return drop(state, 'interval-mismatch', 'warn',
      `advert from ${describeIdentity(a.sender)} has interval ${a.advertIntervalCs} cs, configured ${params.advertIntervalCs} cs (RFC 3768 §7.1)`);
  }
  switch (state.role) {
    case 'Initialize':
    case 'Fault':
      return { state: { ...state, term: laterTerm(state.term, a.term) }, actions: [] };
    case 'Backup':
      return backupHearsAdvert(state, a, now);
    case 'Master':
      return masterHearsAdvert(state, a, now);
    default:
      return assertNever(state.role, 'role');
  }
}

/** RFC 5798 §6.4.2, Backup state, "If an ADVERTISEMENT is received". */
function backupHearsAdvert(state: ElectionState, a: Advert, now: number): StepResult {
  const s: ElectionState = { ...state, term: laterTerm(state.term, a.term) };
  if (staleResignation(s, a)) return { state: s, actions: [] }; // an old master's, after a handoff
  if (a.priority === 0) {
    const skew = skewTimeMs(currentPriority(s), s.masterAdverIntervalCs, s.params.version);
    return {
      state: { ...s, master: known(a, now), preempting: undefined, masterConfirmedDown: undefined, masterDownTimer: s.awaitingQuorum ? undefined : now + skew },
      actions: [],
    };
  }
  const preemptNow = s.params.preempt && now >= s.preemptAfter;
  if (!preemptNow || a.priority >= currentPriority(s)) {
    const learned = s.params.version === 3 ? a.advertIntervalCs : s.params.advertIntervalCs;
    const s1: ElectionState = {
      ...s, masterAdverIntervalCs: learned, master: known(a, now), preempting: undefined, awaitingQuorum: false, masterConfirmedDown: undefined,
    };
    return { state: { ...s1, masterDownTimer: now + currentMasterDownIntervalMs(s1) }, actions: [] };
  }
  // Preempt_Mode is True and the advert's priority is lower: discard it, so Master_Down_Timer
  // runs out and we take over. Remember whom we preempt, for the log line.
  return { state: { ...s, preempting: known(a, now) }, actions: [] };
}

/** RFC 5798 §6.4.3, Master state, "If an ADVERTISEMENT is received". */
function masterHearsAdvert(state: ElectionState, a: Advert, now: number): StepResult {
  const interval = state.params.advertIntervalCs * CS;
  if (a.priority === 0) {
    // Another router resigned: answer at once so backups re-arm on us (RFC 5798 §6.4.3).
    return { state: { ...state, adverTimer: now + interval }, actions: [advert(state, now)] };
  }
  if (outranks(a, state)) {
    const reason = `higher-ranked master ${describeIdentity(a.sender)} (priority ${a.priority}, term ${a.term})`;
    const s0: ElectionState = {
      ...state,
      term: laterTerm(state.term, a.term),
      masterAdverIntervalCs: state.params.version === 3 ? a.advertIntervalCs : state.params.advertIntervalCs,
    };
    // Preempted while holding on a lease: hand off to the preemptor (make-before-break) rather
    // than leave the VIP on no node until our voters' promises move (docs/leases.md, "Handoff").
    // Never to a sender known only by its address: that names no node to hand off to.
    const h = state.params.handoff;
    if (h && state.lease?.acquired && a.priority > 0 && a.addressOnly !== true) {
      return startHandoff({ ...state, masterAdverIntervalCs: s0.masterAdverIntervalCs }, a.sender.nodeId, h.waitMs, h.releaseFirst, false, now, reason, known(a, now));
    }
    return stepDown(s0, now, reason, known(a, now), state.term);
  }
  // We win. If the loser carries a term at least ours, move our term past it so that the term
  // stays highest at the master (fencing), and re-assert the VIP: after a conflict the LAN and
  // the cloud may point at the loser.
  if (a.term >= state.term) {
    const reason = `won conflict with master ${describeIdentity(a.sender)} (priority ${a.priority}, term ${a.term})`;
    // A leased master re-asserts once a majority granted the new term (onLeaseAck), so that no
    // later mastership can take the VIP at the same term; without a lease, at once.
    const lease = state.lease?.acquired ? { ...state.lease, reassert: reason } : state.lease;
    const s: ElectionState = { ...state, term: nextTerm(a.term), adverTimer: now + interval, ...(lease ? { lease } : {}) };
    return {
      state: s,
      actions: [
        log('info', `${s.lease ? 'moving past' : 're-asserting VIP'}: ${reason}`, { term: s.term }), advert(s, now),
        ...(!s.lease ? [{ type: 'AcquireVip', term: s.term, reason } as const] : []),
      ],
    };
  }
  return { state: { ...state, adverTimer: now + interval }, actions: [advert(state, now)] };
}

function onWeight(state: ElectionState, weight: number, now: number): StepResult {
  if (weight === state.healthWeight) return { state, actions: [] };
  const before = currentPriority(state);
  const s: ElectionState = { ...state, healthWeight: weight };
  const after = currentPriority(s);
  if (after === before) return { state: s, actions: [] };
  const actions: ElectionAction[] = [log('info', `priority ${before} -> ${after} (health weight ${weight})`, { priority: after })];
  // A master tells the backups at once, so a now-higher backup can preempt without waiting.
  if (s.role === 'Master') {
    return { state: { ...s, adverTimer: now + s.params.advertIntervalCs * CS }, actions: [...actions, advert(s, now)] };
  }
  return { state: s, actions };
}

function onFaultRaised(state: ElectionState, resource: string): StepResult {
  if (state.faults.includes(resource)) return { state, actions: [] };
  const s: ElectionState = { ...state, faults: [...state.faults, resource].sort() };
  if (s.role === 'Initialize' || s.role === 'Fault') return { state: s, actions: [] };
  const reason = `tracked resource down: ${resource}`;
  const t = transition(clearTimers(s), 'Fault', reason);
  if (state.role !== 'Master') return t;
  // Resign like a shutdown so a backup takes over after Skew_Time.
  return { state: t.state, actions: [advert(s, undefined, 0), { type: 'ReleaseVip', term: s.term, reason }, ...t.actions] };
}

function onFaultCleared(state: ElectionState, resource: string, now: number): StepResult {
  if (!state.faults.includes(resource)) return { state, actions: [] };
  const s: ElectionState = { ...state, faults: state.faults.filter((f) => f !== resource) };
  if (s.role !== 'Fault' || s.faults.length > 0) return { state: s, actions: [] };
  return enter(s, now, `tracked resource up: ${resource}`);
}

/**
 * Issue 3 §5. A master that loses quorum keeps the VIP for one Master_Down_Interval (a blip is
 * not a partition), then steps down; a backup whose Master_Down_Timer ran out without quorum
 * re-arms it when quorum returns, and takes over if no master speaks up in that time.
 */
function onQuorum(state: ElectionState, hasQuorum: boolean, detail: string, now: number): StepResult {
  if (!state.params.requireQuorum) return { state, actions: [] };
  const s: ElectionState = { ...state, hasQuorum, quorumDetail: detail };
  if (hasQuorum === state.hasQuorum) return { state: s, actions: [] };
  const note = log('info', hasQuorum ? `quorum regained (${detail})` : `quorum lost (${detail})`, { quorum: hasQuorum });
  if (s.role === 'Master') {
    const timer = hasQuorum ? undefined : now + currentMasterDownIntervalMs(s);
    return { state: { ...s, quorumLossTimer: timer }, actions: [note] };
  }
  if (s.role === 'Backup' && hasQuorum && s.awaitingQuorum) {
    // Quorum often returns because we just (re)joined: give the current master one
    // Master_Down_Interval to reach us before taking over (no flap of a restarted node).
    const s1: ElectionState = { ...s, awaitingQuorum: false };
    return { state: { ...s1, masterDownTimer: now + currentMasterDownIntervalMs(s1) }, actions: [note] };
  }
  return { state: s, actions: [note] };
}

/**
 * Membership confirmed (direct and indirect probes agree) that our master is down: take over
 * after CONFIRMED_SKEW_FACTOR × Skew_Time instead of the rest of Master_Down_Interval (issue 3
 * §3: a broken stream alone is only a hint). Unlike an advert, which reaches every backup at
 * the same moment, probe verdicts reach backups tens of milliseconds apart; Skew_Time alone
 * (20 ms between priorities 150 and 100 at 100 ms adverts) would let a lower priority win that
 * race and be preempted a moment later, a needless VIP move. Three Skew_Times keep the
 * priority order with room for that spread. At LAN timings this is about as fast as
 * Master_Down_Interval; with longer adverts (WAN: 1 s) it is much faster.
 */
export const CONFIRMED_SKEW_FACTOR = 3;

function onPeerConfirmedDown(state: ElectionState, nodeId: string, reason: string, now: number): StepResult {
  if (state.role !== 'Backup' || state.master?.sender.nodeId !== nodeId || state.masterDownTimer === undefined) {
    return { state, actions: [] };
  }
  const skew = skewTimeMs(currentPriority(state), state.masterAdverIntervalCs, state.params.version);
  const at = Math.min(state.masterDownTimer, now + CONFIRMED_SKEW_FACTOR * skew);
  if (at === state.masterDownTimer) return { state, actions: [] }; // Master_Down_Interval is sooner
  const why = `probe-confirmed: master ${describeIdentity(state.master.sender)} down (${reason})`;
  return { state: { ...state, masterDownTimer: at, masterConfirmedDown: why }, actions: [log('info', why)] };
}

/** What a crash verdict about a group's node did (vipd_crash_verdicts_total{action}). */
export const CRASH_VERDICT_ACTIONS = ['take-over', 'defer', 'no-quorum', 'not-our-master'] as const;
export type CrashVerdictAction = (typeof CRASH_VERDICT_ACTIONS)[number];

/**
 * A master that took over on a crash verdict advertises again this soon while its lease does
 * not hold, at most CRASH_VERDICT_RETRIES times: the other voters see the old master's stream end
 * at about the moment we did, but may refuse our first advert if it beats their own redial.
 * 25 adverts 2 ms apart cover 50 ms of that race at a cost of 25 small frames per takeover (well
 * inside a peer's frame budget, src/adapters/grpc/limits.ts): a retry leaves at most 2 ms after
 * a voter's own verdict dropped its promise (namespace bench: the witness's verdict lands within
 * a few ms of ours).
 */
export const CRASH_VERDICT_RETRY_MS = 2;
export const CRASH_VERDICT_RETRIES = 25;

function verdictMetric(state: ElectionState, action: CrashVerdictAction): ElectionAction {
  return { type: 'Metric', name: 'vipd_crash_verdicts_total', labels: { group: state.params.group, action }, inc: 1 };
}

/**
 * This node itself saw our master's process gone (its stream ended, a redial of its address was
 * refused: docs/leases.md "Crash verdict"). The top-ranked live backup takes over at once, with
 * no Master_Down_Interval: our own voter and every voter that saw the same dropped their promises
 * to the dead master, so the lease majority is the confirmation. The other backups keep their
 * timers (no race, no second move) and re-arm on the new master's first advert.
 */
function onMasterGone(state: ElectionState, nodeId: string, top: boolean, reason: string, now: number): StepResult {
  const m = state.master;
  if (state.role !== 'Backup' || m?.sender.nodeId !== nodeId || state.masterDownTimer === undefined) {
    return { state, actions: [verdictMetric(state, 'not-our-master')] };
  }
  if (!top) {
    // Give the top backup one whole Master_Down_Interval from now to be heard, so a verdict that
    // reached it late (a loaded host) does not let us take over first and be preempted a moment
    // later: a second move. Costs one interval more only when the top backup died too.
    const at = Math.max(state.masterDownTimer, now + currentMasterDownIntervalMs(state));
    return {
      state: { ...state, masterDownTimer: at },
      actions: [verdictMetric(state, 'defer'), log('info', `crash verdict: master ${describeIdentity(m.sender)} gone (${reason}); a higher-ranked backup takes over, Master_Down_Timer at least one interval from now`)],
    };
  }
  const why = `crash-verdict: master ${describeIdentity(m.sender)} gone (${reason})`;
  const r = onTimer({ ...state, masterDownTimer: now, masterConfirmedDown: why }, now);
  if (r.state.role !== 'Master') return { state: r.state, actions: [verdictMetric(state, 'no-quorum'), ...r.actions] };
  const s: ElectionState = r.state.lease
    ? { ...r.state, adverTimer: Math.min(r.state.adverTimer ?? Infinity, now + CRASH_VERDICT_RETRY_MS), crashVerdictRetries: CRASH_VERDICT_RETRIES }
    : r.state;
  return { state: s, actions: [verdictMetric(state, 'take-over'), ...r.actions] };
}

/** The next advert of a crash-verdict master whose lease does not hold yet comes sooner. */
function crashVerdictRetry(s: ElectionState, now: number): ElectionState {
  const left = s.crashVerdictRetries;
  if (left === undefined) return s;
  if (left <= 0 || !s.lease || s.lease.acquired) return { ...s, crashVerdictRetries: undefined };
  return { ...s, adverTimer: Math.min(s.adverTimer ?? Infinity, now + CRASH_VERDICT_RETRY_MS), crashVerdictRetries: left - 1 };
}

/** Why a lease ack was not counted (debug: stale acks are normal after a takeover). */
export const LEASE_ACK_IGNORED = ['not-leased-master', 'not-a-voter', 'stale-term', 'stale-echo', 'invalid-term'] as const;
export type LeaseAckIgnored = (typeof LEASE_ACK_IGNORED)[number];

function ignoreLease(state: ElectionState, reason: LeaseAckIgnored): StepResult {
  return { state, actions: [{ type: 'Metric', name: 'vipd_lease_acks_ignored_total', labels: { group: state.params.group, reason }, inc: 1 }] };
}

/** Why a lease answer from `from` is not for us at all: we are no leased master, or it is no voter. */
function notOurs(state: ElectionState, from: string): LeaseAckIgnored | undefined {
  const lp = state.params.lease;
  if (state.role !== 'Master' || !state.lease || !lp) return 'not-leased-master';
  if (from !== state.params.self.nodeId && !lp.voters.includes(from)) return 'not-a-voter';
  return undefined;
}

/**
 * A voter granted our advert sent at `echo` (docs/leases.md). The lease holds until the newest
 * echo granted by a majority, plus L; the first time it holds in a lease period, take the VIP.
 */
function onLeaseAck(state: ElectionState, from: string, term: number, echo: number, now: number): StepResult {
  const l = state.lease;
  const lp = state.params.lease;
  const ignore = (reason: LeaseAckIgnored): StepResult => ignoreLease(state, reason);
  const foreign = notOurs(state, from);
  if (foreign || !l || !lp) return ignore(foreign ?? 'not-leased-master');
  if (!Number.isSafeInteger(term) || term < l.sinceTerm || term > state.term) return ignore('stale-term');
  // Our own send times of this mastership only: an ack cannot extend the lease past what we sent.
  if (!Number.isSafeInteger(echo) || echo < Math.floor(l.since) || echo > now) return ignore('stale-echo');
  const ackTerms = (l.ackTerms?.[from] ?? -Infinity) >= term ? l.ackTerms : { ...l.ackTerms, [from]: term };
  if ((l.acks[from] ?? -Infinity) >= echo && ackTerms === l.ackTerms) return { state, actions: [] };
  const acks = (l.acks[from] ?? -Infinity) >= echo ? l.acks : { ...l.acks, [from]: echo };
  const voters = 1 + lp.voters.length;
  const until = leaseUntil(acks, voters, leaseMs(state.params.advertIntervalCs, lp.releaseMarginMs, lp.stallToleranceMs));
  const lease: MasterLeaseState = { ...l, acks, ...(ackTerms ? { ackTerms } : {}), ...(until === undefined ? {} : { until }) };
  // The VIP is taken at our term only once a majority granted that very term (docs/leases.md
  // "Terms"): grants of an earlier term of this mastership keep a lease, never start one at a
  // term no majority has seen (simulator LAN seed 600: a master that moved its term while cut
  // off re-asserted at a term the next master then took too).
  const termGranted = Object.values(ackTerms ?? {}).filter((t) => t >= state.term).length >= majority(voters);
  if (until === undefined || until <= now || !termGranted || (l.acquired && l.reassert === undefined)) return { state: { ...state, lease }, actions: [] };
  if (l.acquired) {
    const why = l.reassert ?? '';
    return {
      state: { ...state, lease: { ...lease, reassert: undefined } },
      actions: [log('info', `re-asserting VIP at term ${state.term}: ${why}`, { term: state.term }), { type: 'AcquireVip', term: state.term, reason: why }],
    };
  }
  const reason = `lease granted by ${majority(voters)} of ${voters} voters`;
  return {
    state: { ...state, lease: { ...lease, acquired: true } },
    actions: [log('info', `${reason}: taking the VIP`, { term: state.term }), { type: 'AcquireVip', term: state.term, reason }],
  };
}

/**
 * A new master's own voter still promised the old master until `until`: so, most likely, did
 * every voter that heard the old master's last advert. Advertise again just after that rather
 * than up to one Advertisement_Interval later, so the lease barely delays a takeover.
 */
function onLeaseRefused(state: ElectionState, until: number): StepResult {
  const at = until + LEASE_RETRY_MS;
  if (state.role !== 'Master' || !state.lease || state.lease.acquired || state.adverTimer === undefined || at >= state.adverTimer) {
    return { state, actions: [] };
  }
  return { state: { ...state, adverTimer: at }, actions: [] };
}

/**
 * Voter `from` refused our advert of `term` for good: it granted `grantedTerm` in this group
 * already (docs/leases.md, "Terms"), typically to a master we never heard. A mastership must
 * carry a term above every term the voters granted before it, so take nextTerm(grantedTerm) and
 * advertise it at once: the voters grant that one. Before the lease holds, the grants counted so
 * far were for the old term and start over, so the VIP is never taken at the old term. While it
 * holds (the refusing voter is not in our majority), re-assert the VIP at the new term, as after
 * a won conflict, so the provider's fence carries it.
 */
function onLeaseTermBehind(state: ElectionState, from: string, term: number, grantedTerm: number, now: number): StepResult {
  const l = state.lease;
  const ignore = (reason: LeaseAckIgnored): StepResult => ignoreLease(state, reason);
  const foreign = notOurs(state, from);
  if (foreign || !l) return ignore(foreign ?? 'not-leased-master');
  if (!isValidTerm(grantedTerm)) return ignore('invalid-term');
  // A refusal of an advert of an earlier term of ours, or of a term we are already past.
  if (term !== state.term || grantedTerm < state.term) return ignore('stale-term');
  const next = nextTerm(grantedTerm);
  if (next <= state.term) return ignore('stale-term'); // saturated at MAX_TERM (terms.ts)
  const interval = state.params.advertIntervalCs * CS;
  const why = `voter ${from} granted term ${grantedTerm} already: advertising term ${next} instead of ${state.term}`;
  if (!l.acquired) {
    const s: ElectionState = { ...state, term: next, adverTimer: now + interval, lease: { since: now, sinceTerm: next, acks: {}, acquired: false } };
    return { state: s, actions: [log('info', why, { term: next }), advert(s, now)] };
  }
  // Re-asserted once a majority granted the new term (onLeaseAck), as after a won conflict.
  const s: ElectionState = { ...state, term: next, adverTimer: now + interval, lease: { ...l, reassert: why } };
  return { state: s, actions: [log('info', `${why}; re-asserting the VIP once a majority grants it`, { term: next }), advert(s, now)] };
}

// ---- handoff (issue 10; docs/leases.md, "Handoff") -------------------------------------------

/**
 * A master hands the group off to `to`: it stops advertising and taking the VIP, and releases
 * when `to` confirms (HandoffDone) or `waitMs` from now, whichever comes first. The runtime sends
 * the Handoff message (to the voters and `to`) once it sees `handoff` in the state; with
 * `releaseFirst` (break-before-make) it waits for the release to be confirmed first.
 */
function startHandoff(
  state: ElectionState, to: string, waitMs: number, releaseFirst: boolean, resign: boolean, now: number, why?: string, successor?: KnownMaster,
): StepResult {
  if (state.role !== 'Master' || state.handoff || to === state.params.self.nodeId) return { state, actions: [] };
  const handoff = { to, term: state.term, until: now + Math.max(0, waitMs), resign, releasedFirst: releaseFirst, ...(successor ? { successor } : {}) };
  const s: ElectionState = { ...state, adverTimer: undefined, quorumLossTimer: undefined, handoff };
  const msg = `handing off to ${to} at term ${state.term}${why ? ` (${why})` : ''}: ${releaseFirst ? 'releasing first (break-before-make)' : `releasing when it confirms, within ${Math.round(waitMs)} ms`}`;
  const actions: ElectionAction[] = [log('info', msg, { successor: to, term: state.term })];
  if (releaseFirst) actions.push({ type: 'ReleaseVip', term: state.term, reason: `handoff to ${to}: break-before-make` });
  return { state: releaseFirst && s.lease ? { ...s, lease: { ...s.lease, acquired: false } } : s, actions };
}

/** What a master handing off does with each event: wait for the successor, then release once. */
function whileHandingOff(state: ElectionState, event: ElectionEvent, now: number): StepResult {
  const h = state.handoff;
  if (!h) return { state, actions: [] };
  switch (event.type) {
    case 'HandoffDone':
      return event.from === h.to ? finishHandoff(state, now, `handoff: ${h.to} confirmed it holds the VIP`) : { state, actions: [] };
    case 'TimerFired': {
      const leaseEnded = state.lease?.acquired && state.lease.until !== undefined && now >= state.lease.until;
      if (now >= h.until) return finishHandoff(state, now, `handoff: ${h.to} did not confirm in time, releasing`);
      if (leaseEnded) return finishHandoff(state, now, `handoff: lease expired before ${h.to} confirmed`);
      return { state, actions: [] };
    }
    case 'PeerConfirmedDown':
      return event.nodeId === h.to ? finishHandoff(state, now, `handoff: successor ${h.to} confirmed down (${event.reason})`) : { state, actions: [] };
    case 'Shutdown': {
      const f = finishHandoff(state, now, 'handoff cut short: shutdown');
      const r = onShutdown(f.state);
      return { state: r.state, actions: [...f.actions, ...r.actions] };
    }
    case 'FaultRaised': {
      const f = finishHandoff(state, now, `handoff cut short: tracked resource down: ${event.resource}`);
      const r = onFaultRaised(f.state, event.resource);
      return { state: r.state, actions: [...f.actions, ...r.actions] };
    }
    case 'FaultCleared':
      return { state: { ...state, faults: state.faults.filter((f) => f !== event.resource) }, actions: [] };
    case 'HealthWeightChanged':
      return { state: { ...state, healthWeight: event.weight }, actions: [] };
    case 'QuorumChanged':
      return state.params.requireQuorum ? { state: { ...state, hasQuorum: event.hasQuorum, quorumDetail: event.detail }, actions: [] } : { state, actions: [] };
    case 'AdvertReceived': {
      // The successor's adverts (and anyone's) wait: we take nothing again, we only learn terms.
      const t = event.advert.term;
      return Number.isSafeInteger(t) && isValidTerm(t) ? { state: { ...state, term: laterTerm(state.term, t) }, actions: [] } : { state, actions: [] };
    }
    case 'Startup':
    case 'HandOff':
    case 'HandoffOffered':
    case 'MasterGone':
    case 'LeaseAck':
    case 'LeaseRefused':
    case 'LeaseTermBehind':
      return { state, actions: [] };
    default:
      return assertNever(event, 'election event');
  }
}

/**
 * The handoff ends: release (unless released first), send the priority-0 advert when the master
 * resigns (RFC 5798 §6.4.3: VRRP peers and backups that missed the handoff move after Skew_Time),
 * and become Backup. Our term stays the one we held at, so the release is fenced by it.
 */
function finishHandoff(state: ElectionState, now: number, reason: string): StepResult {
  const h = state.handoff;
  if (!h) return { state, actions: [] };
  const heldTerm = h.term;
  const resign: ElectionAction[] = h.resign ? [advert(state, undefined, 0)] : [];
  // After a preemption we follow the preemptor at once (we heard it), so it can hand back to us.
  const b = becomeBackup({ ...state, handoff: undefined }, now, reason, h.successor ? { ...h.successor, seenAt: now } : undefined);
  return { state: b.state, actions: [...resign, { type: 'ReleaseVip', term: heldTerm, reason }, ...b.actions] };
}

/**
 * Our master `from` hands the group off to us: take over at once at nextTerm (no Skew_Time, no
 * Master_Down_Interval). A leased group takes the VIP when its lease holds, as after any
 * takeover; the voters moved their promises to us (lease.ts handOver). Refused (the old master
 * releases by its bound and the normal path follows) unless we follow `from` and may take over.
 * A master that `from` hands off to (it preempted `from`) advertises at once to collect the
 * moved promises.
 */
function onHandoffOffered(state: ElectionState, from: string, term: number, now: number): StepResult {
  if (!Number.isSafeInteger(term) || !isValidTerm(term)) return { state, actions: [] };
  if (state.role === 'Master') {
    if (!state.lease || state.lease.acquired) return { state, actions: [] };
    const s: ElectionState = { ...state, term: laterTerm(state.term, term), adverTimer: now + state.params.advertIntervalCs * CS };
    return { state: s, actions: [log('info', `handoff: ${from} hands the group to us; asking the voters now`), advert(s, now)] };
  }
  if (state.role !== 'Backup' || state.master?.sender.nodeId !== from) {
    return { state, actions: [log('info', `handoff from ${from} refused: we are ${roleLabel(state.role)}${state.master ? ` following ${state.master.sender.nodeId}` : ''}`)] };
  }
  if (!state.hasQuorum) return { state, actions: [log('warn', `handoff from ${from} refused: no quorum (${state.quorumDetail})`)] };
  return becomeMaster({ ...state, term: laterTerm(state.term, term) }, now, `handoff: master ${describeIdentity(state.master.sender)} handed the group over at term ${term}`);
}
