/**
 * Types of the membership core: SWIM with the Lifeguard extensions, in memberlist's words.
 * Times are milliseconds on the injected clock.
 */
import type { BroadcastQueue } from './broadcast-queue.js';
import type { MembershipMetricName } from './metric-names.js';
import type { Message, MemberState } from './messages.js';
import type { Suspicion } from './suspicion.js';

export type { MemberState } from './messages.js';

/** Where a message goes: the id when known (a seed is known only by address). */
export interface Destination {
  readonly id?: string;
  readonly address: string;
}

/** Fixed parameters (configuration: the `membership:` section and its timing preset). */
export interface MembershipParams {
  readonly self: { readonly id: string; readonly address: string };
  /** Addresses ("host:port") to join through; our own address is skipped. */
  readonly seeds: readonly string[];
  /** Time between round-robin probes (memberlist ProbeInterval). */
  readonly probeIntervalMs: number;
  /** How long to wait for a direct ack before asking helpers (memberlist ProbeTimeout). */
  readonly probeTimeoutMs: number;
  /** Helpers asked to probe indirectly, k (memberlist IndirectChecks). */
  readonly indirectProbes: number;
  /** Suspicion timeout floor in probe intervals, scaled by log10(n) (memberlist SuspicionMult). */
  readonly suspicionMultiplier: number;
  /** Suspicion timeout ceiling as a multiple of the floor (memberlist SuspicionMaxTimeoutMult, 6). */
  readonly suspicionMaxMultiplier: number;
  /** Lifeguard K: independent confirmations that drive the suspicion timeout to its floor. */
  readonly expectedConfirmations: number;
  /** Broadcasts are sent retransmit_mult × ceil(log10(n + 1)) times (memberlist RetransmitMult, 4). */
  readonly retransmitMultiplier: number;
  /** Dead and left members are forgotten after this long. */
  readonly reapAfterMs: number;
  /** Full state exchange with one random member (memberlist PushPullInterval, 30 s). */
  readonly pushPullIntervalMs: number;
  /** Lifeguard awareness bound (memberlist AwarenessMaxMultiplier, 8): timeouts stretch at most this much. */
  readonly awarenessMax: number;
  /** Gossip round period while broadcasts are queued (memberlist GossipInterval). */
  readonly gossipIntervalMs: number;
  /** Members each gossip round goes to (memberlist GossipNodes). */
  readonly gossipNodes: number;
  /** Dead members still receive gossip this long, so they can refute (memberlist GossipToTheDeadTime). */
  readonly gossipToTheDeadMs: number;
  /** Until a push-pull reached us, or while no other live member is known, the seeds are asked again this often. */
  readonly joinRetryMs: number;
  /**
   * vipd (issue 10): the suspicion floor in probe intervals for a member whose process we saw
   * gone ourselves (MemberGone) once at least one other member confirmed the suspicion
   * independently. Not scaled by log10(n): see docs/membership.md "Inputs". 0 turns it off.
   */
  readonly goneSuspicionMultiplier: number;
  /** Most gossip items piggybacked on one message (memberlist fills a 1400-byte UDP packet). */
  readonly maxGossipPerMessage: number;
  /**
   * vipd: a member we hear is suspect takes the next round-robin slot, so independent
   * confirmations (Lifeguard) arrive within a probe interval instead of whenever each member's
   * round reaches it. Same probe rate; false to probe exactly as memberlist does.
   */
  readonly probeSuspectsFirst: boolean;
  /**
   * Node ids that may be members: the trust configuration's allow-list (src/config/trust.ts
   * `tls.allow`, the identities src/security/identity.ts admits). Gossip and records about any
   * other id, and messages from one, are ignored and counted. Undefined admits every id (an
   * `insecure: true` demo, which has no allow-list); the caps of limits.ts still bound the table.
   */
  readonly allowed?: ReadonlySet<string>;
}

/** Another member as this node sees it (memberlist nodeState). */
export interface Member {
  readonly id: string;
  readonly address: string;
  readonly incarnation: number;
  readonly state: MemberState;
  /** Clock time of the last state change. */
  readonly since: number;
}

/** One failure-detector probe of `target` (memberlist probeNode). */
export interface Probe {
  readonly target: string;
  readonly seq: number;
  /**
   * Round robin; a member we heard is suspect, probed in the next round-robin slot; the
   * runtime's ProbeNow ("a broken stream is a hint, not a verdict"); or one of the local inputs
   * (MemberGone, BfdDown: docs/membership.md "Inputs").
   */
  readonly cause: 'round-robin' | 'suspect-first' | 'probe-now' | MembershipInput;
  readonly startedAt: number;
  readonly phase: 'direct' | 'indirect';
  /** End of the direct phase: startedAt + probe timeout × (awareness + 1). */
  readonly directDeadline: number;
  /** End of the probe: startedAt + probe interval × (awareness + 1); then the target is suspect. */
  readonly deadline: number;
  /** Members asked for an indirect probe. */
  readonly helpers: readonly string[];
  /** Helpers that sent a nack. */
  readonly nacks: readonly string[];
}

/** An indirect probe we run for another member (memberlist handleIndirectPing). */
export interface Relay {
  /** Our ping's sequence number. */
  readonly seq: number;
  readonly target: string;
  readonly requester: Destination;
  readonly requesterSeq: number;
  readonly nack: boolean;
  readonly deadline: number;
}

export interface MembershipState {
  readonly params: MembershipParams;
  /** Start was fed: probing, gossip and joins run. */
  readonly running: boolean;
  /** Our own incarnation: only we raise it, to refute or to leave. */
  readonly incarnation: number;
  /** We left gracefully: no probing, no refuting, gossip only. */
  readonly leaving: boolean;
  /**
   * A full member list reached us (a push-pull) since Start. Until then the seeds are asked
   * again: gossip alone may have taught us some members but not those whose news expired.
   */
  readonly synced: boolean;
  /** Every other member we know, including dead and left ones until reaped. */
  readonly members: ReadonlyMap<string, Member>;
  /** Other members that are alive or suspect. */
  readonly liveOthers: number;
  /** Round-robin probe order over all known members, reshuffled each full round. */
  readonly probeOrder: readonly string[];
  readonly probeIndex: number;
  /** Suspects heard of from others, to probe in the next round-robin slots (probeSuspectsFirst). */
  readonly probeFirst: readonly string[];
  readonly nextProbeAt?: number;
  readonly probes: readonly Probe[];
  readonly relays: readonly Relay[];
  readonly suspicions: ReadonlyMap<string, Suspicion>;
  readonly queue: BroadcastQueue;
  /** Lifeguard local health score, 0..awarenessMax − 1. */
  readonly awareness: number;
  /** Last sequence number used. */
  readonly seq: number;
  /** mulberry32 state (prng.ts). */
  readonly rng: number;
  /** Next gossip round; armed only while broadcasts are queued. */
  readonly nextGossipAt?: number;
  readonly nextPushPullAt?: number;
  readonly joinRetryAt?: number;
  /** Earliest time a dead or left member is due to be forgotten. */
  readonly reapAt?: number;
}

/** Options of initialState. */
export interface MembershipInit {
  /** Seed of the member's PRNG: the same seed and events give the same run. */
  readonly seed: number;
  /** Start from this incarnation (a runtime that persists it across restarts). */
  readonly incarnation?: number;
  /** Members known at start (a restored snapshot; the simulator's warm start). No broadcast. */
  readonly members?: readonly { readonly id: string; readonly address: string; readonly incarnation?: number }[];
}

export type MembershipEvent =
  /** Join the seeds and arm the timers. */
  | { readonly type: 'Start' }
  /** The runtime's timer for nextDeadline(state) fired. */
  | { readonly type: 'Tick' }
  /**
   * A message arrived. `sender` is who the transport knows sent it: over gRPC the node id its
   * mutual-TLS identity and Hello name (src/adapters/grpc/peer-server.ts), not the message's own
   * `from`. A message whose `from` differs is dropped; `left` about a member is believed only
   * from that sender.
   */
  | { readonly type: 'Received'; readonly message: Message; readonly sender: string }
  /** Probe this member now, outside the round robin (a broken stream to it is a hint). */
  | { readonly type: 'ProbeNow'; readonly id: string }
  /** The transport could not deliver to `to` at all (connection refused). */
  | { readonly type: 'SendFailed'; readonly to: Destination }
  /** Graceful leave: gossip `left` with incarnation + 1. */
  | { readonly type: 'Leave' }
  /**
   * Our own crash verdict (MembershipTransport receiver `gone`): our stream to the member at
   * `address` ended without a goodbye and a redial was refused, so nothing listens there. It
   * starts our suspicion at once (no waiting for a probe), counts as our own confirmation of a
   * suspicion already running, and lets a suspicion that another member confirmed end at the
   * shorter `goneFloor` (docs/membership.md "Inputs"). Only the local transport feeds it: what a
   * peer says about a member never takes this path. `id` is the member the link was to, when
   * the transport knows it; the member must live at `address`, or the input is ignored.
   */
  | { readonly type: 'MemberGone'; readonly address: string; readonly id?: string; readonly reason: 'refused' }
  /**
   * Our BFD session to the member went Down (RFC 5880 §6.8.4: no control packet within the
   * Detection Time). A hint, as weak as the loss on one path: it only starts a probe at once,
   * with the direct phase skipped (helpers asked at once), and the probe decides.
   */
  | { readonly type: 'BfdDown'; readonly id: string };

/** The local inputs of issue 10 (crash verdict, BFD), as probe causes and metric labels. */
export type MembershipInput = 'gone' | 'bfd-down';

export type LogLevel = 'debug' | 'info' | 'warn';

/** 'unknown' = not in the member list: never heard of, or reaped. */
export type MemberStateOrUnknown = MemberState | 'unknown';

export type MembershipAction =
  | { readonly type: 'Send'; readonly to: Destination; readonly message: Message }
  | {
      readonly type: 'MemberChanged';
      readonly id: string;
      readonly address: string;
      readonly from: MemberStateOrUnknown;
      readonly to: MemberStateOrUnknown;
      readonly incarnation: number;
      readonly reason: string;
      /** This node's own direct and indirect probes of the member failed. */
      readonly confirmedByProbe: boolean;
    }
  | {
      readonly type: 'Log';
      readonly level: LogLevel;
      readonly msg: string;
      readonly fields?: Readonly<Record<string, unknown>>;
      /**
       * Lines a peer can cause over and over (member changes, refutations, drops) carry a key:
       * the runtime prints one line per key per window and counts what it held back.
       */
      readonly key?: string;
    }
  | { readonly type: 'Metric'; readonly name: MembershipMetricName; readonly labels: Readonly<Record<string, string>>; readonly inc: number };

export interface StepResult {
  readonly state: MembershipState;
  readonly actions: readonly MembershipAction[];
}
