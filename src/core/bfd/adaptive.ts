/**
 * The detect multiplier under loss, Lifeguard-style (Dadgar et al., "Lifeguard: Local Health
 * Awareness for More Accurate Failure Detection", 2018: a local health score raised by missed
 * messages and lowered by timely ones scales the timeouts). With random loss p on a path, a BFD
 * session with multiplier M declares the peer down after M packets in a row are lost: about
 * p^M per packet, at 50 packets a second with M = 3 and p = 20 % every 2.5 s. Each lost packet
 * (seen as a gap in arrivals, session.ts `Heard`) raises the score by one, up to `max - base`;
 * every `healthyToDecay` on-time packets in a row lower it by one. The multiplier is base +
 * score: at M = 8 the same path fails once in about two hours, and a dead peer is still found
 * within 8 intervals (160 ms at 20 ms).
 *
 * It only ever raises the multiplier the local side waits for (session.ts `detectMultFloor`),
 * so it makes "down" slower to declare, never faster.
 */

export interface AdaptiveMultiplierParams {
  /** The configured multiplier (bfd.multiplier). */
  readonly base: number;
  /** The bound: the score never takes the multiplier above it. */
  readonly max: number;
  /** On-time packets in a row that lower the score by one. */
  readonly healthyToDecay: number;
}

export interface AdaptiveMultiplierState {
  readonly score: number;
  /** On-time packets since the last loss or decay. */
  readonly healthy: number;
}

export const INITIAL_ADAPTIVE_STATE: AdaptiveMultiplierState = { score: 0, healthy: 0 };

/** Default bound and decay: up to 3 × the configured multiplier (at most 255), one step per 50 good packets. */
export function defaultAdaptiveParams(base: number): AdaptiveMultiplierParams {
  return { base, max: Math.min(255, Math.max(base, 3 * base)), healthyToDecay: 50 };
}

/** One packet heard after `missed` lost ones. */
export function observeArrival(s: AdaptiveMultiplierState, missed: number, p: AdaptiveMultiplierParams): AdaptiveMultiplierState {
  const ceiling = Math.max(0, p.max - p.base);
  if (missed > 0) return { score: Math.min(ceiling, s.score + Math.floor(missed)), healthy: 0 };
  const healthy = s.healthy + 1;
  if (healthy >= p.healthyToDecay && s.score > 0) return { score: s.score - 1, healthy: 0 };
  return { score: s.score, healthy: healthy >= p.healthyToDecay ? 0 : healthy };
}

/** The multiplier to wait for: base + score, within [base, max]. */
export function adaptiveMultiplier(s: AdaptiveMultiplierState, p: AdaptiveMultiplierParams): number {
  return Math.min(Math.max(p.base, p.max), p.base + s.score);
}
