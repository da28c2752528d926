/**
 * Where the runtime and the adapters count things (drops by reason, role changes, provider
 * calls). The in-process registry (src/adapters/metrics-registry.ts) implements it; `/metrics`
 * renders it through prom-client (src/adapters/prom-exporter.ts, docs/api.md); docs/metrics.md
 * says what each metric means.
 */
import { ELECTION_METRIC_NAMES } from '../core/election/metric-names.js';
import { MEMBERSHIP_METRIC_NAMES } from '../core/membership/metric-names.js';

/**
 * Every metric vipd has. A name the cores emit lives in the core's list (spread in here); any
 * other is one line below. docs/metrics.md describes each (test/unit/docs/metrics.test.ts
 * checks that it does).
 */
export const METRIC_NAMES = [
  ...ELECTION_METRIC_NAMES,
  ...MEMBERSHIP_METRIC_NAMES,
  'vipd_role', // gauge {group}: 0 Initialize, 1 Backup, 2 Master, 3 Fault
  'vipd_priority', // gauge {group}: effective priority (base, check weights, promote), set at each scrape
  'vipd_term', // gauge {group}: the group's term as this node knows it, set at each scrape
  'vipd_members', // gauge {state}: members of the cluster this node sees in each state, set at each scrape
  'vipd_dual_master_total', // {group}: this node, as Master, heard another node advertise as Master (src/runtime/instance-runner.ts)
  'vipd_api_requests_total', // {route, status}: requests the API answered (src/api/routes.ts)
  'vipd_events_total', // {type}: events recorded for /v1/events (src/runtime/event-log.ts)
  'vipd_adverts_received_total', // {group}
  'vipd_adverts_sent_total', // {group, priority0}
  'vipd_provider_calls_total', // {group, op, result}
  'vipd_vip_conflicts_total', // {group, address}
  'vipd_local_tool_fallbacks_total', // {group}: a local provider running ip/arping because its native part is unavailable
  'vipd_group_reachable_peers', // gauge {group}
  'vipd_lease_grants_total', // {group, result}: granted or a LEASE_REFUSALS reason (src/core/election/lease.ts)
  'vipd_lease_relinquished_total', // {group}: promises dropped on a former master's relinquish
  'vipd_lease_acks_unsent_total', // {group}: a grant whose ack found no address or link
  'vipd_lease_crash_dropped_total', // {group}: promises dropped on this node's own crash verdict (docs/leases.md)
  'vipd_crash_probes_total', // {result}: CRASH_PROBE_RESULTS (src/adapters/grpc/crash-probe.ts)
  'vipd_lease_handovers_total', // {group, result}: moved or a HANDOVER_REFUSALS reason (src/core/election/lease.ts)
  'vipd_handoffs_total', // {group, result}: HANDOFF_RESULTS (src/runtime/handoff.ts)
  'vipd_advert_signatures_total', // {verdict}
  'vipd_advert_bundles_sent_total', // {}: AdvertBundle frames written (src/adapters/grpc/grpc-transport.ts)
  'vipd_peer_frames_dropped_total', // {reason}: src/adapters/grpc/drop-reasons.ts
  'vipd_peer_frames_unsent_total', // {reason}: src/adapters/grpc/drop-reasons.ts
  'vipd_peer_rejected_total', // {reason}: src/adapters/grpc/drop-reasons.ts
  'vipd_peer_link_down_total', // {peer}
  'vipd_vrrp_received_total', // {interface}
  'vipd_vrrp_sent_total', // {interface}
  'vipd_vrrp_send_errors_total', // {interface}
  'vipd_vrrp_socket_errors_total', // {interface}
  'vipd_vrrp_dropped_total', // {interface, reason}: src/adapters/vrrp/drop-reasons.ts
  'vipd_check_results_total', // {check, result: success | failure}: src/runtime/health-checks.ts
  'vipd_check_seconds', // histogram {check}: one run of a health check
  'vipd_check_up', // gauge {check}: 1 OK, 0 failed (after rise/fall)
  'vipd_check_skipped_total', // {check}: ticks skipped because the previous run was still going
  'vipd_notify_total', // {group, kind: command | webhook, result: ok | failed}: src/runtime/notify.ts
  'vipd_vrrp_unattributed_total', // {group, reason: unknown | ambiguous}: src/runtime/vrrp-identities.ts
  'vipd_provider_api_calls_total', // {group, provider, action, outcome}: ok or an ErrorClass (src/ports/vip-provider.ts)
  'vipd_provider_api_seconds', // histogram {group, provider, action}: one attempt of one cloud API action
  'vipd_provider_fenced_total', // {group, provider, reason}: FENCE_REASONS (providers/common/fence.ts)
  'vipd_provider_reconcile_total', // {group, result}: ReconcileResult (src/runtime/provider-driver.ts)
  'vipd_provider_preflight_total', // {group, result}: ok or error, one per validate() at start and its retries
  'vipd_bfd_dropped_total', // {reason}: src/adapters/bfd/drop-reasons.ts
  'vipd_bfd_transitions_total', // {peer, to}: RFC 5880 session state changes
  'vipd_bfd_session_state', // gauge {peer}: 0 AdminDown, 1 Down, 2 Init, 3 Up
  'vipd_bfd_detect_multiplier', // gauge {peer}: the multiplier waited for under loss (src/core/bfd/adaptive.ts)
  'vipd_bfd_send_errors_total', // {}: BFD packets the socket refused
] as const;

export type MetricName = (typeof METRIC_NAMES)[number];

export type Labels = Readonly<Record<string, string>>;

export interface Metrics {
  /**
   * Adds `by` (default 1) to the counter `name` with `labels`, creating it at 0 first.
   * Never blocks, never throws; labels are copied, so the caller may reuse the object.
   */
  inc(name: MetricName, labels?: Labels, by?: number): void;
  /** Sets the gauge `name` with `labels` to `value`. Idempotent; never blocks, never throws. */
  set(name: MetricName, labels: Labels, value: number): void;
  /** Records one observation (seconds) in the histogram `name`. Never blocks, never throws. */
  observe(name: MetricName, labels: Labels, value: number): void;
}
