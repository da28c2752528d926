/**
 * A vipd node in a unicast cluster (issue 3): gRPC transport + SWIM membership + one election
 * per VIP group. Membership feeds the elections the two things they need from the cluster:
 * quorum (who is reachable) and verdicts (a master confirmed down by direct and indirect
 * probes). A broken stream to a peer only asks membership to probe it now.
 * A witness runs transport, membership and a lease voter: it votes by being reachable and, in
 * `quorum: majority` groups, by granting leases (docs/leases.md). Adverts from the unicast
 * transport are authorised per group first (src/core/election/authorise.ts, issue 8 finding 5).
 * Built from ports only: src/app/cluster.ts puts it on gRPC, the tests and the simulator on the
 * in-memory transports (test/fakes/memory-membership.ts, test/fakes/memory-transport.ts).
 */
import type { Member } from '../core/membership/types.js';
import type { CheckState } from '../core/health/check.js';
import type { Audit } from '../ports/audit.js';
import { refuseAdvert, type AdvertRefusal } from '../core/election/authorise.js';
import { isValidTerm } from '../core/election/terms.js';
import type { ElectionParams } from '../core/election/types.js';
import { membershipParams, type MembershipBasics } from '../core/membership/params.js';
import type { Clock } from '../ports/clock.js';
import type { LinkMonitor } from '../ports/link-monitor.js';
import type { Logger } from '../ports/logger.js';
import type { GroupStanding, MembershipTransport } from '../ports/membership-transport.js';
import type { Metrics } from '../ports/metrics.js';
import type { LeaseMessage, LeaseTransport } from '../ports/lease-transport.js';
import { LogLimiter } from '../ports/log-limiter.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../ports/peer-transport.js';
import type { VipProvider } from '../ports/vip-provider.js';
import type { LivenessMessage } from '../ports/liveness-reports.js';
import { BfdPeers, type BfdPeersOptions } from './bfd-peers.js';
import type { BfdState } from '../core/bfd/packet.js';
import { CompositeTransport } from './composite-transport.js';
import { CrashVerdicts } from './crash-verdict.js';
import type { GroupStatus, HandoffHooks, LeaseHooks, RoleChange } from './instance-runner.js';
import { LeaseVoter } from './lease-voter.js';
import { MembershipRunner, type MemberChange } from './membership-runner.js';
import { announcementOf } from './announce.js';
import { MAINTENANCE, VipdNode, type NodeGroup, type NodeOptions } from './node.js';
import { quorumOf, type Voters } from './quorum.js';
import { DEFAULT_HANDOFF_OVERLAP_MAX_MS, handoffWaitMs } from '../core/election/handoff.js';
import { DEFAULT_RELEASE_MARGIN_MS } from '../core/election/lease.js';
import { successorFor, type LiveCandidate } from './handoff.js';
import { StartupHold } from './startup-hold.js';
import type { HealthCheckSpec } from './health-checks.js';
import type { Track } from '../core/health/weights.js';
import { START_GRACE_MS, VrrpIdentities } from './vrrp-identities.js';
import { masterDownIntervalMs } from '../core/election/timers.js';

/** How many times a relinquish is repeated after the first send (see leaseHooks). */
export const RELINQUISH_REPEATS = 2;

export interface ClusterGroup extends Voters {
  readonly params: ElectionParams;
  readonly provider: VipProvider;
  readonly quorum: 'majority' | 'none';
  readonly trackInterface?: string;
  /** S of docs/leases.md for a leased group: the stall of this node the lease tolerates. */
  readonly leaseStallToleranceMs?: number;
  /** How its adverts travel (default unicast); multicast and both need `lan`. */
  readonly transport?: 'unicast' | 'multicast' | 'both';
  /**
   * `vrrp_peers` of a `both` group (default any): `vipd` says every VRRP speaker in its VRID is
   * a vipd node of this cluster, so it runs the unicast machinery (electsAsUnicast).
   */
  readonly vrrpPeers?: 'any' | 'vipd';
  /** `reassert_interval`: how often a master re-reads and re-asserts its VIP (ProviderDriver). */
  readonly reassertIntervalMs?: number;
  /** `crash_verdict` (default true): a unicast group's top backup takes over at once from a master whose process is gone (crash-verdict.ts). */
  readonly crashVerdict?: boolean;
  /** `handoff` (default true): a stopping or preempted master hands off to a named successor. */
  readonly handoff?: boolean;
  /** `handoff_overlap_max`: the longest two nodes may hold the VIP during a handoff (default 200 ms). */
  readonly handoffOverlapMaxMs?: number;
  /** `startup_hold`: at start, wait this long at most to hear every peer before claiming (0 or absent: none). */
  readonly startupHoldMs?: number;
  /** The health checks this group tracks (docs/health-checks.md). */
  readonly tracks?: readonly Track[];
}

export interface ClusterNodeOptions {
  readonly nodeId: string;
  readonly seeds: readonly string[];
  readonly membership: Omit<MembershipBasics, 'self' | 'seeds'>;
  readonly groups: readonly ClusterGroup[];
  /** Carries the unicast groups' adverts (gRPC: the same object as `membershipTransport`). */
  readonly peerTransport: PeerTransport;
  /**
   * Carries lease acks and relinquishes (gRPC: the same object again). Without it this node
   * neither votes nor holds leases, and a `quorum: majority` unicast group is refused.
   */
  readonly leaseTransport?: LeaseTransport;
  readonly membershipTransport: MembershipTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Required when a group has a trackInterface. */
  readonly links?: LinkMonitor;
  readonly onRoleChange?: (change: RoleChange) => void;
  /** PRNG seed of the membership core (probe order); any number, e.g. from the pid. */
  readonly seed?: number;
  /**
   * Node ids that may be members: the allow-list of the trust configuration (`tls.allow`,
   * src/config/trust.ts). Undefined (insecure demos) admits any id, within the core's caps.
   */
  readonly allowed?: readonly string[];
  /** Standard VRRP for the groups that speak it (transport multicast or both). */
  readonly lan?: { readonly transport: PeerTransport; readonly groups: ReadonlySet<string> };
  /** A master of this node sent a Handoff (the simulator checks the overlap it allows). */
  readonly onHandoff?: (e: HandoffEvent) => void;
  /** `bfd.enabled`: BFD sessions to the groups' members and witnesses (bfd-peers.ts, docs/bfd.md). */
  readonly bfd?: ClusterBfd;
  /** Health checks the groups track (VipdNode runs them). */
  readonly checks?: readonly HealthCheckSpec[];
  /** Provider calls, check and member changes as events (src/runtime/event-log.ts). */
  readonly audit?: Audit;
  /** Groups that change role together (`sync_groups`, VipdNode). */
  readonly syncGroups?: NodeOptions['syncGroups'];
}

/** What a cluster node needs to run BFD: the sessions and the LivenessReport/Query frames of its peer links. */
export interface ClusterBfd {
  readonly sessions: BfdPeersOptions['sessions'];
  /** How long a voter's report counts, ms (a few Detection Times). */
  readonly reportTtlMs: number;
  /** The peer links' liveness frames (GrpcTransport.sendLiveness / onLiveness), by address. */
  readonly links: {
    sendLiveness(address: string, m: LivenessMessage): boolean;
    onLiveness(receiver: (m: LivenessMessage, from: string) => void): void;
  };
}

export interface HandoffEvent {
  readonly group: string;
  readonly from: string;
  readonly to: string;
  readonly term: number;
  /** The longest the two may hold the VIP together from now (handoff_overlap_max), ms. */
  readonly overlapMaxMs: number;
}

/** What `vipd run` runs: a cluster node, or a LAN-only node. */
export interface RunningNode {
  readonly metrics: Metrics;
  readonly address: string;
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
  /** Role, term and fault reason of every group (a provider that failed preflight: Fault). */
  groupStatus(): GroupStatus[];
  /** The members as this node sees them (none without membership: a VRRP-only node). */
  members(): ReadonlyMap<string, Member>;
  /** Every health check's state (status, recent results). */
  checkStates(): ReadonlyMap<string, CheckState>;
  /** Maintenance on (drain, then hold out) or off (docs/api.md); false: no such group. */
  setMaintenance(group: string, on: boolean): Promise<boolean>;
  /** An operator's temporary priority boost (0 ends it); false: no such group. */
  setBoost(group: string, by: number): boolean;
}

/** Groups a reload stops (`remove`, by name) and starts (`add`); a changed group is in both. */
export interface GroupChange {
  readonly remove: readonly string[];
  readonly add: readonly ClusterGroup[];
  /** Runs after the removed groups stopped and before the added ones start (the VRRP sockets). */
  readonly between?: () => Promise<void>;
}

export class ClusterNode implements RunningNode {
  readonly metrics: Metrics;
  readonly node: VipdNode;
  private readonly transport: MembershipTransport;
  private membership: MembershipRunner | undefined;
  private cancelLonelyCheck: (() => void) | undefined;
  private readonly groups: Map<string, ClusterGroup>;
  /** The groups whose adverts go over gRPC (CompositeTransport's route; a reload changes it). */
  private readonly unicastGroups: Set<string>;
  private readonly voter: LeaseVoter | undefined;
  private readonly limiter: LogLimiter;
  /** Repeats of a relinquish still to send (cancelled when the node stops or crashes). */
  private readonly pendingRelinquish = new Set<() => void>();
  /**
   * Where each authorised advertiser said it serves, on its own authenticated stream: lease acks
   * and relinquishes go there before where gossip puts it, since a third party's gossip can
   * misplace a member for a while (simulator adversarial seeds 622 and 664). One entry per
   * configured or announced advertiser, so bounded by the allow-list.
   */
  private readonly spokeFrom = new Map<string, string>();
  /** Where adverts that pass authorisation go (VipdNode's router). */
  private deliver: AdvertHandler | undefined;
  /** Crash verdicts from our own transport: our voter drops, the top backup takes over. */
  private readonly verdicts: CrashVerdicts;
  /** The last priority each authorised advertiser advertised, per group (successor ranking). */
  private readonly heardPriority = new Map<string, Map<string, number>>();
  /** Startup holds still running, by group (startup-hold.ts). */
  private readonly startupHolds = new Map<string, StartupHold>();
  /** BFD sessions and the majority rule, when `bfd.enabled` (bfd-peers.ts). */
  private bfd: BfdPeers | undefined;
  /** Who the VRRP adverts of vrrp_peers: vipd groups come from (vrrp-identities.ts). */
  private readonly vrrpIds = new VrrpIdentities();
  /** When this node started, for the grace before an unknown VRRP speaker is reported. */
  private startedAt: number | undefined;

  constructor(private readonly opts: ClusterNodeOptions) {
    this.metrics = opts.metrics;
    this.transport = opts.membershipTransport;
    const log = opts.logger;
    this.limiter = new LogLimiter(opts.clock, log);
    const groups = opts.groups.map((g) => withHandoff(withLease(g, opts.nodeId)));
    this.groups = new Map(groups.map((g) => [g.params.group, g]));
    const leased = groups.find((g) => g.params.lease);
    if (leased && !opts.leaseTransport) throw new Error(`group ${leased.params.group} has quorum majority (leases) but the node has no lease transport`);
    this.voter = opts.leaseTransport ? new LeaseVoter(opts.nodeId, opts.clock, log.child({ component: 'lease' }), this.metrics) : undefined;
    opts.leaseTransport?.onLease((m, from) => this.receiveLease(m, from));
    this.verdicts = new CrashVerdicts({
      voter: this.voter,
      groups: () => [...this.groups.values()].filter(electsAsUnicast).flatMap((g) => {
        const runner = this.node.runners.get(g.params.group);
        return runner ? [{ runner, peers: g.peers, enabled: g.crashVerdict !== false }] : [];
      }),
      live: (id) => ['alive', 'suspect'].includes(this.members().get(id)?.state ?? ''),
      now: () => opts.clock.now(),
      logger: log.child({ component: 'crash-verdict' }),
    });
    const unicast = new Set(groups.filter((g) => (g.transport ?? 'unicast') !== 'multicast').map((g) => g.params.group));
    this.unicastGroups = unicast;
    // Unicast adverts pass authorisation and our voter before the elections see them.
    const inbound: PeerTransport = {
      start: (handler) => {
        this.deliver = handler;
        return opts.peerTransport.start((m) => this.receiveAdvert(m));
      },
      send: (m) => opts.peerTransport.send(m),
      stop: () => opts.peerTransport.stop(),
    };
    this.node = new VipdNode({
      nodeId: opts.nodeId,
      groups: groups.map((g) => this.nodeGroup(g)),
      ...(opts.checks ? { checks: opts.checks } : {}),
      ...(opts.audit ? { audit: opts.audit } : {}),
      ...(opts.syncGroups ? { syncGroups: opts.syncGroups } : {}),
      transport: opts.lan
        ? new CompositeTransport([{ transport: inbound, groups: unicast }, { transport: this.vrrpInbound(opts.lan.transport), groups: opts.lan.groups }])
        : inbound,
      clock: opts.clock,
      logger: log,
      metrics: this.metrics,
      ...(opts.links ? { links: opts.links } : {}),
      ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
    });
  }

  get address(): string {
    return this.transport.address;
  }

  /** What VipdNode runs for `g`: its election with this node's lease and handoff glue. */
  private nodeGroup(g: ClusterGroup): NodeGroup {
    return {
      params: g.params, provider: g.provider,
      // Only unicast groups' terms are ordered across the cluster (a node adopts the highest
      // it hears); a VRRP group's (multicast, both) are per node: never fenced across nodes,
      // unless all its speakers are vipd nodes (vrrp_peers: vipd, vrrp-identities.ts).
      fenced: electsAsUnicast(g),
      ...(g.reassertIntervalMs !== undefined ? { reassertIntervalMs: g.reassertIntervalMs } : {}),
      ...(g.trackInterface ? { trackInterface: g.trackInterface } : {}),
      ...(g.params.lease ? { lease: this.leaseHooks(g) } : {}),
      ...(handoffEnabled(g) ? { handoffHooks: this.handoffHooks(g) } : {}),
      ...(g.tracks ? { tracks: g.tracks } : {}),
    };
  }

  /**
   * A reload (docs/api.md "Reload"): the groups in `remove` stop (a master hands off to its
   * best live peer first, as at shutdown, else resigns with priority 0), then those in `add`
   * start with a startup hold, as at a cold start; every other group runs on untouched. A
   * changed group is in both. Unicast and multicast groups: a `both` group's VRRP identities
   * and BFD sessions are set up at start (src/app/reload.ts says "needs a restart" for them).
   */
  async reconfigure(change: GroupChange): Promise<void> {
    const both = change.add.find((g) => g.transport === 'both');
    if (both) throw new Error(`group ${both.params.group} speaks VRRP beside gRPC (transport both): adding it needs a restart`);
    // What the operator set on a changed group carries over to its new runner (docs/api.md).
    const carried = new Map<string, { maintenance: boolean; boost: number }>();
    for (const name of change.remove) {
      const st = this.node.runners.get(name)?.status();
      if (st) carried.set(name, { maintenance: st.faults.some((f) => f.resource === MAINTENANCE), boost: st.boost });
      await this.handOff(name);
      this.startupHolds.get(name)?.cancel();
      this.startupHolds.delete(name);
      await this.node.removeGroup(name);
      this.groups.delete(name);
      this.unicastGroups.delete(name);
      this.heardPriority.delete(name);
    }
    await change.between?.();
    for (const raw of change.add) {
      const g = withHandoff(withLease(raw, this.opts.nodeId));
      if (g.params.lease && !this.opts.leaseTransport) throw new Error(`group ${g.params.group} has quorum majority (leases) but the node has no lease transport`);
      this.groups.set(g.params.group, g);
      if (g.transport !== 'multicast') this.unicastGroups.add(g.params.group);
      try {
        const kept = carried.get(g.params.group);
        await this.node.addGroup(this.nodeGroup(g), (runner) => {
          if (kept?.maintenance) runner.raiseFault(MAINTENANCE, 'operator maintenance, kept across a reload (vipctl maintenance off ends it)');
          if (kept?.boost) runner.setBoost(kept.boost);
          this.armStartupHold(g);
        });
      } catch (err) {
        this.groups.delete(g.params.group);
        this.unicastGroups.delete(g.params.group);
        throw err;
      }
    }
    this.checkStartupHolds();
    this.updateQuorum();
    // The peers learn our new groups and priorities now, not at our next reconnect.
    this.transport.reannounce?.(announcementOf([...this.groups.values()]));
  }

  async start(signal?: AbortSignal): Promise<void> {
    const { opts } = this;
    this.startedAt = opts.clock.now();
    // Listen first: membership needs our address.
    await this.transport.listen({
      message: (m, from) => this.membership?.receive(m, from),
      // A broken stream is a hint, not a verdict (issue 3 §3): ask membership to probe now.
      peerDown: (id) => {
        this.verdicts.streamBroke(id);
        this.streamBroke(id);
      },
      peerUp: (id) => this.verdicts.streamUp(id),
      // Our own crash verdict (issue 10): the voters drop their promises, the top backup takes
      // over (docs/leases.md), and membership suspects at once (docs/membership.md).
      gone: (address, nodeId, reason) => {
        this.verdicts.gone(address, nodeId);
        this.membership?.memberGone(address, nodeId, reason);
      },
      standing: (id, standing) => {
        this.verdicts.standing(id, standing);
        this.learnVrrpAddresses(id, standing);
        this.checkStartupHolds(); // a Hello is hearing a peer, and may name one that ranks above us
      },
      unreachable: (address) => this.membership?.sendFailed({ address }),
      groupTargets: (group) => this.targets(group),
      nodeAt: (address) => this.liveMemberAt(address),
    });
    this.membership = new MembershipRunner({
      params: membershipParams(
        { ...opts.membership, self: { id: opts.nodeId, address: this.transport.address }, seeds: opts.seeds },
        opts.allowed ? { allowed: new Set(opts.allowed) } : {},
      ),
      seed: opts.seed ?? 1,
      clock: opts.clock,
      send: (to, message) => void this.transport.sendMembership(to.address, message),
      logger: opts.logger.child({ component: 'membership' }),
      metrics: this.metrics,
      onMemberChanged: (c) => this.memberChanged(c),
    });
    this.membership.start();
    await this.startBfd();
    this.armStartupHolds();
    await this.node.start(signal);
    this.checkStartupHolds();
    this.updateQuorum();
    const lonely = opts.groups.filter((g) => g.quorum === 'none' && g.peers.length === 0 && opts.seeds.length === 0);
    for (const g of lonely) {
      opts.logger.warn({ group: g.params.group }, `group ${g.params.group} has no peers, no seeds and quorum none: this node will be master alone; another node running this VIP means split brain`);
    }
    // An empty view must never silently become a lone master (split brain). Once joining
    // has had its chance, say so loudly for every quorum-less group that reaches no peer.
    const graceMs = Math.max(3000, 10 * opts.membership.probeIntervalMs);
    this.cancelLonelyCheck = opts.clock.schedule(opts.clock.now() + graceMs, () => {
      for (const g of opts.groups) {
        if (g.quorum !== 'none' || lonely.includes(g) || this.targets(g.params.group).length > 0) continue;
        opts.logger.warn({ group: g.params.group, seeds: opts.seeds }, `group ${g.params.group}: no peer reachable ${graceMs} ms after start and quorum none: this node may be master alone (split brain if a peer is alive but unreachable)`);
        this.metrics.set('vipd_group_reachable_peers', { group: g.params.group }, 0);
      }
    });
  }

  /** Graceful: masters resign (priority 0), membership announces the leave, then close. */
  async stop(): Promise<void> {
    this.cancelLonelyCheck?.();
    this.endStartupHolds();
    // Hand off before resigning: the successor takes over at once, no Skew_Time (issue 10).
    this.node.pauseSync();
    await Promise.all([...this.groups.keys()].map((g) => this.handOff(g)));
    await this.node.resign();
    // AdminDown to every BFD peer (RFC 5880 §6.8.16) before the leave, so peers see a graceful
    // stop rather than their sessions being removed under ours, and before the gRPC listener
    // closes (docs/leases.md A6).
    await this.bfd?.stop();
    await this.membership?.leave(Math.max(200, this.opts.membership.probeIntervalMs * 2));
    await this.node.stop();
    await this.transport.close();
    this.cancelRelinquishRepeats();
  }

  /**
   * Dies without a word, the crash model of the simulator: no priority-0 advert, no leave,
   * nothing released; the links close as a killed process's would.
   */
  async halt(): Promise<void> {
    this.endStartupHolds();
    this.cancelRelinquishRepeats();
    this.cancelLonelyCheck?.();
    this.membership?.stop();
    await this.bfd?.halt();
    await this.node.halt();
    await this.transport.close();
  }

  groupStatus(): GroupStatus[] {
    return this.node.groupStatus();
  }

  members(): ReadonlyMap<string, Member> {
    return this.membership?.members() ?? new Map();
  }

  checkStates(): ReadonlyMap<string, CheckState> {
    return this.node.checkStates();
  }

  setMaintenance(group: string, on: boolean): Promise<boolean> {
    return this.node.setMaintenance(group, on, (g) => this.handOff(g));
  }

  setBoost(group: string, by: number): boolean {
    return this.node.setBoost(group, by);
  }

  /** bfd.SessionState of our BFD session to `nodeId` (undefined: BFD off or no session). */
  bfdState(nodeId: string): BfdState | undefined {
    return this.bfd?.state(nodeId);
  }

  /**
   * BFD (docs/bfd.md "What runs"): sessions to the members and witnesses of the unicast groups
   * (every member on a witness, or for a group without a peer list), Down fed to membership and
   * to the majority rule of each group with a peer list, whose agreement reaches the election as
   * PeerConfirmedDown `bfd-down`. Liveness frames go where leases go (leaseAddress).
   */
  private async startBfd(): Promise<void> {
    const bfd = this.opts.bfd;
    if (!bfd) return;
    const self = this.opts.nodeId;
    const unicast = [...this.groups.values()].filter(electsAsUnicast);
    const witness = this.opts.groups.length === 0;
    const named = new Set(unicast.flatMap((g) => [...g.peers, ...g.witnesses]));
    const anyMember = witness || unicast.some((g) => g.peers.length === 0);
    const groups = unicast.filter((g) => g.peers.length > 0).map((g) => ({
      name: g.params.group,
      voters: [...new Set([self, ...g.peers, ...g.witnesses])],
      peerConfirmedDown: (id: string, reason: string) => this.node.runners.get(g.params.group)?.peerConfirmedDown(id, reason),
    }));
    this.bfd = new BfdPeers({
      self, sessions: bfd.sessions, reportTtlMs: bfd.reportTtlMs, groups, witness,
      wanted: (id) => anyMember || named.has(id),
      reports: {
        send: (to, m) => {
          const address = this.leaseAddress(to);
          if (address !== undefined) bfd.links.sendLiveness(address, m);
        },
        onMessage: (handler) => bfd.links.onLiveness((m, from) => handler(from, m)),
      },
      members: () => this.members(),
      bfdDown: (id) => this.membership?.bfdDown(id),
      clock: this.opts.clock,
      logger: this.opts.logger.child({ component: 'bfd' }),
    });
    await this.bfd.start(this.transport.address);
  }

  private leaseAddress(id: string): string | undefined {
    return this.spokeFrom.get(id) ?? this.members().get(id)?.address;
  }

  private cancelRelinquishRepeats(): void {
    for (const cancel of this.pendingRelinquish) cancel();
    this.pendingRelinquish.clear();
  }

  /** The live member membership knows at `address`, the node a dialler expects to answer there. */
  private liveMemberAt(address: string): string | undefined {
    for (const [id, m] of this.members()) if (m.address === address && (m.state === 'alive' || m.state === 'suspect')) return id;
    return undefined;
  }

  private targets(group: string): string[] {
    const g = this.groups.get(group);
    const members = this.members();
    // A leased group's witnesses vote, so they hear its adverts too (docs/leases.md).
    const ids = g && g.peers.length > 0 ? (g.params.lease ? [...g.peers, ...g.witnesses] : g.peers) : [...members.keys()];
    const out: string[] = [];
    for (const id of ids) {
      const m = members.get(id);
      if (m && (m.state === 'alive' || m.state === 'suspect')) out.push(m.address);
    }
    return out;
  }

  /**
   * A verdict for the elections: our own direct and indirect probes failed, or the member is
   * dead, or other members' probes failed (gossiped suspicion) while our own stream to it is
   * broken too. The last rule matters because whichever backup's probe finishes first gossips
   * the suspicion, and the others then see "suspect" before their own probe ends; without it
   * they would wait the full Master_Down_Interval and a lower priority could win the race.
   */
  private memberChanged(c: MemberChange): void {
    this.opts.audit?.record({ type: 'member', id: c.id, from: c.from, to: c.to });
    this.updateQuorum();
    this.bfd?.sync();
    this.checkStartupHolds();
    if (c.to === 'left' || c.to === 'unknown') this.forgetLink(c);
    // `left` is believed only from the leaver itself (core/membership/members.ts): a master
    // handing off to it releases now instead of waiting out its wait for HandoffDone, as when a
    // whole cluster stops at once (the demo's Ctrl-C).
    if (c.to === 'left') return this.confirmDown(c.id, 'left the cluster');
    if (c.to === 'dead') return this.confirmDown(c.id, `declared dead: ${c.reason}`);
    if (c.to !== 'suspect') return;
    if (c.confirmedByProbe) return this.confirmDown(c.id, `direct and indirect probes failed: ${c.reason}`);
    if (!this.transport.isUp(c.address)) this.confirmDown(c.id, `suspected by peers (${c.reason}) and our stream to it is down`);
  }

  /**
   * A member that left or was reaped gets no more messages from us: close its link (issue 8
   * finding 7), unless another live member now listens at that address.
   */
  private forgetLink(c: MemberChange): void {
    for (const m of this.members().values()) {
      if (m.id !== c.id && m.address === c.address && (m.state === 'alive' || m.state === 'suspect')) return;
    }
    this.transport.forget(c.address);
  }

  private streamBroke(id: string): void {
    if (this.members().get(id)?.state === 'suspect') {
      this.confirmDown(id, `our stream to it broke while peers suspect it`);
      return;
    }
    this.membership?.probeNow(id);
  }

  private confirmDown(id: string, reason: string): void {
    for (const r of this.node.runners.values()) r.peerConfirmedDown(id, reason);
  }

  /**
   * An advert from the unicast transport. With an origin (an authenticating transport), it is
   * heard only from a node that runs the group at its announced address (refuseAdvert, issue 8
   * finding 5); then our voter may grant it; then the group's election hears it. An advert for
   * a group we do not run still reaches our voter (a witness votes that way).
   */
  private receiveAdvert(msg: GroupAdvert): void {
    const g = this.groups.get(msg.group);
    const runsIt = g !== undefined && (g.transport ?? 'unicast') !== 'multicast';
    if (msg.origin) {
      const refusal = refuseAdvert(msg.group, runsIt ? g : undefined, msg.advert, msg.origin);
      if (refusal) return this.dropAdvert(msg, refusal);
      if (msg.origin.address !== undefined) this.spokeFrom.set(msg.origin.nodeId, msg.origin.address);
      if (g && g.transport === 'both' && electsAsUnicast(g)) this.vrrpIds.learn(msg.group, msg.advert.sender.address, msg.advert.sender.nodeId, msg.advert.term, this.opts.clock.now());
    }
    if (runsIt) this.heardAdvert(msg.group, msg.advert.sender.nodeId, msg.advert.priority);
    // Without an origin (an in-memory transport that vouches for nothing) the sender's word is
    // all there is; gRPC always gives one.
    if (this.vote(msg) && !g) return;
    this.deliver?.(msg);
  }

  /**
   * The LAN transport with the VRRP adverts of vrrp_peers: vipd groups attributed to the vipd
   * node that sent them (vrrp-identities.ts). Other groups' adverts pass as they came.
   */
  private vrrpInbound(lan: PeerTransport): PeerTransport {
    return {
      start: (handler) => lan.start((m) => handler(this.attributeVrrp(m))),
      send: (m) => lan.send(m),
      stop: () => lan.stop(),
    };
  }

  /** A Hello's standing names the address each of its groups' adverts come from (vrrp-identities.ts). */
  private learnVrrpAddresses(id: string, standing: readonly GroupStanding[]): void {
    for (const s of standing) {
      const g = this.groups.get(s.group);
      if (!g || g.transport !== 'both' || !electsAsUnicast(g) || (g.peers.length > 0 && !g.peers.includes(id))) continue;
      this.vrrpIds.learn(s.group, s.address, id, undefined, this.opts.clock.now());
    }
  }

  private attributeVrrp(msg: GroupAdvert): GroupAdvert {
    const g = this.groups.get(msg.group);
    if (!g || !electsAsUnicast(g)) return msg;
    const now = this.opts.clock.now();
    const r = this.vrrpIds.resolve(msg.group, msg.advert, now, (id) => ['alive', 'suspect'].includes(this.members().get(id)?.state ?? ''));
    if (r.kind === 'vipd') return { ...msg, advert: r.advert };
    const out = { ...msg, advert: r.advert };
    // A speaker that is no vipd peer (yet): a peer heard on the LAN before its first gRPC advert
    // is normal at start; after the grace it is a keepalived or FRR router, or a peer whose gRPC
    // path is down, and vrrp_peers: vipd is then wrong (docs/lan-mode.md "vrrp_peers: vipd").
    this.metrics.inc('vipd_vrrp_unattributed_total', { group: msg.group, reason: r.kind });
    const graceMs = Math.max(START_GRACE_MS, 3 * masterDownIntervalMs(g.params.basePriority, g.params.advertIntervalCs, g.params.version));
    if (this.startedAt !== undefined && now - this.startedAt > graceMs) {
      const who = r.kind === 'ambiguous' ? `claimed by ${r.claimants.join(' and ')}` : 'not a vipd peer heard over gRPC';
      this.limiter.log('warn', `group ${msg.group} (vrrp_peers: vipd): VRRP advert from ${msg.advert.sender.address ?? '?'} (priority ${msg.advert.priority}), ${who}; it is followed as a VRRP router, without terms, crash verdict or handoff`, { group: msg.group, reason: `vrrp-${r.kind}` });
    }
    return out;
  }

  private dropAdvert(msg: GroupAdvert, reason: AdvertRefusal): void {
    const a = msg.advert;
    this.metrics.inc('vipd_adverts_dropped_total', { group: this.groups.has(msg.group) ? msg.group : '', reason });
    this.limiter.log('warn', `dropped advert for ${msg.group} from ${msg.origin?.nodeId ?? a.sender.nodeId}: ${reason} (it claims ${a.sender.nodeId}${a.sender.address ? ` at ${a.sender.address}` : ''}, priority ${a.priority})`, { reason });
  }

  /** Our voter's part (docs/leases.md): grant and ack an advert that asks for a lease. */
  private vote(msg: GroupAdvert): boolean {
    const a = msg.advert;
    const lt = this.opts.leaseTransport;
    if (!this.voter || !lt || a.leaseEcho === undefined || a.priority === 0) return false;
    // The election checks these again; the voter must not promise on a malformed advert either.
    const wellFormed = Number.isInteger(a.priority) && a.priority > 0 && a.priority <= 255 && Number.isInteger(a.advertIntervalCs) &&
      a.advertIntervalCs >= 1 && a.advertIntervalCs <= 4095 && isValidTerm(a.term) && Number.isSafeInteger(a.leaseEcho);
    if (!wellFormed) return false;
    const g = this.groups.get(msg.group);
    // A group we run without leases (quorum none) asks for none: do not vote in it.
    if (g && !g.params.lease) return false;
    // The address the master announced on its own stream: a crash verdict about that address may drop the promise.
    const d = this.voter.decide(msg.group, a.sender.nodeId, a.term, a.advertIntervalCs, a.leasePromiseMs, msg.origin?.address);
    // Ack to where the master says it serves, on its own authenticated stream, before what
    // gossip says: a third party's gossip can misplace a member for a while (simulator
    // adversarial seed 664, acks sent to the adversary's address).
    const address = this.leaseAddress(a.sender.nodeId);
    if (!d.granted) {
      // A term we granted already: tell the master, so it moves past it (docs/leases.md, "Terms").
      if (d.grantedTerm !== undefined && address !== undefined) lt.sendLease(address, { kind: 'refusal', group: msg.group, term: a.term, grantedTerm: d.grantedTerm });
      return true;
    }
    const sent = address !== undefined && lt.sendLease(address, { kind: 'ack', group: msg.group, term: a.term, echo: a.leaseEcho });
    if (!sent) this.metrics.inc('vipd_lease_acks_unsent_total', { group: msg.group });
    return true;
  }

  private receiveLease(m: LeaseMessage, from: string): void {
    if (m.kind === 'handoff' || m.kind === 'handoff-done') return this.receiveHandoff(m, from);
    if (m.kind === 'relinquish') {
      this.voter?.relinquish(m.group, from, m.term);
      return;
    }
    const runner = this.node.runners.get(m.group);
    if (!runner || !this.groups.get(m.group)?.params.lease) {
      this.metrics.inc('vipd_lease_acks_ignored_total', { group: '', reason: 'unknown-group' });
      return;
    }
    // The core counts only the group's voters.
    if (m.kind === 'refusal') runner.leaseTermBehind(from, m.term, m.grantedTerm);
    else runner.leaseAck(from, m.term, m.echo);
  }

  /** The election's side of our voter and of the relinquish messages. */
  private leaseHooks(g: ClusterGroup): LeaseHooks {
    const group = g.params.group;
    return {
      selfGrant: (term, advertIntervalCs, promiseMs) => this.voter?.decide(group, this.opts.nodeId, term, advertIntervalCs, promiseMs) ?? { granted: false },
      relinquished: (term) => {
        this.voter?.relinquish(group, this.opts.nodeId, term);
        const send = (): void => {
          const members = this.members();
          const ids = new Set([...(g.peers.length > 0 ? g.peers : [...members.keys()]), ...g.witnesses]);
          for (const id of ids) {
            const address = this.spokeFrom.get(id) ?? members.get(id)?.address;
            if (address !== undefined && id !== this.opts.nodeId) this.opts.leaseTransport?.sendLease(address, { kind: 'relinquish', group, term });
          }
        };
        send();
        // A lost relinquish leaves the voters' promises to run out (P: 6 s at wan timings) with
        // nobody holding the VIP, e.g. during a preemption (simulator adversarial seed 622). Send
        // it RELINQUISH_REPEATS more times, a quarter interval apart. Harmless late: a voter drops
        // only a promise to us whose term is at most this one, and a new mastership has a later term.
        const gap = Math.max(20, (g.params.advertIntervalCs * 10) / 4);
        for (let i = 1; i <= RELINQUISH_REPEATS; i++) {
          const cancel = this.opts.clock.schedule(this.opts.clock.now() + i * gap, () => {
            this.pendingRelinquish.delete(cancel);
            send();
          });
          this.pendingRelinquish.add(cancel);
        }
      },
    };
  }

  // ---- handoff and startup hold (issue 10; docs/leases.md "Handoff", docs/configuration.md) ----

  /**
   * Maintenance hook (issue 11's API calls it; ClusterNode.stop uses it): if this node is master
   * of `group`, hand it off to the top-ranked live peer and wait until the handoff is over. False
   * when there was nothing to hand off or no live successor (the caller then resigns the RFC way).
   */
  async handOff(group: string): Promise<boolean> {
    const g = this.groups.get(group);
    const runner = this.node.runners.get(group);
    if (!g || !runner || runner.state.role !== 'Master' || !handoffEnabled(g)) return false;
    const to = this.successorOf(g);
    if (to === undefined) {
      this.metrics.inc('vipd_handoffs_total', { group, result: 'no-successor' });
      return false;
    }
    this.metrics.inc('vipd_handoffs_total', { group, result: 'offered' });
    const wait = handoffWaitFor(g);
    await runner.handOff(to, wait, g.provider.singleHolder === true);
    return true;
  }

  /** The successor for a handoff of `g`: its live peers, ranked (src/runtime/handoff.ts). */
  private successorOf(g: ClusterGroup): string | undefined {
    const members = this.members();
    const witnesses = new Set(g.witnesses);
    const ids = g.peers.length > 0 ? g.peers : [...members.keys()].filter((id) => !witnesses.has(id));
    const heard = this.heardPriority.get(g.params.group);
    const candidates: LiveCandidate[] = [];
    for (const id of ids) {
      const m = members.get(id);
      if (id === this.opts.nodeId || m?.state !== 'alive') continue;
      // Its last advert to us, else what its Hello announced (peers that never advertised to us).
      const priority = heard?.get(id) ?? this.verdicts.announcedPriority(id, g.params.group);
      candidates.push({ nodeId: id, ...(priority !== undefined ? { priority } : {}) });
    }
    return successorFor(candidates, this.opts.nodeId);
  }

  /** The runner's side of the handoff messages (Handoff, HandoffDone; src/wire/handoff-frame.ts). */
  private handoffHooks(g: ClusterGroup): HandoffHooks {
    const group = g.params.group;
    const lt = this.opts.leaseTransport;
    return {
      offer: (to, term) => {
        // Our own voter first, then the other voters, the successor last: its advert then finds
        // the promises moved (docs/leases.md, "Handoff").
        this.voter?.handOver(group, this.opts.nodeId, term, to);
        const members = this.members();
        const voters = [...new Set([...(g.peers.length > 0 ? g.peers : [...members.keys()]), ...g.witnesses])].filter((id) => id !== this.opts.nodeId && id !== to);
        for (const id of [...voters, to]) {
          const address = this.leaseAddress(id);
          if (address !== undefined) lt?.sendLease(address, { kind: 'handoff', group, term, successor: to });
        }
        this.opts.onHandoff?.({ group, from: this.opts.nodeId, to, term, overlapMaxMs: g.handoffOverlapMaxMs ?? DEFAULT_HANDOFF_OVERLAP_MAX_MS });
      },
      done: (from, term) => {
        const address = this.leaseAddress(from);
        if (address !== undefined) lt?.sendLease(address, { kind: 'handoff-done', group, term });
      },
    };
  }

  /** A Handoff (voters move their promise; the named successor takes over) or a HandoffDone. */
  private receiveHandoff(m: Extract<LeaseMessage, { kind: 'handoff' | 'handoff-done' }>, from: string): void {
    const g = this.groups.get(m.group);
    if (m.kind === 'handoff') {
      // Our voter moves only a promise to `from` itself (lease.ts handOver): a third node's word moves nothing.
      if (!g || g.params.lease) this.voter?.handOver(m.group, from, m.term, m.successor);
      if (g && m.successor === this.opts.nodeId) this.node.runners.get(m.group)?.handoffOffered(from, m.term);
      return;
    }
    this.node.runners.get(m.group)?.handoffDone(from, m.term);
  }

  private heardAdvert(group: string, from: string, priority: number): void {
    let m = this.heardPriority.get(group);
    if (!m) {
      m = new Map();
      this.heardPriority.set(group, m);
    }
    if (Number.isInteger(priority) && priority >= 0 && priority <= 255 && (m.has(from) || m.size < 256)) m.set(from, priority);
    // A master speaks: no need to hold the start back any longer.
    if (priority > 0) this.startupHolds.get(group)?.heardMaster(from);
  }

  /** Before the elections start: groups with a startup hold and a peer list wait (startup-hold.ts). */
  private armStartupHolds(): void {
    for (const g of this.groups.values()) this.armStartupHold(g);
  }

  private armStartupHold(g: ClusterGroup): void {
    const runner = this.node.runners.get(g.params.group);
    if (!runner || !g.startupHoldMs || g.startupHoldMs <= 0 || g.peers.length === 0) return;
    const hold = new StartupHold({
      peers: g.peers.filter((p) => p !== this.opts.nodeId), holdMs: g.startupHoldMs, clock: this.opts.clock,
      // A peer known to rank above us (its adverts, or its Hello) is waited for: the hold
      // goes on until a master advertises (startup-hold.ts). Released at the bound instead,
      // the first claim still waits one more Master_Down_Interval: the peers' holds end at
      // different times, and on a loaded host the top one may start its election late.
      target: { holdStartup: () => runner.holdStartup(), releaseStartup: (reason) => runner.releaseStartup(reason, this.outrankedAtStart(g) !== undefined) },
      heard: (id) => this.members().get(id)?.state === 'alive' || this.heardPriority.get(g.params.group)?.has(id) === true
        || this.verdicts.announcedPriority(id, g.params.group) !== undefined,
      outranked: () => this.outrankedAtStart(g),
      onEnd: () => this.startupHolds.delete(g.params.group),
    });
    this.startupHolds.set(g.params.group, hold);
    hold.arm();
  }

  /** A peer of `g` that announced (advert or Hello) a priority above ours, if any. */
  private outrankedAtStart(g: ClusterGroup): string | undefined {
    const group = g.params.group;
    const mine = g.params.basePriority;
    return g.peers.find((id) => {
      if (id === this.opts.nodeId) return false;
      const p = this.heardPriority.get(group)?.get(id) ?? this.verdicts.announcedPriority(id, group);
      return p !== undefined && p > mine;
    });
  }

  private checkStartupHolds(): void {
    for (const h of [...this.startupHolds.values()]) h.check();
  }

  private endStartupHolds(): void {
    for (const h of [...this.startupHolds.values()]) h.cancel();
    this.startupHolds.clear();
  }

  private updateQuorum(): void {
    const members = this.members();
    for (const g of this.groups.values()) {
      if (g.quorum !== 'majority') continue;
      const q = quorumOf(g, members);
      this.node.runners.get(g.params.group)?.setQuorum(q.hasQuorum, q.detail);
    }
  }
}

/**
 * A unicast `quorum: majority` group holds its VIP on a lease (docs/leases.md); its voters are
 * the configured peers and witnesses; so does a `both` group with vrrp_peers: vipd. Other VRRP
 * groups (multicast, both) and quorum none do not: keepalived and FRR peers cannot grant, and
 * quorum none promises no majority.
 */
function withLease(g: ClusterGroup, self: string): ClusterGroup {
  if (g.quorum !== 'majority' || !electsAsUnicast(g) || g.params.lease) return g;
  const voters = [...new Set([...g.peers, ...g.witnesses])].filter((id) => id !== self);
  const stall = g.leaseStallToleranceMs === undefined ? {} : { stallToleranceMs: g.leaseStallToleranceMs };
  return { ...g, params: { ...g.params, lease: { voters, ...stall } } };
}

/**
 * Whether every speaker of the group is a vipd node, so it runs leases, crash verdicts, handoff
 * and BFD: transport unicast, and both with vrrp_peers: vipd (src/config/types.ts, same rule).
 */
export function electsAsUnicast(g: Pick<ClusterGroup, 'transport' | 'vrrpPeers'>): boolean {
  const t = g.transport ?? 'unicast';
  return t === 'unicast' || (t === 'both' && g.vrrpPeers === 'vipd');
}

/** Handoff applies to unicast groups (`handoff: true`, the default) whose bound leaves a wait. */
function handoffEnabled(g: ClusterGroup): boolean {
  return g.handoff !== false && electsAsUnicast(g) && handoffWaitMs(g.handoffOverlapMaxMs ?? DEFAULT_HANDOFF_OVERLAP_MAX_MS, g.params.lease?.releaseMarginMs ?? DEFAULT_RELEASE_MARGIN_MS) !== undefined;
}

/** How long a master of `g` waits for HandoffDone: handoff_overlap_max less R (core handoff.ts). */
function handoffWaitFor(g: ClusterGroup): number {
  return handoffWaitMs(g.handoffOverlapMaxMs ?? DEFAULT_HANDOFF_OVERLAP_MAX_MS, g.params.lease?.releaseMarginMs ?? DEFAULT_RELEASE_MARGIN_MS) ?? 0;
}

/** A leased group hands off on preemption too (the core's params.handoff, step.ts). */
function withHandoff(g: ClusterGroup): ClusterGroup {
  if (!g.params.lease || !handoffEnabled(g) || g.params.handoff) return g;
  return { ...g, params: { ...g.params, handoff: { waitMs: handoffWaitFor(g), releaseFirst: g.provider.singleHolder === true } } };
}
