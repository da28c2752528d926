/**
 * Lifeguard dynamic suspicion (memberlist suspicion.go) as data: the timer starts at `max` and
 * shrinks towards `min` as independent members confirm the suspicion.
 */
import { suspicionTimeoutMs } from './timers.js';

export interface Suspicion {
  /** Incarnation the suspicion is about. */
  readonly incarnation: number;
  /** Distinct accusers; the first one started the timer and is not a confirmation. */
  readonly accusers: readonly string[];
  /** Expected confirmations K (timers.ts expectedConfirmations). */
  readonly k: number;
  readonly minMs: number;
  readonly maxMs: number;
  readonly startedAt: number;
  /** When the member is declared dead unless it refutes. */
  readonly deadline: number;
  /** This node's own direct and indirect probes of the member failed during the suspicion. */
  readonly failedOwnProbe: boolean;
  /**
   * vipd (issue 10): this node saw the member's process gone itself (MemberGone: reset, then a
   * refused redial). `by` is this node, `floorAt` our observation plus the gone floor. Once an
   * accuser other than us confirms, the deadline is at most `floorAt` (deadlineOf).
   */
  readonly gone: { readonly by: string; readonly floorAt: number } | undefined;
}

/**
 * Lifeguard's deadline (startedAt + the dynamic timeout for the confirmations so far), cut to
 * the gone floor when our own crash verdict is confirmed by a second, independent accuser: our
 * kernel's word plus one other member's, never one of them alone (docs/membership.md).
 */
export function deadlineOf(s: Omit<Suspicion, 'deadline'>): number {
  const lifeguard = s.startedAt + suspicionTimeoutMs(s.accusers.length - 1, s.k, s.minMs, s.maxMs);
  const gone = s.gone;
  if (gone === undefined || !s.accusers.some((a) => a !== gone.by)) return lifeguard;
  return Math.min(lifeguard, gone.floorAt);
}

/** Confirmations so far: accusers other than the first. */
export function confirmations(s: Suspicion): number {
  return s.accusers.length - 1;
}

export function newSuspicion(
  from: string, incarnation: number, k: number, minMs: number, maxMs: number, now: number, failedOwnProbe: boolean,
): Suspicion {
  const s = { incarnation, accusers: [from], k, minMs, maxMs, startedAt: now, failedOwnProbe, gone: undefined };
  return { ...s, deadline: deadlineOf(s) };
}

/**
 * Our own crash verdict about the suspect (`self` is this node): we become an accuser if we are
 * not one yet (within K, like any confirmation), and the gone floor starts from `now`. A second
 * verdict keeps the first floor.
 */
export function observeGone(s: Suspicion, self: string, now: number, floorMs: number): Suspicion {
  const join = !s.accusers.includes(self) && confirmations(s) < s.k;
  const accusers = join ? [...s.accusers, self] : s.accusers;
  const next = { ...s, accusers, gone: s.gone ?? { by: self, floorAt: now + floorMs } };
  return { ...next, deadline: deadlineOf(next) };
}

/**
 * Registers `from` as confirming. Returns the updated suspicion, or undefined when this is not
 * new information (a repeated accuser, or K confirmations reached already): memberlist's
 * Confirm, whose answer also decides whether the suspect message is re-broadcast.
 */
export function confirm(s: Suspicion, from: string, failedOwnProbe: boolean): Suspicion | undefined {
  if (confirmations(s) >= s.k || s.accusers.includes(from)) {
    return failedOwnProbe && !s.failedOwnProbe ? { ...s, failedOwnProbe } : undefined;
  }
  const next = { ...s, accusers: [...s.accusers, from], failedOwnProbe: s.failedOwnProbe || failedOwnProbe };
  return { ...next, deadline: deadlineOf(next) };
}
