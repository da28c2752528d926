/**
 * The metrics the membership core emits as `Metric` actions (the runtime passes them to the
 * Metrics port, src/ports/metrics.ts, whose METRIC_NAMES includes this list). docs/metrics.md
 * describes each; a new one is one line here.
 */
export const MEMBERSHIP_METRIC_NAMES = [
  'vipd_member_transitions_total', // {from, to}
  'vipd_membership_messages_dropped_total', // {reason}: drop-reasons.ts
  'vipd_membership_refutations_total',
  'vipd_membership_address_conflicts_total',
  'vipd_membership_suspicion_timeouts_total', // {confirmed: yes | no}
  'vipd_membership_stale_accusations_total',
  'vipd_membership_leaves_total',
  'vipd_membership_probes_total', // {result, cause}
  'vipd_membership_probe_now_total',
  'vipd_membership_inputs_total', // {input: gone | bfd-down, result: used | ignored}: inputs.ts
  'vipd_membership_items_dropped_total', // {reason}: limits.ts ITEM_DROP_REASONS
] as const;

export type MembershipMetricName = (typeof MEMBERSHIP_METRIC_NAMES)[number];
