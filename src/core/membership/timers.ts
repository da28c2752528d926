/**
 * SWIM / Lifeguard timer math as pure functions with table tests (test/unit/core/membership).
 * Names and formulas follow hashicorp/memberlist (util.go, suspicion.go, awareness.go) and the
 * Lifeguard paper (Dadgar et al., 2018). All times are milliseconds.
 */

/**
 * The suspicion timeout floor (memberlist util.go suspicionTimeout):
 * min = suspicion_multiplier × max(1, log10(max(1, n))) × probe_interval.
 * memberlist keeps the node scale at least 1, so clusters under 10 members still wait
 * `suspicion_multiplier` probe intervals instead of almost nothing (log10(3) = 0.48).
 */
export function suspicionMinMs(suspicionMultiplier: number, n: number, probeIntervalMs: number): number {
  const nodeScale = Math.max(1, Math.log10(Math.max(1, n)));
  return suspicionMultiplier * nodeScale * probeIntervalMs;
}

/** The suspicion timeout ceiling: max = suspicion_max_multiplier (memberlist: 6) × min. */
export function suspicionMaxMs(minMs: number, maxMultiplier: number): number {
  return minMs * maxMultiplier;
}

/**
 * Lifeguard's expected independent confirmations K, capped by who can confirm: everyone but
 * the suspect and the first accuser (n − 2). memberlist sets K to 0 when n − 2 < K; capping
 * instead keeps small clusters (the HA case: 3 nodes) waiting for the one peer that can confirm.
 */
export function expectedConfirmations(k: number, n: number): number {
  return Math.max(0, Math.min(k, n - 2));
}

/**
 * Lifeguard dynamic suspicion timeout (memberlist remainingSuspicionTime, before subtracting
 * the elapsed time): max(min, max − (max − min) · log(C + 1) / log(K + 1)), floored to whole
 * milliseconds. With K = 0 no confirmation can come, so the timeout is the minimum.
 */
export function suspicionTimeoutMs(confirmations: number, k: number, minMs: number, maxMs: number): number {
  if (k <= 0) return minMs;
  const frac = Math.log(confirmations + 1) / Math.log(k + 1);
  const raw = Math.floor(maxMs - frac * (maxMs - minMs));
  return Math.max(minMs, raw);
}

/**
 * Lifeguard local health awareness: probe interval and probe timeout are multiplied by
 * (score + 1), so a struggling node slows down instead of accusing others.
 */
export function scaleByAwareness(baseMs: number, score: number): number {
  return baseMs * (score + 1);
}

/**
 * How many times one broadcast is piggybacked (memberlist util.go retransmitLimit):
 * retransmit_mult × ceil(log10(n + 1)).
 */
export function retransmitLimit(retransmitMultiplier: number, n: number): number {
  return retransmitMultiplier * Math.ceil(Math.log10(Math.max(0, n) + 1));
}

/**
 * How long a helper waits for the target's ack before it nacks (Lifeguard: 80 % of the probe
 * timeout). The prober's indirect window is probe interval − probe timeout, which the LAN preset
 * makes equal to the probe timeout: a helper that waited the whole timeout (memberlist
 * handleIndirectPing) would nack just after the prober stopped listening, and every failed probe
 * would look like our own fault.
 */
export function nackTimeoutMs(probeTimeoutMs: number): number {
  return 0.8 * probeTimeoutMs;
}

/** Clusters up to this size push-pull at the configured interval (memberlist pushPullScaleThreshold). */
export const PUSH_PULL_SCALE_THRESHOLD = 32;

/**
 * Push-pull slows down in large clusters so the total rate stays flat (memberlist util.go
 * pushPullScale): above 32 members, × (ceil(log2 n − log2 32) + 1).
 */
export function pushPullIntervalMs(intervalMs: number, n: number): number {
  if (n <= PUSH_PULL_SCALE_THRESHOLD) return intervalMs;
  return intervalMs * (Math.ceil(Math.log2(n) - Math.log2(PUSH_PULL_SCALE_THRESHOLD)) + 1);
}
