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
}

/** Confirmations so far: accusers other than the first. */
export function confirmations(s: Suspicion): number {
  return s.accusers.length - 1;
}

export function newSuspicion(
  from: string, incarnation: number, k: number, minMs: number, maxMs: number, now: number, failedOwnProbe: boolean,
): Suspicion {
  return {
    incarnation, accusers: [from], k, minMs, maxMs, startedAt: now,
    deadline: now + suspicionTimeoutMs(0, k, minMs, maxMs), failedOwnProbe,
  };
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
  const accusers = [...s.accusers, from];
  const deadline = s.startedAt + suspicionTimeoutMs(accusers.length - 1, s.k, s.minMs, s.maxMs);
  return { ...s, accusers, deadline, failedOwnProbe: s.failedOwnProbe || failedOwnProbe };
}
