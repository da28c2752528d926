/**
 * A simulated vipd cluster: N real VipdNode runtimes (the same code a real node runs) on the
 * in-memory hub, a virtual clock and a seeded network. Scenarios drive it and read the role
 * history. Set SIM_LOG=1 to print every role change.
 */
import { MemoryHub } from '../fakes/memory-transport.js';
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import type { ElectionParams, Role } from '../../src/core/election/types.js';
import type { Logger } from '../../src/ports/logger.js';
import { silentLogger } from '../fakes/silent-logger.js';
import type { RoleChange } from '../../src/runtime/instance-runner.js';
import { VipdNode } from '../../src/runtime/node.js';
import { SimNetwork, type LinkParams } from './network.js';
import { HostRecord, SimProvider } from './provider.js';
import { Rng } from './rng.js';
import { VirtualClock } from './virtual-clock.js';

export const GROUP = 'vip';
export const VRID = 51;

export interface SimNodeSpec {
  id: string;
  priority: number;
  address?: string;
  preempt?: boolean;
  preemptDelayMs?: number;
  requireQuorum?: boolean;
}

export interface SimOptions {
  seed: number;
  nodes: readonly SimNodeSpec[];
  /** Advertisement_Interval in centiseconds (default 10 = 100 ms). */
  advertIntervalCs?: number;
  version?: 2 | 3;
  link?: Partial<LinkParams>;
  /** false: RFC 5798 ordering only (VRRP groups). */
  orderByTerm?: boolean;
  /** Bound on one provider call, ms (default 0: calls still resolve through the clock). */
  providerLatencyMs?: number;
}

interface SimMember {
  spec: SimNodeSpec;
  node: VipdNode;
  provider: SimProvider;
  alive: boolean;
}

const printLogger: Logger = {
  debug: () => undefined,
  info: (_f, m) => console.log(m),
  warn: (_f, m) => console.log(`WARN ${m}`),
  error: (_f, m) => console.log(`ERROR ${m}`),
  child: () => printLogger,
};

export class SimCluster {
  readonly clock = new VirtualClock();
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly hub: MemoryHub;
  readonly history: RoleChange[] = [];
  private readonly members = new Map<string, SimMember>();
  /**
   * Each host's VIP record. `restart` starts on a clean record (the election scenarios here are
   * about roles); the whole-node simulator (world.ts) keeps the record, so restarts find stale VIPs.
   */
  readonly records = new Map<string, HostRecord>();

  constructor(readonly opts: SimOptions) {
    this.rng = new Rng(opts.seed);
    this.net = new SimNetwork(this.rng, opts.link);
    this.hub = new MemoryHub(this.clock, this.net);
    for (const spec of opts.nodes) this.members.set(spec.id, this.build(spec));
  }

  params(spec: SimNodeSpec): ElectionParams {
    return {
      group: GROUP,
      vrid: VRID,
      self: spec.address ? { nodeId: spec.id, address: spec.address } : { nodeId: spec.id },
      basePriority: spec.priority,
      advertIntervalCs: this.opts.advertIntervalCs ?? 10,
      version: this.opts.version ?? 3,
      preempt: spec.preempt ?? true,
      preemptDelayMs: spec.preemptDelayMs ?? 0,
      requireQuorum: spec.requireQuorum ?? false,
      orderByTerm: this.opts.orderByTerm ?? true,
    };
  }

  private build(spec: SimNodeSpec): SimMember {
    const logger = process.env.SIM_LOG ? printLogger : silentLogger;
    const record = this.records.get(spec.id) ?? new HostRecord(spec.id, () => this.clock.now());
    this.records.set(spec.id, record);
    const provider = new SimProvider(record, { clock: this.clock, rng: this.rng, maxLatencyMs: this.opts.providerLatencyMs ?? 0, failure: 0 });
    const node = new VipdNode({
      nodeId: spec.id,
      groups: [{ params: this.params(spec), provider }],
      transport: this.hub.connect(spec.id),
      clock: this.clock,
      logger: logger.child({}),
      metrics: new MetricsRegistry(),
      onRoleChange: (c) => {
        this.history.push(c);
        if (process.env.SIM_LOG) console.log(`t=${c.at.toFixed(1)} ${c.nodeId} ${c.from} -> ${c.to} (${c.reason})`);
      },
    });
    return { spec, node, provider, alive: false };
  }

  get now(): number {
    return this.clock.now();
  }

  member(id: string): SimMember {
    const m = this.members.get(id);
    if (!m) throw new Error(`no node ${id}`);
    return m;
  }

  ids(): string[] {
    return [...this.members.keys()];
  }

  async start(ids: readonly string[] = this.ids()): Promise<void> {
    for (const id of ids) {
      const m = this.member(id);
      await this.clock.runWhile(m.node.start());
      m.alive = true;
    }
  }

  /** Advances virtual time, letting provider promises settle after every timer. */
  async runFor(ms: number): Promise<void> {
    await this.clock.advanceTo(this.clock.now() + ms);
  }

  /** SIGKILL: the node stops dead; adverts already on the wire still arrive. */
  async crash(id: string): Promise<void> {
    const m = this.member(id);
    m.alive = false;
    await m.node.halt();
  }

  /** SIGTERM: resign with priority 0 and release. */
  async stop(id: string): Promise<void> {
    const m = this.member(id);
    await this.clock.runWhile(m.node.stop());
    m.alive = false;
  }

  /** Starts a fresh process for a node (new runtime, term learned again from the network). */
  async restart(id: string, override: Partial<SimNodeSpec> = {}): Promise<void> {
    const old = this.member(id);
    if (old.alive) await this.crash(id);
    this.records.delete(id);
    const m = this.build({ ...old.spec, ...override });
    this.members.set(id, m);
    await this.clock.runWhile(m.node.start());
    m.alive = true;
  }

  role(id: string): Role {
    const m = this.member(id);
    return m.alive ? this.runner(id).state.role : 'Initialize';
  }

  runner(id: string) {
    const r = this.member(id).node.runners.get(GROUP);
    if (!r) throw new Error(`no runner on ${id}`);
    return r;
  }

  masters(): string[] {
    return this.ids().filter((id) => this.role(id) === 'Master');
  }

  /** Nodes whose provider holds the VIP now (a dead node's provider keeps what it had). */
  holders(): string[] {
    return this.ids().filter((id) => this.member(id).alive && this.member(id).provider.record.held);
  }

  /** First change into `to` at or after time `t` (optionally for one node). */
  firstChange(to: Role, t: number, nodeId?: string): RoleChange | undefined {
    return this.history.find((c) => c.to === to && c.at >= t && (nodeId === undefined || c.nodeId === nodeId));
  }

  /** Delivery time of the last advert from `from` that `to` accepted (its Master_Down_Timer base). */
  lastSeen(to: string): number | undefined {
    return this.runner(to).state.master?.seenAt;
  }
}

/**
 * Runs `fn` for one seed and, when it fails, says how to replay exactly that run.
 * SIM_SEED=N narrows a property test to one seed.
 */
export async function withSeed(seed: number, file: string, fn: (seed: number) => Promise<void>): Promise<void> {
  try {
    await fn(seed);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`simulation failed with seed ${seed}: ${msg}\n  replay: SIM_SEED=${seed} SIM_LOG=1 node --import tsx --test ${file}`, { cause: err });
  }
}

/** Seeds for a property test: SIM_SEED pins one, SIM_SEEDS sets how many (default `n`). */
export function seeds(n: number, base = 1): number[] {
  if (process.env.SIM_SEED) return [Number(process.env.SIM_SEED)];
  const count = process.env.SIM_SEEDS ? Number(process.env.SIM_SEEDS) : n;
  return Array.from({ length: count }, (_, i) => base + i);
}
