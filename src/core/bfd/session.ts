/**
 * One BFD session (RFC 5880) in Asynchronous mode, as a pure reducer:
 * `stepSession(state, event, now) -> { state, actions }`. Times are milliseconds of a monotonic
 * clock (`now`), intervals on the wire microseconds, as RFC 5880 §4.1 has them. The deadlines
 * (next transmission, detection time, forgetting the auth sequence) live in the state;
 * `nextDeadline` tells the runtime when to deliver the next `Timer`.
 *
 * State variables carry the RFC's names (§6.8.1) where they exist. What this core does not do:
 * Demand mode (§6.6: we never ask for it; a remote that sets D is treated as Asynchronous) and
 * the Echo function (§6.4: Required Min Echo RX Interval is always 0). Session selection by
 * address (§6.8.6 "Your Discriminator zero") is the caller's: it hands each session the packets
 * of its peer.
 *
 * One deviation, on the safe side: the detection time uses max(remote Detect Mult, a local
 * floor). The floor is raised by adaptive.ts under observed loss (Lifeguard-style), so a lossy
 * path declares the session down later, never sooner, than RFC 5880 §6.8.4 alone would.
 */
import { assertNever } from '../assert.js';
import { nextRandom } from '../membership/prng.js';
import { BfdDiag, type BfdControlPacket, type BfdState } from './packet.js';

/** RFC 5880 §6.8.3: while not Up, bfd.DesiredMinTxInterval is at least one second. */
export const SLOW_TX_US = 1_000_000;
const MAX_U32 = 0xffffffff;

export interface BfdSessionConfig {
  /** bfd.LocalDiscr: nonzero, unique on this node, chosen afresh each start (§6.8.1). */
  readonly localDiscr: number;
  /** The bfd.DesiredMinTxInterval to use while Up, µs. */
  readonly desiredMinTxUs: number;
  /** bfd.RequiredMinRxInterval, µs. */
  readonly requiredMinRxUs: number;
  /** bfd.DetectMult. */
  readonly detectMult: number;
  /** bfd.AuthType: 'meticulous-keyed-sha1' (§6.7.4) or none. The digest is checked by the caller. */
  readonly auth: boolean;
}

export interface BfdSessionState {
  readonly config: BfdSessionConfig;
  /** bfd.SessionState. */
  readonly sessionState: BfdState;
  /** bfd.RemoteSessionState. */
  readonly remoteSessionState: BfdState;
  /** bfd.RemoteDiscr: 0 until heard, and again after a Detection Time of silence (§6.8.1). */
  readonly remoteDiscr: number;
  /** bfd.LocalDiag. */
  readonly localDiag: number;
  /** bfd.RemoteMinRxInterval, µs; 1 until heard (§6.8.1). */
  readonly remoteMinRxUs: number;
  /** The remote's last Desired Min TX Interval, µs (§6.8.4 uses it). */
  readonly remoteDesiredMinTxUs: number;
  /** The remote's last Detect Mult. */
  readonly remoteDetectMult: number;
  /** bfd.DesiredMinTxInterval and bfd.RequiredMinRxInterval as we send them (§6.8.3). */
  readonly desiredMinTxUs: number;
  readonly requiredMinRxUs: number;
  /** The values our own timers use: they lag the sent ones until a Poll Sequence ends (§6.8.3). */
  readonly txInUseUs: number;
  readonly rxInUseUs: number;
  /** A Poll Sequence is in progress: packets carry P until one with F arrives (§6.5). */
  readonly polling: boolean;
  /** Local floor on the detect multiplier (adaptive.ts); at least config.detectMult's base, 0 off. */
  readonly detectMultFloor: number;
  /** bfd.XmitAuthSeq, bfd.RcvAuthSeq, bfd.AuthSeqKnown (§6.7.4). */
  readonly xmitAuthSeq: number;
  readonly rcvAuthSeq: number;
  readonly authSeqKnown: boolean;
  /** When the next periodic packet goes; undefined: no periodic transmission (§6.8.7). */
  readonly nextTxAt: number | undefined;
  /** When the Detection Time runs out; undefined: nothing heard to time. */
  readonly detectAt: number | undefined;
  /** bfd.AuthSeqKnown is reset after twice the Detection Time without a packet (§6.7.4). */
  readonly authSeqForgetAt: number | undefined;
  /** When the last valid packet arrived (loss estimate, adaptive.ts). */
  readonly lastRxAt: number | undefined;
  /** mulberry32 state for the transmit jitter (§6.8.7). */
  readonly rng: number;
}

export type BfdSessionEvent =
  /** A packet of this session's peer, syntax-checked (wire/bfd.ts) and, if signed, its digest verified. */
  | { readonly type: 'Received'; readonly packet: BfdControlPacket }
  /** The runtime's timer fired: handles every deadline at or before `now`. */
  | { readonly type: 'Timer' }
  /** §6.8.16: administrative control. */
  | { readonly type: 'AdminDown' }
  | { readonly type: 'AdminUp' }
  /** New timer parameters (§6.8.3): a Poll Sequence if Up. */
  | { readonly type: 'SetTimers'; readonly desiredMinTxUs: number; readonly requiredMinRxUs: number; readonly detectMult: number }
  /** adaptive.ts: the local floor on the detect multiplier. */
  | { readonly type: 'SetDetectMultFloor'; readonly floor: number };

/** Packets the session refuses after the wire checks (§6.8.6, §6.7.4); `vipd_bfd_dropped_total{reason}`. */
export const BFD_SESSION_DROP_REASONS = ['discriminator-mismatch', 'auth-missing', 'auth-unexpected', 'auth-sequence', 'admin-down'] as const;
export type BfdSessionDropReason = (typeof BFD_SESSION_DROP_REASONS)[number];

export type BfdSessionAction =
  /** Send this packet; with `authSequence`, signed with that Sequence Number (§6.7.4). */
  | { readonly type: 'Send'; readonly packet: Omit<BfdControlPacket, 'auth'>; readonly authSequence?: number }
  | { readonly type: 'StateChanged'; readonly from: BfdState; readonly to: BfdState; readonly diag: number; readonly reason: string }
  | { readonly type: 'Drop'; readonly reason: BfdSessionDropReason; readonly detail: string }
  /** A packet arrived `missed` packets late (adaptive.ts counts loss from it). */
  | { readonly type: 'Heard'; readonly missed: number };

export interface BfdStepResult {
  readonly state: BfdSessionState;
  readonly actions: readonly BfdSessionAction[];
}

function checkConfig(c: BfdSessionConfig): void {
  const bad = (what: string, v: number, lo: number, hi: number) => {
    if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`BFD session ${what} ${v} is not ${lo}-${hi}`);
  };
  bad('local discriminator', c.localDiscr, 1, MAX_U32);
  bad('desired min TX interval (µs)', c.desiredMinTxUs, 1, MAX_U32);
  bad('required min RX interval (µs)', c.requiredMinRxUs, 0, MAX_U32);
  bad('detect multiplier', c.detectMult, 1, 255);
}

/** bfd.DesiredMinTxInterval for a session state: never below 1 s unless Up (§6.8.3). */
export function desiredTxFor(state: BfdState, configuredUs: number): number {
  return state === 'Up' ? configuredUs : Math.max(SLOW_TX_US, configuredUs);
}

/** A new session in Down (§6.8.1 initial values), about to send its first packet at `now`. */
export function createSession(config: BfdSessionConfig, now: number, seed: number): BfdSessionState {
  checkConfig(config);
  const first = nextRandom(seed >>> 0);
  const slow = desiredTxFor('Down', config.desiredMinTxUs);
  return {
    config, sessionState: 'Down', remoteSessionState: 'Down', remoteDiscr: 0, localDiag: BfdDiag.None,
    remoteMinRxUs: 1, remoteDesiredMinTxUs: 0, remoteDetectMult: 0,
    desiredMinTxUs: slow, requiredMinRxUs: config.requiredMinRxUs, txInUseUs: slow, rxInUseUs: config.requiredMinRxUs,
    polling: false, detectMultFloor: 0,
    // §6.7.4: bfd.XmitAuthSeq starts at a random 32-bit value.
    xmitAuthSeq: Math.floor(first.value * 2 ** 32) >>> 0, rcvAuthSeq: 0, authSeqKnown: false,
    nextTxAt: now, detectAt: undefined, authSeqForgetAt: undefined, lastRxAt: undefined, rng: first.rng,
  };
}

/**
 * The Detection Time in Asynchronous mode (§6.8.4): the remote's Detect Mult times the agreed
 * remote transmit interval, max(bfd.RequiredMinRxInterval, remote Desired Min TX Interval),
 * in µs; with the local floor of adaptive.ts on the multiplier.
 */
export function detectionTimeUs(s: BfdSessionState): number {
  return Math.max(s.remoteDetectMult, s.detectMultFloor) * Math.max(s.rxInUseUs, s.remoteDesiredMinTxUs);
}

/** The interval between our periodic packets before jitter: max(bfd.DesiredMinTxInterval, bfd.RemoteMinRxInterval) (§6.8.7). */
export function transmitIntervalUs(s: BfdSessionState): number {
  return Math.max(s.txInUseUs, s.remoteMinRxUs);
}

/** The earliest deadline in the state, or undefined. */
export function nextDeadline(s: BfdSessionState): number | undefined {
  const ds = [s.nextTxAt, s.detectAt, s.authSeqForgetAt].filter((d): d is number => d !== undefined);
  return ds.length ? Math.min(...ds) : undefined;
}

/**
 * §6.8.7: each interval is reduced by a random 0-25 % (0-10 % more when Detect Mult is 1, so
 * the interval stays at most 90 %).
 */
function jittered(s: BfdSessionState, now: number): { nextTxAt: number | undefined; rng: number } {
  if (s.remoteMinRxUs === 0) return { nextTxAt: undefined, rng: s.rng }; // §6.8.7: MUST NOT transmit periodically
  const r = nextRandom(s.rng);
  const lo = 0.75;
  const hi = s.config.detectMult === 1 ? 0.9 : 1;
  return { nextTxAt: now + (transmitIntervalUs(s) / 1000) * (lo + r.value * (hi - lo)), rng: r.rng };
}

function packetOf(s: BfdSessionState, final: boolean): { state: BfdSessionState; action: BfdSessionAction } {
  const packet: Omit<BfdControlPacket, 'auth'> = {
    diag: s.localDiag, state: s.sessionState, poll: s.polling && !final, final, controlPlaneIndependent: false, demand: false,
    detectMult: s.config.detectMult, myDiscriminator: s.config.localDiscr, yourDiscriminator: s.remoteDiscr,
    desiredMinTxUs: s.desiredMinTxUs, requiredMinRxUs: s.requiredMinRxUs, requiredMinEchoRxUs: 0,
  };
  if (!s.config.auth) return { state: s, action: { type: 'Send', packet } };
  // §6.7.4: Meticulous — bfd.XmitAuthSeq is incremented for every packet.
  const seq = s.xmitAuthSeq;
  return { state: { ...s, xmitAuthSeq: (seq + 1) >>> 0 }, action: { type: 'Send', packet, authSequence: seq } };
}

/** Moves to `to`, adjusting the transmit rate (§6.8.3) and starting a Poll when the rate changes while Up. */
function transition(s: BfdSessionState, to: BfdState, diag: number, reason: string, actions: BfdSessionAction[]): BfdSessionState {
  if (s.sessionState === to) return s;
  actions.push({ type: 'StateChanged', from: s.sessionState, to, diag, reason });
  const desired = desiredTxFor(to, s.config.desiredMinTxUs);
  let next: BfdSessionState = { ...s, sessionState: to, localDiag: diag, desiredMinTxUs: desired };
  if (to === 'Up') {
    // Going fast: a lower rate may be used at once (§6.8.3 only holds back increases), and a
    // Poll Sequence tells the remote of the change.
    next = { ...next, txInUseUs: Math.min(s.txInUseUs, desired), polling: desired !== s.desiredMinTxUs || s.polling };
  } else {
    next = { ...next, txInUseUs: desired, rxInUseUs: s.requiredMinRxUs, polling: false };
  }
  return next;
}

/** §6.7.4: the Sequence Number must be in bfd.RcvAuthSeq+1 .. +3×Detect Mult, modulo 2^32. */
function sequenceInWindow(s: BfdSessionState, seq: number, detectMult: number): boolean {
  if (!s.authSeqKnown) return true;
  const ahead = (seq - s.rcvAuthSeq) >>> 0;
  return ahead >= 1 && ahead <= 3 * detectMult;
}

function onReceived(s0: BfdSessionState, p: BfdControlPacket, now: number): BfdStepResult {
  const drop = (reason: BfdSessionDropReason, detail: string): BfdStepResult => ({ state: s0, actions: [{ type: 'Drop', reason, detail }] });
  // §6.8.6: a nonzero Your Discriminator selects the session; ours, or no session matches.
  if (p.yourDiscriminator !== 0 && p.yourDiscriminator !== s0.config.localDiscr) {
    return drop('discriminator-mismatch', `Your Discriminator 0x${p.yourDiscriminator.toString(16)} is not ours (0x${s0.config.localDiscr.toString(16)})`);
  }
  if (p.auth && !s0.config.auth) return drop('auth-unexpected', 'A bit set but this session uses no authentication');
  if (!p.auth && s0.config.auth) return drop('auth-missing', 'A bit clear but this session requires Meticulous Keyed SHA1');
  let s = s0;
  if (p.auth && p.auth.type !== 1) {
    if (!sequenceInWindow(s, p.auth.sequence, p.detectMult)) {
      return drop('auth-sequence', `Sequence Number ${p.auth.sequence} is outside ${(s.rcvAuthSeq + 1) >>> 0}..${(s.rcvAuthSeq + 3 * p.detectMult) >>> 0}`);
    }
    s = { ...s, rcvAuthSeq: p.auth.sequence, authSeqKnown: true };
  }
  const actions: BfdSessionAction[] = [];
  if (s.lastRxAt !== undefined && s.sessionState !== 'AdminDown') {
    const expectedMs = Math.max(s.rxInUseUs, s.remoteDesiredMinTxUs) / 1000;
    // The remote sends every 75-100 % of the agreed interval (§6.8.7): on average 87.5 %.
    const missed = expectedMs > 0 ? Math.max(0, Math.round((now - s.lastRxAt) / (0.875 * expectedMs)) - 1) : 0;
    actions.push({ type: 'Heard', missed });
  }
  s = {
    ...s, remoteDiscr: p.myDiscriminator, remoteSessionState: p.state, remoteMinRxUs: p.requiredMinRxUs,
    remoteDesiredMinTxUs: p.desiredMinTxUs, remoteDetectMult: p.detectMult, lastRxAt: now,
  };
  // §6.8.6: F ends our Poll Sequence; the held-back values take effect (§6.8.3).
  if (p.final && s.polling) s = { ...s, polling: false, txInUseUs: s.desiredMinTxUs, rxInUseUs: s.requiredMinRxUs };
  const detect = detectionTimeUs(s) / 1000;
  s = { ...s, detectAt: now + detect, authSeqForgetAt: s.config.auth ? now + 2 * detect : undefined };
  if (s.sessionState === 'AdminDown') return { state: s, actions: [{ type: 'Drop', reason: 'admin-down', detail: 'session is AdminDown' }] };

  const from = s.sessionState;
  if (p.state === 'AdminDown') {
    if (from !== 'Down') s = transition(s, 'Down', BfdDiag.NeighborSignaledSessionDown, 'neighbor signaled AdminDown', actions);
  } else if (from === 'Down') {
    if (p.state === 'Down') s = transition(s, 'Init', BfdDiag.None, 'neighbor is Down', actions);
    else if (p.state === 'Init') s = transition(s, 'Up', BfdDiag.None, 'neighbor is Init', actions);
  } else if (from === 'Init') {
    if (p.state === 'Init' || p.state === 'Up') s = transition(s, 'Up', BfdDiag.None, `neighbor is ${p.state}`, actions);
  } else if (p.state === 'Down') {
    s = transition(s, 'Down', BfdDiag.NeighborSignaledSessionDown, 'neighbor signaled Down', actions);
  }

  // §6.8.7: a packet is due at once after a state change (so the remote sees it) and as the
  // answer to a Poll (F set, P clear, as soon as practicable).
  if (p.poll || s.sessionState !== from) {
    const sent = packetOf(s, p.poll);
    s = sent.state;
    actions.push(sent.action);
  }
  // §6.8.7: a shorter transmit interval applies now, not after the current one.
  const soonest = s.remoteMinRxUs === 0 ? undefined : now + transmitIntervalUs(s) / 1000;
  if (soonest !== undefined && (s.nextTxAt === undefined || soonest < s.nextTxAt)) {
    const j = jittered(s, now);
    s = { ...s, nextTxAt: j.nextTxAt, rng: j.rng };
  } else if (soonest === undefined) {
    s = { ...s, nextTxAt: undefined };
  }
  return { state: s, actions };
}

/** A periodic packet now, and the next one an interval (jittered) later. */
function sendPeriodic(s0: BfdSessionState, now: number, actions: BfdSessionAction[]): BfdSessionState {
  const sent = packetOf(s0, false);
  actions.push(sent.action);
  const j = jittered(sent.state, now);
  return { ...sent.state, nextTxAt: j.nextTxAt, rng: j.rng };
}

function onTimer(s0: BfdSessionState, now: number): BfdStepResult {
  let s = s0;
  const actions: BfdSessionAction[] = [];
  if (s.detectAt !== undefined && now >= s.detectAt) {
    // §6.8.4: the Detection Time passed: Init or Up go Down (diag 1); §6.8.1: bfd.RemoteDiscr = 0.
    if (s.sessionState === 'Init' || s.sessionState === 'Up') {
      s = transition(s, 'Down', BfdDiag.ControlDetectionTimeExpired, `no packet for ${(detectionTimeUs(s) / 1000).toFixed(1)} ms`, actions);
    }
    s = { ...s, detectAt: undefined, remoteDiscr: 0, remoteSessionState: 'Down', lastRxAt: undefined };
    if (s.nextTxAt === undefined) s = { ...s, remoteMinRxUs: 1, nextTxAt: now };
  }
  if (s.authSeqForgetAt !== undefined && now >= s.authSeqForgetAt) s = { ...s, authSeqKnown: false, authSeqForgetAt: undefined };
  if (s.nextTxAt !== undefined && now >= s.nextTxAt) s = sendPeriodic(s, now, actions);
  return { state: s, actions };
}

function onSetTimers(s: BfdSessionState, e: Extract<BfdSessionEvent, { type: 'SetTimers' }>, now: number): BfdStepResult {
  const config = { ...s.config, desiredMinTxUs: e.desiredMinTxUs, requiredMinRxUs: e.requiredMinRxUs, detectMult: e.detectMult };
  checkConfig(config);
  const desired = desiredTxFor(s.sessionState, config.desiredMinTxUs);
  const up = s.sessionState === 'Up';
  const changed = desired !== s.desiredMinTxUs || config.requiredMinRxUs !== s.requiredMinRxUs;
  // §6.8.3: while Up, a higher TX interval and a lower RX interval wait for the Poll Sequence.
  const txInUseUs = up && desired > s.txInUseUs ? s.txInUseUs : desired;
  const rxInUseUs = up && config.requiredMinRxUs < s.rxInUseUs ? s.rxInUseUs : config.requiredMinRxUs;
  let next: BfdSessionState = {
    ...s, config, desiredMinTxUs: desired, requiredMinRxUs: config.requiredMinRxUs, txInUseUs, rxInUseUs,
    polling: s.polling || (up && changed),
  };
  const actions: BfdSessionAction[] = [];
  // Start the Poll at once rather than an interval later.
  if (up && changed) next = sendPeriodic(next, now, actions);
  return { state: next, actions };
}

export function stepSession(s: BfdSessionState, e: BfdSessionEvent, now: number): BfdStepResult {
  switch (e.type) {
    case 'Received':
      return onReceived(s, e.packet, now);
    case 'Timer':
      return onTimer(s, now);
    case 'AdminDown': {
      if (s.sessionState === 'AdminDown') return { state: s, actions: [] };
      const actions: BfdSessionAction[] = [];
      const next = transition(s, 'AdminDown', BfdDiag.AdministrativelyDown, 'administratively down', actions);
      // Tell the peer at once (§6.8.16): it goes Down with diag 3 instead of timing out.
      return { state: sendPeriodic({ ...next, detectAt: undefined }, now, actions), actions };
    }
    case 'AdminUp': {
      if (s.sessionState !== 'AdminDown') return { state: s, actions: [] };
      const actions: BfdSessionAction[] = [];
      return { state: transition(s, 'Down', BfdDiag.None, 'administratively up', actions), actions };
    }
    case 'SetTimers':
      return onSetTimers(s, e, now);
    case 'SetDetectMultFloor': {
      const floor = Math.max(0, Math.min(255, Math.floor(e.floor)));
      return { state: { ...s, detectMultFloor: floor }, actions: [] };
    }
    default:
      return assertNever(e, 'BFD session event');
  }
}
