/**
 * One vipd node: a peer transport shared by all its VIP groups and one InstanceRunner per group.
 * Received adverts are routed to their group's runner; adverts for groups this node does not
 * run are dropped, counted and logged: foreign adverts are refused loudly, never followed.
 */
import type { ElectionParams } from '../core/election/types.js';
import type { Clock } from '../ports/clock.js';
import type { LinkMonitor } from '../ports/link-monitor.js';
import type { Logger } from '../ports/logger.js';
import type { GroupAdvert, PeerTransport } from '../ports/peer-transport.js';
import type { VipProvider } from '../ports/vip-provider.js';
import type { RuntimeAdvertDropReason } from './drop-reasons.js';
import { InstanceRunner, type GroupStatus, type HandoffHooks, type LeaseHooks, type RoleChange } from './instance-runner.js';
import { LogLimiter } from '../ports/log-limiter.js';
import type { Metrics } from '../ports/metrics.js';
import type { RetryPolicy } from './provider-driver.js';
import { ProviderPreflight, type PreflightPolicy } from './provider-preflight.js';
import { HealthChecks, type HealthCheckSpec, type HealthTarget } from './health-checks.js';
import type { Track } from '../core/health/weights.js';
import type { Audit } from '../ports/audit.js';
import { SyncGroups, type SyncGroupSpec } from './sync-groups.js';

/** The fault resource that holds a group out of the election while in maintenance. */
export const MAINTENANCE = 'maintenance';

export interface NodeGroup {
  readonly params: ElectionParams;
  readonly provider: VipProvider;
  /** Interface whose link state the group tracks (Fault while it is down). */
  readonly trackInterface?: string;
  /** Lease glue, for groups with `params.lease` (ClusterNode). */
  readonly lease?: LeaseHooks;
  /** Handoff messages (ClusterNode, issue 10). */
  readonly handoffHooks?: HandoffHooks;
  /** ProviderRequest.fenced: true for unicast groups, whose terms are cluster-ordered (default false). */
  readonly fenced?: boolean;
  /** The group's `reassert_interval`: how often a master re-reads and re-asserts its VIP. */
  readonly reassertIntervalMs?: number;
  /** The health checks this group tracks (`track`, docs/health-checks.md). */
  readonly tracks?: readonly Track[];
}

export interface NodeOptions {
  readonly nodeId: string;
  readonly groups: readonly NodeGroup[];
  readonly transport: PeerTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Required when a group has a trackInterface. */
  readonly links?: LinkMonitor;
  readonly onRoleChange?: (change: RoleChange) => void;
  readonly providerRetry?: RetryPolicy;
  /** Backoff of the start-up validate() retries (default DEFAULT_PREFLIGHT_POLICY). */
  readonly preflight?: PreflightPolicy;
  /** The health checks (`checks`), run while the node runs; groups track them by name. */
  readonly checks?: readonly HealthCheckSpec[];
  /** Provider calls and check changes as events (src/runtime/event-log.ts). */
  readonly audit?: Audit;
  /** Groups that change role together (`sync_groups`, src/runtime/sync-groups.ts). */
  readonly syncGroups?: readonly SyncGroupSpec[];
}

export class VipdNode {
  readonly metrics: Metrics;
  /** The groups' runners, in configuration order (a reload adds and removes: addGroup, removeGroup). */
  readonly runners: ReadonlyMap<string, InstanceRunner>;
  private readonly byName = new Map<string, InstanceRunner>();
  /** The groups as given, by name (their providers, tracks and links). */
  private readonly groups = new Map<string, NodeGroup>();
  private readonly limiter: LogLimiter;
  private started = false;
  /** Link watches, by group. */
  private readonly unwatch = new Map<string, () => void>();
  private preflights = new Map<string, ProviderPreflight>();
  private health: HealthChecks | undefined;
  /** Sync groups act only while the node runs: a stop resigns every group on its own. */
  private readonly sync: SyncGroups | undefined;
  private syncPaused = false;

  constructor(private readonly opts: NodeOptions) {
    this.metrics = opts.metrics;
    this.limiter = new LogLimiter(opts.clock, opts.logger);
    for (const g of opts.groups) this.add(g);
    this.runners = this.byName;
    const specs = opts.syncGroups ?? [];
    const unknown = specs.flatMap((s) => [s.leader, ...s.followers]).find((g) => !this.byName.has(g));
    if (unknown !== undefined) throw new Error(`a sync group names group ${unknown}, which this node does not run`);
    this.sync = specs.length > 0 ? new SyncGroups(specs, (g) => this.byName.get(g), opts.logger) : undefined;
  }

  /** A runner for `g`, registered (not started). */
  private add(g: NodeGroup): InstanceRunner {
    const { opts } = this;
    if (g.trackInterface && !opts.links) throw new Error(`group ${g.params.group} tracks interface ${g.trackInterface} but the node has no link monitor`);
    if (this.byName.has(g.params.group)) throw new Error(`group ${g.params.group} runs already`);
    const runner = new InstanceRunner({
      params: g.params,
      clock: opts.clock,
      send: (msg) => opts.transport.send(msg),
      provider: g.provider,
      logger: opts.logger.child({ group: g.params.group, vrid: g.params.vrid }),
      metrics: this.metrics,
      ...(opts.onRoleChange ? { onRoleChange: opts.onRoleChange } : {}),
      ...(opts.audit ? { audit: opts.audit } : {}),
      ...(opts.providerRetry ? { providerRetry: opts.providerRetry } : {}),
      ...(g.lease ? { lease: g.lease } : {}),
      ...(g.handoffHooks ? { handoff: g.handoffHooks } : {}),
      ...(g.fenced !== undefined ? { fenced: g.fenced } : {}),
      ...(g.reassertIntervalMs !== undefined ? { reassertIntervalMs: g.reassertIntervalMs } : {}),
      ...(opts.syncGroups && opts.syncGroups.length > 0 ? { onChange: () => this.syncUpdate() } : {}),
    });
    this.byName.set(g.params.group, runner);
    this.groups.set(g.params.group, g);
    return runner;
  }

  private syncUpdate(): void {
    if (this.started && !this.syncPaused) this.sync?.update();
  }

  get nodeId(): string {
    return this.opts.nodeId;
  }

  /**
   * Validates every group's provider (a group whose provider fails is held in Fault and
   * retried, the others go on: ProviderPreflight), removes what an earlier run left bound
   * (every group releases, so a node restarted after a crash answers ARP for no VIP it does not
   * hold; issue 8 finding 1), starts the transport, then starts every group's election.
   */
  async start(signal: AbortSignal = new AbortController().signal): Promise<void> {
    if (this.started) return;
    this.stopPreflights();
    for (const [name, g] of this.groups) this.preflights.set(name, this.preflight(g));
    await Promise.all([...this.preflights.values()].map((p) => p.start(signal)));
    await Promise.all([...this.runners.values()].map((r) => r.releaseLeftovers()));
    await this.opts.transport.start((msg) => this.route(msg));
    this.started = true;
    this.startChecks();
    for (const r of this.runners.values()) r.start();
    this.syncUpdate();
    for (const g of this.groups.values()) this.watchLink(g);
  }

  /**
   * A reload adds `g` to a running node (docs/api.md "Reload"): its provider is validated, what
   * an earlier holder left is released, and its election starts, exactly as at start; `beforeStart`
   * (ClusterNode: the startup hold) runs first. Its tracks may only name checks that run already.
   */
  async addGroup(g: NodeGroup, beforeStart?: (runner: InstanceRunner) => void): Promise<void> {
    if (!this.started) throw new Error(`group ${g.params.group}: the node is not running`);
    const running = new Set(this.health ? [...this.health.states().keys()] : []);
    const missing = (g.tracks ?? []).find((t) => !running.has(t.check));
    if (missing) throw new Error(`group ${g.params.group} tracks check ${missing.check}, which this node does not run (a restart starts it)`);
    const runner = this.add(g);
    const preflight = this.preflight(g);
    this.preflights.set(g.params.group, preflight);
    await preflight.start(new AbortController().signal);
    await runner.releaseLeftovers();
    this.health?.setTargets(this.healthTargets(), [g.params.group]);
    beforeStart?.(runner);
    runner.start();
    this.watchLink(g);
    this.syncUpdate();
  }

  /**
   * A reload removes group `name`: it stops as at shutdown (a master resigns with priority 0
   * and releases; ClusterNode hands off before), its provider closes. False: no such group.
   */
  async removeGroup(name: string): Promise<boolean> {
    const runner = this.byName.get(name);
    const g = this.groups.get(name);
    if (!runner || !g) return false;
    this.preflights.get(name)?.stop();
    this.preflights.delete(name);
    this.unwatch.get(name)?.();
    this.unwatch.delete(name);
    await runner.stop();
    this.byName.delete(name);
    this.groups.delete(name);
    this.health?.setTargets(this.healthTargets());
    await Promise.resolve(g.provider.close?.()).catch((err: unknown) => this.opts.logger.warn({ err, group: name }, `group ${name}: closing its provider failed (${err instanceof Error ? err.message : String(err)})`));
    return true;
  }

  private preflight(g: NodeGroup): ProviderPreflight {
    const runner = this.byName.get(g.params.group) as InstanceRunner;
    return new ProviderPreflight({
      provider: g.provider, group: g.params.group, target: runner, clock: this.opts.clock,
      logger: this.opts.logger.child({ group: g.params.group, vrid: g.params.vrid }), metrics: this.metrics,
      ...(this.opts.preflight ? { policy: this.opts.preflight } : {}),
    });
  }

  private watchLink(g: NodeGroup): void {
    const iface = g.trackInterface;
    const runner = this.byName.get(g.params.group);
    if (!iface || !runner || !this.opts.links) return;
    const resource = `link ${iface}`;
    this.unwatch.set(g.params.group, this.opts.links.watch(iface, (up) => (up ? runner.clearFault(resource) : runner.raiseFault(resource))));
  }

  /** What the health checks move: every group that tracks some. */
  private healthTargets(): HealthTarget[] {
    return [...this.groups.values()].flatMap((g) => {
      const runner = this.byName.get(g.params.group);
      return runner && g.tracks && g.tracks.length > 0 ? [{
        group: g.params.group, tracks: g.tracks,
        setHealthWeight: (w: number) => runner.setHealthWeight(w),
        raiseFault: (r: string, reason?: string) => runner.raiseFault(r, reason),
        clearFault: (r: string) => runner.clearFault(r),
      }] : [];
    });
  }

  /**
   * Before the elections start: a tracked check that has not run yet counts as failing, so a
   * group with a weight-0 check starts in Fault and claims nothing until the check passed.
   */
  private startChecks(): void {
    const checks = this.opts.checks ?? [];
    if (checks.length === 0) return;
    const targets = this.healthTargets();
    // Only checks some group tracks are run (keepalived runs only tracked scripts too).
    const tracked = new Set(targets.flatMap((t) => t.tracks.map((k) => k.check)));
    this.health = new HealthChecks({
      checks: checks.filter((c) => tracked.has(c.params.name)), targets, clock: this.opts.clock,
      logger: this.opts.logger.child({ component: 'checks' }), metrics: this.metrics,
      ...(this.opts.audit ? { audit: this.opts.audit } : {}),
    });
    this.health.start();
  }

  /** Every check's state (status, recent results), for status. */
  checkStates(): ReturnType<HealthChecks['states']> {
    return this.health?.states() ?? new Map();
  }

  /**
   * Maintenance (docs/api.md): `on` first lets `drain` hand a master's VIP to its best backup
   * (ClusterNode.handOff), then holds the group in Fault under the resource "maintenance" (a
   * master that did not hand off resigns with priority 0 there, RFC 5798 §6.4.3), so it takes
   * the VIP nowhere until `off`. False when there is no such group.
   */
  async setMaintenance(group: string, on: boolean, drain?: (group: string) => Promise<boolean>): Promise<boolean> {
    const runner = this.runners.get(group);
    if (!runner) return false;
    if (!on) {
      runner.clearFault(MAINTENANCE);
      return true;
    }
    if (drain) await drain(group).catch((err: unknown) => this.opts.logger.warn({ err, group }, `maintenance: handoff of ${group} failed (${err instanceof Error ? err.message : String(err)}); resigning instead`));
    runner.raiseFault(MAINTENANCE, 'operator maintenance (vipctl maintenance off ends it)');
    return true;
  }

  /** An operator's priority boost for `group` (0 ends it). False when there is no such group. */
  setBoost(group: string, by: number): boolean {
    const runner = this.runners.get(group);
    runner?.setBoost(by);
    return runner !== undefined;
  }

  /** Role, term and fault reason of every group, in configuration order. */
  groupStatus(): GroupStatus[] {
    return [...this.runners.values()].map((r) => r.status());
  }

  /**
   * A stop has begun: sync groups hold nothing more, so that each group hands off or resigns on
   * its own (a leader handed off first would otherwise make its followers resign, not hand off).
   */
  pauseSync(): void {
    this.syncPaused = true;
  }

  /** Every group resigns (priority 0 from masters) and releases; the transport stays open. */
  async resign(): Promise<void> {
    this.pauseSync();
    this.stopPreflights();
    this.health?.stop();
    this.unwatchLinks();
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
  }

  /** Graceful stop: every master resigns with priority 0 and releases, the providers close, then the transport. */
  async stop(): Promise<void> {
    if (!this.started) return;
    this.started = false;
    this.stopPreflights();
    this.health?.stop();
    this.unwatchLinks();
    await Promise.all([...this.runners.values()].map((r) => r.stop()));
    // Every release is done: free the providers' sockets and timers (VipProvider.close), or a
    // cloud provider's kept-alive connection and idle refresh keep the process from exiting.
    await Promise.allSettled([...this.groups.values()].map((g) => g.provider.close?.()));
    await this.opts.transport.stop();
  }

  /** Dies without a word (crash model for the simulator and the demo). */
  async halt(): Promise<void> {
    this.started = false;
    this.stopPreflights();
    this.health?.stop();
    this.unwatchLinks();
    for (const r of this.runners.values()) r.halt();
    await this.opts.transport.stop();
  }

  private stopPreflights(): void {
    for (const p of this.preflights.values()) p.stop();
  }

  private unwatchLinks(): void {
    for (const u of this.unwatch.values()) u();
    this.unwatch.clear();
  }

  private route(msg: GroupAdvert): void {
    const runner = this.runners.get(msg.group);
    if (!runner) {
      this.metrics.inc('vipd_adverts_dropped_total', { group: '', reason: 'unknown-group' satisfies RuntimeAdvertDropReason });
      this.limiter.log('warn', `advert for unknown group "${msg.group}" from ${msg.advert.sender.nodeId}`, { reason: 'unknown-group' });
      return;
    }
    runner.receive(msg.advert);
  }
}
