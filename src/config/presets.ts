// Timing presets. A document names one (`timing: lan | wan`) and may override any field.
import type { MembershipConfig, TimingName } from './types.js';

export interface TimingPreset {
  /** Default Advertisement_Interval when a group does not set advert_interval. */
  readonly advertIntervalMs: number;
  readonly membership: MembershipConfig;
  /**
   * Default lease_stall_tolerance (docs/leases.md): the longest freeze of a master process the
   * lease rides out safely; a silent failure is taken over about this much later.
   */
  readonly leaseStallToleranceMs: number;
}

export const TIMING_PRESETS: Readonly<Record<TimingName, TimingPreset>> = Object.freeze({
  // A switched LAN loses few packets: 100ms adverts give a Master_Down_Interval of about
  // 3 x 100ms + Skew_Time (RFC 5798 §6.1), i.e. failover in well under half a second.
  lan: Object.freeze({
    advertIntervalMs: 100,
    leaseStallToleranceMs: 250,
    membership: Object.freeze({
      probeIntervalMs: 200,
      probeTimeoutMs: 100,
      indirectProbes: 3,
      // 1, not memberlist's 4 (issue 10): the suspicion floor is log10(n) probe intervals (400
      // ms at 100 nodes), enough for a refutation because every member that hears a suspicion
      // probes the suspect in its next slot (probeSuspectsFirst, the buddy system). With BFD
      // or crash verdicts as inputs a dead member is dead everywhere within 1 s p99 at 100
      // nodes and 5 % loss, with no false deaths; a live member must stall ~0.75 s to be
      // declared dead (npm run bench:gossip, docs/membership.md). The election does not wait
      // for "dead" anyway (it has Master_Down_Interval); quorum and verdicts come sooner.
      suspicionMultiplier: 1,
    }),
  }),
  // Across data centres latency and jitter are larger: the RFC's default 1s advert, and a
  // longer suspicion window so one slow round trip does not evict a member.
  wan: Object.freeze({
    advertIntervalMs: 1000,
    leaseStallToleranceMs: 2000,
    membership: Object.freeze({
      probeIntervalMs: 1000,
      probeTimeoutMs: 500,
      indirectProbes: 3,
      suspicionMultiplier: 6,
    }),
  }),
});
