/**
 * Lifeguard local health awareness (memberlist awareness.go): a score that rises when this
 * node's own probes look unhealthy (missed acks, nacks that never came, having to refute) and
 * falls with each successful probe. Timeouts are scaled by (score + 1) (timers.ts).
 */

/**
 * Applies `delta` and clamps to [0, awarenessMax − 1], as memberlist does: with the default
 * awarenessMax 8 the score runs 0..7, so timeouts stretch at most 8×.
 */
export function applyAwarenessDelta(score: number, delta: number, awarenessMax: number): number {
  return Math.min(Math.max(score + delta, 0), Math.max(0, awarenessMax - 1));
}

/**
 * The delta for a probe that got no ack (memberlist probeNode): one per helper whose nack did not
 * arrive (the helpers are assumed healthy, so a missing nack points at our own link), or 1 when
 * there were no helpers to ask.
 */
export function failedProbeDelta(helpers: number, nacks: number): number {
  return helpers > 0 ? Math.max(0, helpers - nacks) : 1;
}

/** A probe that got its ack, directly or through a helper. */
export const SUCCESSFUL_PROBE_DELTA = -1;
/** Having to refute a suspicion of ourselves (memberlist refute). */
export const REFUTE_DELTA = 1;
