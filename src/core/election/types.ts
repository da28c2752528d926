/**
 * Types of the election core: one VRRP instance ("VIP group"), RFC 5798 words.
 * Times are milliseconds on the injected clock; intervals on the wire are centiseconds
 * (RFC 5798 §5.2.7).
 */
import type { ElectionMetricName } from './metric-names.js';

/** RFC 5798 §6.4 states, plus Fault (a tracked resource is down; keepalived has it). */
export type Role = 'Initialize' | 'Backup' | 'Master' | 'Fault';

/** Which timer rules the group runs: RFC 3768 (v2) or RFC 5798 (v3). */
export type TimerVersion = 2 | 3;

/** A sender as the election sees it: the primary address breaks ties, the node id when none. */
export interface PeerIdentity {
  readonly nodeId: string;
  /** Primary IPv4/IPv6 address (RFC 5798 §6.4.3 tie-break). */
  readonly address?: string;
}

/** Fixed parameters of one instance (from configuration). */
export interface ElectionParams {
  /** Group name, for logs. */
  readonly group: string;
  /** Virtual Router Identifier, 1-255 (RFC 5798 §5.2.3). */
  readonly vrid: number;
  readonly self: PeerIdentity;
  /** Configured priority 1-255; 255 = address owner (RFC 5798 §5.2.4). */
  readonly basePriority: number;
  /** Advertisement_Interval in centiseconds, 1-4095 (RFC 5798 §5.2.7). */
  readonly advertIntervalCs: number;
  readonly version: TimerVersion;
  /** Preempt_Mode (RFC 5798 §6.1). */
  readonly preempt: boolean;
  /** keepalived's preempt_delay: no preemption for this long after startup. */
  readonly preemptDelayMs: number;
  /**
   * Split-brain guard (issue 3 §5, `quorum: majority`): become master only while a majority of
   * the group's voters is reachable. The runtime reports reachability with QuorumChanged.
   */
  readonly requireQuorum?: boolean;
  /**
   * Order dual masters by term between priority and address (default true). False for groups
   * that speak VRRP: keepalived and FRR carry no term, and both sides must apply the same rule
   * (RFC 5798 §6.4.3: priority, then primary address) or neither steps down.
   */
  readonly orderByTerm?: boolean;
  /**
   * The group sends raw VRRP adverts (transport multicast or both): each advert keeps the
   * group's own cadence instead of the node's shared grid (step.ts onTimer). Default: as
   * `orderByTerm === false`, which only VRRP groups set.
   */
  readonly vrrpCadence?: boolean;
  /**
   * Leases (docs/leases.md), for unicast `quorum: majority` groups only: the master takes the
   * VIP only while a majority of the voters granted one of its adverts within the last L.
   * Undefined: the VIP follows the role at once (quorum none, VRRP groups).
   */
  readonly lease?: LeaseParams;
  /**
   * Handoff (issue 10, docs/leases.md "Handoff"): a leased master preempted by a higher-ranked
   * master hands the group off to it instead of releasing at once. Undefined: no handoff on
   * preemption (`handoff: false`, or no lease).
   */
  readonly handoff?: HandoffParams;
}

export interface HandoffParams {
  /** How long a master waits for HandoffDone before it releases: handoff_overlap_max less R. */
  readonly waitMs: number;
  /** Break-before-make: the provider's resource cannot have two holders (VipProvider.singleHolder). */
  readonly releaseFirst: boolean;
}

export interface LeaseParams {
  /** The group's other voters (node ids of its peers and witnesses; not this node). */
  readonly voters: readonly string[];
  /** R: the provider's bound on a release (default DEFAULT_RELEASE_MARGIN_MS, lease.ts). */
  readonly releaseMarginMs?: number;
  /** S: how long a stall of this node's process the lease tolerates (default 0, lease.ts). */
  readonly stallToleranceMs?: number;
}

/** What we know of the current master while we are not it. */
export interface KnownMaster {
  readonly sender: PeerIdentity;
  readonly priority: number;
  readonly term: number;
  readonly advertIntervalCs: number;
  /** Clock time of its last advert that we saw. */
  readonly seenAt: number;
}

export interface ElectionState {
  readonly params: ElectionParams;
  readonly role: Role;
  /** Sum of health-check weights (a later issue fills it); moves the effective priority. */
  readonly healthWeight: number;
  /** Names of tracked resources that are down; non-empty means Fault. */
  readonly faults: readonly string[];
  /**
   * Election epoch: increases on every takeover and rides on every advert, so providers can
   * fence stale calls and dual masters can be ordered (vipd extension to RFC 5798).
   */
  readonly term: number;
  /** Master_Adver_Interval in centiseconds, learned from the master (RFC 5798 §6.1). */
  readonly masterAdverIntervalCs: number;
  /** Deadline of the Adver_Timer (Master only). */
  readonly adverTimer?: number;
  /** Deadline of the Master_Down_Timer (Backup only). */
  readonly masterDownTimer?: number;
  /** Before this time a Backup accepts a lower-priority master (preempt_delay). */
  readonly preemptAfter: number;
  /** The master we follow (Backup), or undefined. */
  readonly master?: KnownMaster;
  /** The last lower-priority master whose adverts we discarded to preempt it. */
  readonly preempting?: KnownMaster;
  /** Whether a majority of voters is reachable (always true without `requireQuorum`). */
  readonly hasQuorum: boolean;
  /** Human-readable quorum count for logs, e.g. "1/3 voters". */
  readonly quorumDetail: string;
  /** Backup: Master_Down_Timer ran out while we had no quorum; take over when it returns. */
  readonly awaitingQuorum: boolean;
  /** Master: step down at this time unless quorum returns (lost for Master_Down_Interval). */
  readonly quorumLossTimer?: number;
  /** Why the Master_Down_Timer was shortened by membership (probe-confirmed failure). */
  readonly masterConfirmedDown?: string;
  /** Master with `params.lease`: the acks counted so far and whether the VIP was taken. */
  readonly lease?: MasterLeaseState;
  /**
   * Master that took over on a crash verdict (MasterGone): adverts still to send
   * CRASH_VERDICT_RETRY_MS apart while its lease does not hold yet (step.ts onMasterGone).
   */
  readonly crashVerdictRetries?: number;
  /** Master handing the group off to a named successor (docs/leases.md, "Handoff"). */
  readonly handoff?: HandoffState;
}

/**
 * A master handing off (issue 10): it sends no adverts and takes nothing again; it releases
 * when the successor confirms (HandoffDone) or at `until` at the latest, whichever is first.
 */
export interface HandoffState {
  /** The successor's node id. */
  readonly to: string;
  /** Our term when we handed off (the Handoff message carries it). */
  readonly term: number;
  /** Latest time to start the release (local clock): handoff_overlap_max less R. */
  readonly until: number;
  /** Send the priority-0 advert when done (a stop or maintenance; not a preemption). */
  readonly resign: boolean;
  /** Break-before-make: the release was issued at the start (a provider with a single holder). */
  readonly releasedFirst: boolean;
  /** The successor as a master we heard (a preemptor's advert): followed once the handoff is done. */
  readonly successor?: KnownMaster;
}

/** lease.ts MasterLease plus whether AcquireVip was issued for the lease now held. */
export interface MasterLeaseState {
  readonly since: number;
  readonly sinceTerm: number;
  readonly acks: Readonly<Record<string, number>>;
  readonly until?: number;
  readonly acquired: boolean;
  /**
   * The highest term each voter granted in this mastership. The VIP is taken (or taken again)
   * at our current term only once a majority granted that term, so that the terms of successive
   * acquisitions rise (docs/leases.md "Terms"); holding may rest on grants of earlier terms of
   * this mastership.
   */
  readonly ackTerms?: Readonly<Record<string, number>>;
  /** Our term moved while holding (a won conflict, a term-behind refusal): re-assert once a majority granted it. */
  readonly reassert?: string;
}

/** An election message as the core sees it; transports map it to and from their wire. */
export interface Advert {
  readonly vrid: number;
  readonly sender: PeerIdentity;
  /** 0 = the master resigns (RFC 5798 §6.4.3 Shutdown). */
  readonly priority: number;
  readonly advertIntervalCs: number;
  readonly term: number;
  /**
   * The master's send time on its own clock, echoed in lease acks (docs/leases.md); present
   * when the advert asks voters for a lease.
   */
  readonly leaseEcho?: number;
  /** With `leaseEcho`: the promise the master asks the voters for, in ms (lease.ts). */
  readonly leasePromiseMs?: number;
  /**
   * The sender is known only by its source address (a VRRP advert no vipd node accounts for,
   * src/runtime/vrrp-identities.ts): it names no node, so a master preempted by it releases the
   * RFC way instead of handing off to it.
   */
  readonly addressOnly?: boolean;
}

export type ElectionEvent =
  /**
   * `reason`: why now, when the runtime held the start back (the startup hold, issue 10);
   * `afterHold`: the first Master_Down_Timer then adds STARTUP_SKEW_FACTOR × Skew_Time (step.ts).
   */
  | { readonly type: 'Startup'; readonly reason?: string; readonly afterHold?: boolean; /** After the hold, a peer known to rank above us: one more Master_Down_Interval first. */ readonly outranked?: boolean }
  | { readonly type: 'Shutdown' }
  | { readonly type: 'AdvertReceived'; readonly advert: Advert }
  | { readonly type: 'TimerFired' }
  | { readonly type: 'HealthWeightChanged'; readonly weight: number }
  | { readonly type: 'FaultRaised'; readonly resource: string }
  | { readonly type: 'FaultCleared'; readonly resource: string }
  /** From membership: a majority of voters is (not) reachable; `detail` like "2/3 voters". */
  | { readonly type: 'QuorumChanged'; readonly hasQuorum: boolean; readonly detail: string }
  /** From membership: `nodeId` failed direct and indirect probes (a verdict, not a hint). */
  | { readonly type: 'PeerConfirmedDown'; readonly nodeId: string; readonly reason: string }
  /**
   * Our own voter refused our advert: it promised another master (or is in its restart quiet
   * period) until `until`. The other voters most likely did the same: advertise again then.
   */
  | { readonly type: 'LeaseRefused'; readonly until: number }
  /**
   * Voter `from` (this node's own voter included) refused our advert of `term` for good: it
   * already granted `grantedTerm` in this group, to another node at a term at least ours or at a
   * higher one (a LeaseRefusal, docs/leases.md "Terms"). Our mastership moves past it.
   */
  | { readonly type: 'LeaseTermBehind'; readonly from: string; readonly term: number; readonly grantedTerm: number }
  /**
   * Crash verdict (issue 10, docs/leases.md "Crash verdict"): this node itself saw `nodeId`'s
   * stream end and a redial of its address refused, so its process is gone. `top`: the runtime
   * ranks this node first among the group's live backups (effective priority, then the RFC 5798
   * §6.4.3 tie-break); only the top backup takes over at once, the others keep their timers.
   */
  | { readonly type: 'MasterGone'; readonly nodeId: string; readonly top: boolean; readonly reason: string }
  /**
   * Master: hand the group off to `to` (graceful stop, maintenance; docs/leases.md "Handoff"),
   * releasing at the latest `waitMs` from now; `releaseFirst` for providers whose resource
   * cannot have two holders (break-before-make).
   */
  | { readonly type: 'HandOff'; readonly to: string; readonly waitMs: number; readonly releaseFirst: boolean; readonly resign: boolean }
  /** Our master `from` handed the group off to us at its `term`: take over now (no Skew_Time). */
  | { readonly type: 'HandoffOffered'; readonly from: string; readonly term: number }
  /** The successor `from` confirmed it holds the VIP: a master handing off to it releases now. */
  | { readonly type: 'HandoffDone'; readonly from: string; readonly term: number }
  /** Voter `from` (this node's own voter included) granted our advert sent at `echo`. */
  | { readonly type: 'LeaseAck'; readonly from: string; readonly term: number; readonly echo: number };

export type LogLevel = 'debug' | 'info' | 'warn';

export type ElectionAction =
  /** `leaseEcho`: the advert asks voters for a lease; this node's voter grants it too (runtime). */
  | { readonly type: 'SendAdvert'; readonly priority: number; readonly advertIntervalCs: number; readonly term: number; readonly leaseEcho?: number; readonly leasePromiseMs?: number }
  /** BecomeMaster: take the VIP. `term` fences the provider call. */
  | { readonly type: 'AcquireVip'; readonly term: number; readonly reason: string }
  | { readonly type: 'ReleaseVip'; readonly term: number; readonly reason: string }
  | { readonly type: 'RoleChanged'; readonly from: Role; readonly to: Role; readonly reason: string; readonly term: number }
  | { readonly type: 'Log'; readonly level: LogLevel; readonly msg: string; readonly fields?: Readonly<Record<string, unknown>> }
  | { readonly type: 'Metric'; readonly name: ElectionMetricName; readonly labels: Readonly<Record<string, string>>; readonly inc: number };

export interface StepResult {
  readonly state: ElectionState;
  readonly actions: readonly ElectionAction[];
}
