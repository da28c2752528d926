/**
 * A vipd node in a unicast cluster (issue 3): gRPC transport + SWIM membership + one election
 * per VIP group. Membership feeds the elections the two things they need from the cluster:
 * quorum (who is reachable) and verdicts (a master confirmed down by direct and indirect
 * probes). A broken stream to a peer only asks membership to probe it now.
 * A witness runs transport and membership only: it votes by being reachable.
 * Built from ports only: src/app/cluster.ts puts it on gRPC, the tests and the simulator on the
 * in-memory transports (test/fakes/memory-membership.ts, src/adapters/memory-transport.ts).
 */
import type { ElectionParams } from '../core/election/types.js';
import { membershipParams, type MembershipBasics } from '../core/membership/params.js';
import type { Clock } from '../ports/clock.js';
import type { LinkMonitor } from '../ports/link-monitor.js';
import type { Logger } from '../ports/logger.js';
import type { MembershipTransport } from '../ports/membership-transport.js';
import type { Metrics } from '../ports/metrics.js';
import type { PeerTransport } from '../ports/peer-transport.js';
import type { VipProvider } from '../ports/vip-provider.js';
import { CompositeTransport } from './composite-transport.js';
import type { RoleChange } from './instance-runner.js';
import { MembershipRunner, type MemberChange } from './membership-runner.js';
import { VipdNode } from './node.js';
import { quorumOf, type Voters } from './quorum.js';

export interface ClusterGroup extends Voters {
  readonly params: ElectionParams;
  readonly provider: VipProvider;
  readonly quorum: 'majority' | 'none';
  readonly trackInterface?: string;
  /** How its adverts travel (default unicast); multicast and both need `lan`. */
  readonly transport?: 'unicast' | 'multicast' | 'both';
}

export interface ClusterNodeOptions {
  readonly nodeId: string;
  readonly seeds: readonly string[];
  readonly membership: Omit<MembershipBasics, 'self' | 'seeds'>;
  readonly groups: readonly ClusterGroup[];
  /** Carries the unicast groups' adverts (gRPC: the same object as `membershipTransport`). */
  readonly peerTransport: PeerTransport;
  readonly membershipTransport: MembershipTransport;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Required when a group has a trackInterface. */
  readonly links?: LinkMonitor;
  readonly onRoleChange?: (change: RoleChange) => void;
  /** PRNG seed of the membership core (probe order); any number, e.g. from the pid. */
  readonly seed?: number;
  /** Standard VRRP for the groups that speak it (transport multicast or both). */
  readonly lan?: { readonly transport: PeerTransport; readonly groups: ReadonlySet<string> };
}

/** What `vipd run` runs: a cluster node, or a LAN-only node. */
export interface RunningNode {
  readonly metrics: Metrics;
  readonly address: string;
  start(signal?: AbortSignal): Promise<void>;
  stop(): Promise<void>;
}

export class ClusterNode implements RunningNode {
  readonly metrics: Metrics;
  readonly node: VipdNode;
  private readonly transport: MembershipTransport;
  private membership: MembershipRunner | undefined;
  private cancelLonelyCheck: (() => void) | undefined;

  constructor(private readonly opts: ClusterNodeOptions) {
    this.metrics = opts.metrics;
    this.transport = opts.membershipTransport;
    const log = opts.logger;
    const unicast = new Set(opts.groups.filter((g) => (g.transport ?? 'unicast') !== 'multicast').map((g) => g.params.group));
    this.node = new VipdNode({
      nodeId: opts.nodeId,
      groups: opts.groups.map((g) => ({ params: g.params, provider: g.provider, ...(g.trackInterface ? { trackInterface: g.trackInterface } : {}) })),
      transport: opts.lan
        ? new CompositeTransport([{ transport: opts.peerTransport, groups: unicast }, { transport: opts.lan.transport, groups: opts.lan.groups }])
        : opts.peerTransport,
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

  async start(signal?: AbortSignal): Promise<void> {
    const { opts } = this;
    // Listen first: membership needs our address.
    await this.transport.listen({
      message: (m) => this.membership?.receive(m),
      // A broken stream is a hint, not a verdict (issue 3 §3): ask membership to probe now.
      peerDown: (id) => this.streamBroke(id),
      unreachable: (address) => this.membership?.sendFailed({ address }),
      groupTargets: (group) => this.targets(group),
    });
    this.membership = new MembershipRunner({
      params: membershipParams({ ...opts.membership, self: { id: opts.nodeId, address: this.transport.address }, seeds: opts.seeds }),
      seed: opts.seed ?? 1,
      clock: opts.clock,
      send: (to, message) => void this.transport.sendMembership(to.address, message),
      logger: opts.logger.child({ component: 'membership' }),
      metrics: this.metrics,
      onMemberChanged: (c) => this.memberChanged(c),
    });
    this.membership.start();
    await this.node.start(signal);
    this.updateQuorum();
    const lonely = opts.groups.filter((g) => g.quorum === 'none' && g.peers.length === 0 && opts.seeds.length === 0);
    for (const g of lonely) {
      opts.logger.warn({ group: g.params.group }, `group ${g.params.group} has no peers, no seeds and quorum none: this node will be master alone; another node running this VIP means split brain`);
    }
    // REFERENCE.md ask 1: an empty view must never silently become a lone master. Once joining
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
    await this.node.resign();
    await this.membership?.leave(Math.max(200, this.opts.membership.probeIntervalMs * 2));
    await this.node.stop();
    await this.transport.close();
  }

  /**
   * Dies without a word, the crash model of the simulator: no priority-0 advert, no leave,
   * nothing released; the links close as a killed process's would.
   */
  async halt(): Promise<void> {
    this.cancelLonelyCheck?.();
    this.membership?.stop();
    await this.node.halt();
    await this.transport.close();
  }

  members() {
    return this.membership?.members() ?? new Map();
  }

  private targets(group: string): string[] {
    const g = this.opts.groups.find((x) => x.params.group === group);
    const members = this.members();
    const ids = g && g.peers.length > 0 ? g.peers : [...members.keys()];
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
    this.updateQuorum();
    if (c.to === 'dead') return this.confirmDown(c.id, `declared dead: ${c.reason}`);
    if (c.to !== 'suspect') return;
    if (c.confirmedByProbe) return this.confirmDown(c.id, `direct and indirect probes failed: ${c.reason}`);
    if (!this.transport.isUp(c.address)) this.confirmDown(c.id, `suspected by peers (${c.reason}) and our stream to it is down`);
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

  private updateQuorum(): void {
    const members = this.members();
    for (const g of this.opts.groups) {
      if (g.quorum !== 'majority') continue;
      const q = quorumOf(g, members);
      this.node.runners.get(g.params.group)?.setQuorum(q.hasQuorum, q.detail);
    }
  }
}
