/**
 * The running agent as the API sees it (src/api/control.ts): views of the node, its groups,
 * members and checks; the recent events; /metrics; and the operator's actions (maintenance,
 * promote), which the runtime carries out (src/runtime/node.ts). Promote's expiry is armed here
 * on the injected clock; neither survives a restart (docs/api.md).
 */
import type { ActionResult, AgentControl, CheckView, GroupView, MemberView, ReloadResult, StatusView } from '../api/control.js';
import type { VipdConfig } from '../config/types.js';
import type { PromMetrics } from '../adapters/prom-exporter.js';
import type { Clock } from '../ports/clock.js';
import type { RunningNode } from '../runtime/cluster-node.js';
import type { EventLog } from '../runtime/event-log.js';
import { MAINTENANCE } from '../runtime/node.js';

const ROLE_GAUGE: Record<string, number> = { Initialize: 0, Backup: 1, Master: 2, Fault: 3 };

export interface AgentOptions {
  readonly node: RunningNode;
  readonly config: VipdConfig;
  readonly events: EventLog;
  readonly metrics: PromMetrics;
  readonly clock: Clock;
  readonly version: string;
  /** Wall-clock milliseconds (Date.now), for the times the API shows. */
  readonly wallClock?: () => number;
  readonly reload?: () => Promise<ReloadResult>;
}

export class Agent implements AgentControl {
  private readonly startedAt: number;
  private readonly boosts = new Map<string, { by: number; until: number; cancel: () => void }>();
  readonly reload?: () => Promise<ReloadResult>;
  config: VipdConfig;

  constructor(private readonly opts: AgentOptions) {
    this.config = opts.config;
    this.startedAt = this.wall();
    if (opts.reload) this.reload = opts.reload;
  }

  private wall(): number {
    return (this.opts.wallClock ?? Date.now)();
  }

  /** A runtime clock time as wall-clock milliseconds. */
  private toWall(t: number): number {
    return Math.round(this.wall() - (this.opts.clock.now() - t));
  }

  groups(): GroupView[] {
    const vips = new Map(this.config.groups.map((g) => [g.name, g.vips.map((v) => `${v.address}/${v.prefixLength}`)]));
    return this.opts.node.groupStatus().map((s) => {
      const boost = this.boosts.get(s.group);
      return {
        name: s.group, role: s.role, term: s.term, priority: s.priority, basePriority: s.basePriority,
        master: s.master ?? null, vips: vips.get(s.group) ?? [], faults: s.faults,
        maintenance: s.faults.some((f) => f.resource === MAINTENANCE),
        promote: boost ? { by: boost.by, until: boost.until } : null,
      };
    });
  }

  members(): MemberView[] {
    return [...this.opts.node.members().values()].map((m) => ({ id: m.id, address: m.address, state: m.state, incarnation: m.incarnation, since: this.toWall(m.since) }));
  }

  checks(): CheckView[] {
    const types = new Map(this.config.checks.map((c) => [c.name, c.probe.type]));
    return [...this.opts.node.checkStates()].map(([name, c]) => ({
      name, type: types.get(name) ?? 'unknown', status: c.status, streak: c.streak, value: c.value ?? null,
      history: c.history.map((h) => ({ at: this.toWall(h.at), ok: h.ok, ms: Math.round(h.durationMs), detail: h.detail })),
    }));
  }

  status(): StatusView {
    return {
      node: {
        id: this.config.node.id, version: this.opts.version, role: this.config.node.role, address: this.opts.node.address,
        startedAt: this.startedAt, uptimeSeconds: Math.round((this.wall() - this.startedAt) / 1000),
      },
      ready: this.readiness().ready,
      groups: this.groups(), members: this.members(), checks: this.checks(),
    };
  }

  readiness(): { ready: boolean; reasons: string[] } {
    const reasons = this.opts.node.groupStatus().flatMap((s) => [
      ...(s.role === 'Initialize' ? [`group ${s.group} has not started its election`] : []),
      ...s.faults.filter((f) => f.resource.startsWith('provider ')).map((f) => `group ${s.group}: ${f.reason}`),
    ]);
    return { ready: reasons.length === 0, reasons };
  }

  events(since: number, limit: number) {
    return this.opts.events.since(since, limit);
  }

  subscribe(fn: Parameters<AgentControl['subscribe']>[0]): () => void {
    return this.opts.events.subscribe(fn);
  }

  /** The gauges that are read from state rather than counted (priority, term, members) are set now. */
  async metrics(): Promise<{ contentType: string; body: string }> {
    const m = this.opts.metrics;
    for (const s of this.opts.node.groupStatus()) {
      m.set('vipd_priority', { group: s.group }, s.priority);
      m.set('vipd_term', { group: s.group }, s.term);
      m.set('vipd_role', { group: s.group }, ROLE_GAUGE[s.role] ?? 0);
    }
    const counts = new Map<string, number>([['alive', 0], ['suspect', 0], ['dead', 0], ['left', 0]]);
    for (const member of this.opts.node.members().values()) counts.set(member.state, (counts.get(member.state) ?? 0) + 1);
    for (const [state, n] of counts) m.set('vipd_members', { state }, n);
    return m.render();
  }

  private view(group: string): GroupView | undefined {
    return this.groups().find((g) => g.name === group);
  }

  private noGroup(group: string): ActionResult {
    const names = this.config.groups.map((g) => g.name);
    return { ok: false, status: 404, error: `no group ${JSON.stringify(group)} on this node${names.length > 0 ? ` (it runs ${names.join(', ')})` : ' (it runs none: a witness)'}` };
  }

  async maintenance(group: string, on: boolean): Promise<ActionResult> {
    if (!(await this.opts.node.setMaintenance(group, on))) return this.noGroup(group);
    this.opts.events.record({ type: 'maintenance', group, on });
    const v = this.view(group);
    return v ? { ok: true, group: v } : this.noGroup(group);
  }

  promote(group: string, by: number, forMs: number): ActionResult {
    if (!this.view(group)) return this.noGroup(group);
    this.boosts.get(group)?.cancel();
    this.boosts.delete(group);
    if (forMs <= 0) {
      this.opts.node.setBoost(group, 0);
      this.opts.events.record({ type: 'promote', group, by: 0, until: null });
    } else {
      const cancel = this.opts.clock.schedule(this.opts.clock.now() + forMs, () => {
        this.boosts.delete(group);
        this.opts.node.setBoost(group, 0);
        this.opts.events.record({ type: 'promote', group, by: 0, until: null });
      });
      const until = this.wall() + forMs;
      this.boosts.set(group, { by, until, cancel });
      this.opts.node.setBoost(group, by);
      this.opts.events.record({ type: 'promote', group, by, until });
    }
    const v = this.view(group);
    return v ? { ok: true, group: v } : this.noGroup(group);
  }

  /** Ends every boost's timer (the agent is stopping). */
  stop(): void {
    for (const b of this.boosts.values()) b.cancel();
    this.boosts.clear();
  }
}
