/**
 * Runs one VIP group: feeds events to the pure election core and carries out its actions.
 * The runtime is where the core meets the outside world, through ports (docs/architecture.md
 * "Layers"). It arms a single timer for the core's earliest deadline (keepalived) and feeds
 * TimerFired back.
 */
import { currentPriority, nextDeadline, initialState, step } from '../core/election/step.js';
import type { Advert, ElectionAction, ElectionEvent, ElectionParams, ElectionState, Role } from '../core/election/types.js';
import { assertNever } from '../core/assert.js';
import { roleLabel } from '../core/election/transition.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { GroupAdvert } from '../ports/peer-transport.js';
import type { VipProvider } from '../ports/vip-provider.js';
import type { Metrics } from '../ports/metrics.js';
import { ProviderDriver, type Desired, type RetryPolicy } from './provider-driver.js';
import { DeadlineTimer } from './deadline-timer.js';
import { LogLimiter } from '../ports/log-limiter.js';
import { HandoffTracker } from './handoff.js';
import type { Audit } from '../ports/audit.js';

export interface RoleChange {
  readonly group: string;
  readonly nodeId: string;
  readonly from: Role;
  readonly to: Role;
  readonly reason: string;
  readonly term: number;
  readonly at: number;
  /** The effective priority after the change (keepalived notify scripts' fourth argument). */
  readonly priority: number;
}

export interface InstanceRunnerOptions {
  readonly params: ElectionParams;
  readonly clock: Clock;
  /** Sends an advert to the group's members (PeerTransport.send). */
  readonly send: (msg: GroupAdvert) => void;
  readonly provider: VipProvider;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly onRoleChange?: (change: RoleChange) => void;
  /** Where provider calls go as events (src/runtime/event-log.ts). */
  readonly audit?: Audit;
  readonly providerRetry?: RetryPolicy;
  /** ProviderRequest.fenced: the group's terms are ordered across the cluster (unicast groups). */
  readonly fenced?: boolean;
  /** How often a master re-reads and re-asserts its VIP (default DEFAULT_REASSERT_INTERVAL_MS). */
  readonly reassertIntervalMs?: number;
  /** Lease glue for groups with `params.lease` (docs/leases.md); ClusterNode provides it. */
  readonly lease?: LeaseHooks;
  /** Handoff messages (issue 10, src/runtime/handoff.ts); ClusterNode provides them. */
  readonly handoff?: HandoffHooks;
  /**
   * Called after an event changed the role or the faults (sync groups, src/runtime/sync-groups.ts).
   * It may call back into this runner or others; it must not throw.
   */
  readonly onChange?: () => void;
}

/** What a handoff needs from the node's transport (docs/leases.md, "Handoff"). Must not throw. */
export interface HandoffHooks {
  /** We hand the group off to `to` at `term`: tell our own voter, the group's voters and `to`. */
  offer(to: string, term: number): void;
  /** We took the group over from `from` and the provider confirmed: tell `from` (HandoffDone). */
  done(from: string, term: number): void;
}

/** What a leased group needs from the node's voter and transport. */
export interface LeaseHooks {
  /**
   * This node's own voter is asked to grant our advert (the self-promise): granted, or until
   * when it refuses. Must not throw.
   */
  selfGrant(term: number, advertIntervalCs: number, promiseMs?: number): { readonly granted: true } | { readonly granted: false; readonly until?: number; readonly grantedTerm?: number };
  /**
   * The provider confirmed a release at `term` and we are no longer master: tell the voters
   * (LeaseRelinquish), so they need not wait for their promises to run out. Must not throw.
   */
  relinquished(term: number): void;
}

/** What a group is doing now, for `vipd` status, the API and tests. */
export interface GroupStatus {
  readonly group: string;
  readonly role: Role;
  readonly term: number;
  /** Each fault that holds the group in Fault (tracked resources down, a provider not ready). */
  readonly faults: readonly { readonly resource: string; readonly reason: string }[];
  /** The faults' reasons joined, when there is any. */
  readonly faultReason?: string;
  /** Effective priority: base, check weights and an operator's boost, clamped (RFC 5798 §5.2.4). */
  readonly priority: number;
  readonly basePriority: number;
  /** The node this one follows as master, itself when Master, or undefined. */
  readonly master?: string;
  /** An operator's temporary boost (`vipctl promote`), 0 when none. */
  readonly boost: number;
}

export class InstanceRunner {
  private st: ElectionState;
  private readonly timer: DeadlineTimer;
  private halted = false;
  private readonly driver: ProviderDriver;
  private readonly limiter: LogLimiter;
  private readonly labels: { group: string };
  /** Events raised while dispatching (our voter's self-grant): run after the current one. */
  private readonly queued: ElectionEvent[] = [];
  private dispatching = false;
  /** An advert asked for a lease since the last relinquish: a confirmed release relinquishes. */
  private leaseAsked = false;
  /** halt(): a crashed node says nothing, not even a relinquish. */
  private crashed = false;
  /** Why each fault was raised (the core keeps only the resource names). */
  private readonly faultReasons = new Map<string, string>();
  /** Handoff bookkeeping (src/runtime/handoff.ts). */
  private readonly handoffs = new HandoffTracker();
  /** The startup hold (src/runtime/startup-hold.ts) keeps Startup back while set. */
  private startupHeld = false;
  private startupPending = false;
  private checkWeight = 0;
  private boost = 0;
  /** The master status() last named (audit 'master' events say when it changes). */
  private lastMaster: string | undefined;

  constructor(private readonly opts: InstanceRunnerOptions) {
    this.st = initialState(opts.params);
    this.labels = { group: opts.params.group };
    this.driver = new ProviderDriver(opts.provider, opts.params.group, opts.clock, opts.logger, opts.metrics, opts.providerRetry, (d) => this.applied(d), {
      ...(opts.fenced !== undefined ? { fenced: opts.fenced } : {}),
      ...(opts.reassertIntervalMs !== undefined ? { reassertIntervalMs: opts.reassertIntervalMs } : {}),
      ...(opts.audit ? { audit: opts.audit } : {}),
    });
    this.limiter = new LogLimiter(opts.clock, opts.logger);
    this.timer = new DeadlineTimer(opts.clock, () => this.dispatch({ type: 'TimerFired' }));
  }

  get state(): ElectionState {
    return this.st;
  }

  get group(): string {
    return this.opts.params.group;
  }

  /** The node this one follows as master: itself when Master, else the last advert's sender. */
  private get master(): string | undefined {
    return this.st.role === 'Master' ? this.opts.params.self.nodeId : this.st.master?.sender.nodeId;
  }

  status(): GroupStatus {
    const faults = this.st.faults.map((resource) => ({ resource, reason: this.faultReasons.get(resource) ?? `${resource} is down` }));
    const { master } = this;
    return {
      group: this.group, role: this.st.role, term: this.st.term, faults,
      ...(faults.length > 0 ? { faultReason: faults.map((f) => f.reason).join('; ') } : {}),
      priority: currentPriority(this.st), basePriority: this.opts.params.basePriority, boost: this.boost,
      ...(master !== undefined ? { master } : {}),
    };
  }

  start(): void {
    if (this.startupHeld) {
      this.startupPending = true;
      return;
    }
    this.dispatch({ type: 'Startup' });
  }

  /** The startup hold (issue 10): start() waits for releaseStartup(). Call before start(). */
  holdStartup(): void {
    this.startupHeld = true;
  }

  /** The hold ended (`reason` becomes the transition's): start the election if start() was called. */
  releaseStartup(reason: string, outranked = false): void {
    if (!this.startupHeld) return;
    this.startupHeld = false;
    if (!this.startupPending) return;
    this.startupPending = false;
    this.dispatch({ type: 'Startup', reason, afterHold: true, ...(outranked ? { outranked } : {}) });
  }

  /** Whether the startup hold still keeps the election back. */
  get holdingStartup(): boolean {
    return this.startupHeld;
  }

  /**
   * Master: hand the group off to `to` (docs/leases.md, "Handoff"). Resolves when the handoff is
   * over (the successor confirmed, the bound passed, or there was nothing to hand off): the
   * caller then stops or stays as a backup.
   */
  handOff(to: string, waitMs: number, releaseFirst: boolean, resign = true): Promise<void> {
    this.dispatch({ type: 'HandOff', to, waitMs, releaseFirst, resign });
    return this.handoffs.whenOver(this.st);
  }

  /** Our master `from` hands the group to us (a Handoff naming us). */
  handoffOffered(from: string, term: number): void {
    if (this.halted) return;
    this.dispatch({ type: 'HandoffOffered', from, term });
    if (this.st.role === 'Master') this.handoffs.owe(from, this.st.term);
    this.settleHandoffDebt();
  }

  /** Our successor `from` holds the VIP (HandoffDone). */
  handoffDone(from: string, term: number): void {
    this.dispatch({ type: 'HandoffDone', from, term });
  }

  /**
   * Before the election begins: removes what an earlier run left bound (a crashed vipd keeps its
   * VIPs; issue 8 finding 1). Resolves when the first attempt is done, whatever its outcome: a
   * failure is logged and retried by the driver, and the Backup entry asks for the same again.
   */
  async releaseLeftovers(): Promise<void> {
    if (this.halted) return;
    this.driver.want({ kind: 'not-held', term: this.st.term, reason: 'start: removing VIPs an earlier run left' });
    await this.driver.idle();
  }

  /** Graceful stop: resign (priority 0) if master, release the VIP, wait for the provider. */
  async stop(): Promise<void> {
    this.dispatch({ type: 'Shutdown' });
    this.timer.disarm();
    this.halted = true;
    await this.driver.stop();
  }

  /** Stops dead, with no resignation and no release: how the simulator and demo model a crash. */
  halt(): void {
    this.halted = true;
    this.crashed = true;
    this.handoffs.clear();
    this.timer.disarm();
    this.driver.halt();
  }

  receive(advert: Advert): void {
    if (this.halted) return;
    this.opts.metrics.inc('vipd_adverts_received_total', this.labels);
    // Backups never advertise (RFC 5798 §6.4.2), so a live advert heard as Master is a second
    // master: counted, then resolved by the election (priority, term, address; step.ts).
    if (this.st.role === 'Master' && advert.priority > 0 && advert.sender.nodeId !== this.opts.params.self.nodeId) {
      this.opts.metrics.inc('vipd_dual_master_total', this.labels);
    }
    this.dispatch({ type: 'AdvertReceived', advert });
  }

  /** The health checks' weight (HealthChecks); the election sees it plus the operator's boost. */
  setHealthWeight(weight: number): void {
    this.checkWeight = weight;
    this.dispatch({ type: 'HealthWeightChanged', weight: this.checkWeight + this.boost });
  }

  /** An operator's temporary priority boost (`vipctl promote`, docs/api.md); 0 ends it. */
  setBoost(by: number): void {
    this.boost = by;
    this.dispatch({ type: 'HealthWeightChanged', weight: this.checkWeight + this.boost });
  }

  /** `resource` is down (Fault until it is cleared); `reason`, for status, says why. */
  raiseFault(resource: string, reason?: string): void {
    if (this.halted) return;
    if (reason !== undefined) this.faultReasons.set(resource, reason);
    this.dispatch({ type: 'FaultRaised', resource });
  }

  clearFault(resource: string): void {
    this.faultReasons.delete(resource);
    this.dispatch({ type: 'FaultCleared', resource });
  }

  /** Membership's count of reachable voters (only matters with `quorum: majority`). */
  setQuorum(hasQuorum: boolean, detail: string): void {
    this.dispatch({ type: 'QuorumChanged', hasQuorum, detail });
  }

  /** Membership confirmed `nodeId` down by direct and indirect probes. */
  peerConfirmedDown(nodeId: string, reason: string): void {
    this.dispatch({ type: 'PeerConfirmedDown', nodeId, reason });
  }

  /** Crash verdict about `nodeId` (cluster-node.ts, crash-verdict.ts); `top`: we rank first. */
  masterGone(nodeId: string, top: boolean, reason: string): void {
    if (this.halted) return;
    this.dispatch({ type: 'MasterGone', nodeId, top, reason });
  }

  /** Voter `from` granted our advert sent at `echo` (a LeaseAck, docs/leases.md). */
  leaseAck(from: string, term: number, echo: number): void {
    this.dispatch({ type: 'LeaseAck', from, term, echo });
  }

  /** Voter `from` refused our advert of `term`: it granted `grantedTerm` already (a LeaseRefusal). */
  leaseTermBehind(from: string, term: number, grantedTerm: number): void {
    this.dispatch({ type: 'LeaseTermBehind', from, term, grantedTerm });
  }

  private dispatch(event: ElectionEvent): void {
    if (this.halted) return;
    this.queued.push(event);
    if (this.dispatching) return;
    this.dispatching = true;
    // The core replaces the faults array whenever it changes them (onFaultRaised, onFaultCleared).
    const { role, faults } = this.st;
    try {
      for (let e = this.queued.shift(); e && !this.halted; e = this.queued.shift()) {
        const now = this.opts.clock.now();
        const before = this.st;
        const { state, actions } = step(before, e, now);
        this.st = state;
        const periodic = isPeriodic(before, state, e);
        for (const a of actions) this.execute(a, now, periodic);
      }
    } finally {
      this.queued.length = 0;
      this.dispatching = false;
    }
    this.watchHandoff();
    this.watchMaster();
    this.rearm();
    if (this.st.role !== role || this.st.faults !== faults) this.opts.onChange?.();
  }

  /** After each dispatch: a change of the master we follow is an audit event (docs/api.md). */
  private watchMaster(): void {
    const { master } = this;
    if (master === this.lastMaster) return;
    this.opts.audit?.record({ type: 'master', group: this.group, from: this.lastMaster ?? null, to: master ?? null, term: this.st.term });
    this.lastMaster = master;
  }

  /** After each dispatch: a handoff the core began is announced; one that ended frees stop(). */
  private watchHandoff(): void {
    const h = this.st.role === 'Master' ? this.st.handoff : undefined;
    const offer = this.handoffs.observe(h);
    // Make-before-break announces at once; break-before-make once the release is confirmed.
    // So does a master whose provider has not confirmed the VIP at this term (an acquire still
    // retrying, a reconcile pass in flight): otherwise the retry could take the VIP anew while
    // the successor already holds it (simulator WAN seed 110).
    if (offer && !offer.releasedFirst && !this.crashed) {
      const c = this.driver.confirmed;
      if (c?.kind === 'held' && c.term === offer.term) this.opts.handoff?.offer(offer.to, offer.term);
      else {
        this.handoffs.releaseBeforeOffer(offer);
        this.driver.want({ kind: 'not-held', term: offer.term, reason: `handoff to ${offer.to}: the VIP is not confirmed here, releasing first` });
      }
    }
    if (this.st.role !== 'Master') this.handoffs.forgive();
  }

  /** A successor whose provider confirmed the VIP at its mastership tells its old master. */
  private settleHandoffDebt(): void {
    const c = this.driver.confirmed;
    // Held at the term we owe it from or a later one of this mastership (our term may have moved
    // since, a term-behind refusal say): either way the successor holds the VIP.
    const owed = this.handoffs.owed;
    if (this.st.role !== 'Master' || c?.kind !== 'held' || owed === undefined || c.term < owed.term || c.term > this.st.term) return;
    const debt = this.handoffs.settle();
    if (debt && !this.crashed) this.opts.handoff?.done(debt.from, debt.term);
  }

  /** The provider confirmed `d`: after a leased mastership, a release frees the voters early. */
  private applied(d: Desired): void {
    if (d.kind === 'held') this.settleHandoffDebt();
    const first = this.handoffs.releasedFirst(d);
    if (first && !this.crashed) this.opts.handoff?.offer(first.to, first.term);
    if (this.crashed || d.kind !== 'not-held' || !this.leaseAsked || this.st.role === 'Master' || !this.opts.lease) return;
    this.leaseAsked = false;
    this.opts.lease.relinquished(d.term);
  }

  private execute(a: ElectionAction, now: number, periodic: boolean): void {
    const { opts } = this;
    switch (a.type) {
      case 'SendAdvert': {
        opts.metrics.inc('vipd_adverts_sent_total', { ...this.labels, priority0: String(a.priority === 0) });
        const echo = a.leaseEcho === undefined ? {} : { leaseEcho: a.leaseEcho, ...(a.leasePromiseMs === undefined ? {} : { leasePromiseMs: a.leasePromiseMs }) };
        opts.send({
          group: opts.params.group,
          advert: { vrid: opts.params.vrid, sender: opts.params.self, priority: a.priority, advertIntervalCs: a.advertIntervalCs, term: a.term, ...echo },
          ...(periodic && a.priority > 0 ? { periodic: true } : {}),
        });
        if (a.leaseEcho !== undefined && opts.lease) {
          this.leaseAsked = true;
          // Our own voter counts as one, at the send time (docs/leases.md).
          const g = opts.lease.selfGrant(a.term, a.advertIntervalCs, a.leasePromiseMs);
          if (g.granted) this.queued.push({ type: 'LeaseAck', from: opts.params.self.nodeId, term: a.term, echo: a.leaseEcho });
          else {
            if (g.until !== undefined) this.queued.push({ type: 'LeaseRefused', until: g.until });
            if (g.grantedTerm !== undefined) this.queued.push({ type: 'LeaseTermBehind', from: opts.params.self.nodeId, term: a.term, grantedTerm: g.grantedTerm });
          }
        }
        return;
      }
      case 'AcquireVip':
        this.driver.want({ kind: 'held', term: a.term, reason: a.reason });
        return;
      case 'ReleaseVip':
        this.driver.want({ kind: 'not-held', term: a.term, reason: a.reason });
        return;
      case 'RoleChanged':
        // RFC 5798 §6.4.2: a Backup must not answer ARP for the VIP (nor Fault or Initialize).
        // The core releases when a Master steps down; this also covers a VIP bound without a
        // Master role here: left by a crashed run, or by an acquire aborted after it landed.
        // Idempotent, and the driver skips a release already confirmed at this term.
        if (a.to !== 'Master') this.driver.want({ kind: 'not-held', term: a.term, reason: `entered ${roleLabel(a.to)}: ${a.reason}` });
        opts.metrics.set('vipd_role', this.labels, roleNumber(a.to));
        opts.onRoleChange?.({ group: opts.params.group, nodeId: opts.params.self.nodeId, from: a.from, to: a.to, reason: a.reason, term: a.term, at: now, priority: currentPriority(this.st) });
        return;
      case 'Log':
        this.limiter.log(a.level, a.msg, a.fields);
        return;
      case 'Metric':
        opts.metrics.inc(a.name, a.labels, a.inc);
        return;
      default:
        assertNever(a, 'election action');
    }
  }

  private rearm(): void {
    this.timer.arm(this.halted ? undefined : nextDeadline(this.st));
  }
}

/**
 * Whether the adverts of this step are a steady master's periodic ones (GroupAdvert.periodic: a
 * transport may coalesce them for the rest of the event-loop turn): the advert timer fired, and
 * the node was and stays Master at the same term with its lease, if any, held. A takeover's
 * adverts (including the retries while the lease is asked for), priority 0, answers to adverts
 * and new terms are urgent.
 */
function isPeriodic(before: ElectionState, after: ElectionState, e: ElectionEvent): boolean {
  return e.type === 'TimerFired' && before.role === 'Master' && after.role === 'Master' && before.term === after.term &&
    (after.lease === undefined || after.lease.acquired);
}

/** vipd_role gauge: 0 Initialize, 1 Backup, 2 Master, 3 Fault. */
function roleNumber(role: Role): number {
  return { Initialize: 0, Backup: 1, Master: 2, Fault: 3 }[role];
}
