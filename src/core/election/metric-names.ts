/**
 * The metrics the election core emits as `Metric` actions (the runtime passes them to the
 * Metrics port, src/ports/metrics.ts, whose METRIC_NAMES includes this list). docs/metrics.md
 * describes each; a new one is one line here.
 */
export const ELECTION_METRIC_NAMES = [
  'vipd_transitions_total', // {group, from, to}: role changes (transition.ts)
  'vipd_adverts_dropped_total', // {group, reason}: reasons in drop-reasons.ts, the transport's and the runtime's
  'vipd_lease_expired_total', // {group}: a master's lease ran out and it released the VIP (docs/leases.md)
  'vipd_lease_acks_ignored_total', // {group, reason}: LEASE_ACK_IGNORED in step.ts
  'vipd_crash_verdicts_total', // {group, action}: CRASH_VERDICT_ACTIONS in step.ts (MasterGone)
] as const;

export type ElectionMetricName = (typeof ELECTION_METRIC_NAMES)[number];
