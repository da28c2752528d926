/**
 * The whole-node simulator (issue 8 "What must exist" 8): real ClusterNodes — elections,
 * membership, quorum and the verdict glue — run together on in-memory ports, a virtual world
 * clock and a seeded network. Each host has
 * - its own clock, drifting within ±RHO of the world's, through which its process can stall
 *   (node-clock.ts): timers and deliveries wait, then run;
 * - its own VIP record (provider.ts), which outlives the process: a restarted node finds the
 *   VIP its predecessor left bound.
 * The network (network.ts) loses, delays, duplicates, reorders and cuts links (both ways or one
 * way); a cut link also breaks the streams across it, as a real TCP stream would.
 * Adverts carry the origin a gRPC Hello would give them (per-group authorisation runs) and lease
 * messages travel the same links. With `bfd`, every process runs BFD sessions (docs/bfd.md "What
 * runs") over the same links (bfd-link.ts), and the majority rule's reports travel as stream
 * frames (liveness-link.ts); the hosts then serve at IPv4 host:port addresses, since BFD runs
 * between the IPv4 hosts of the nodes' addresses (src/runtime/bfd-peers.ts). The invariant
 * checker (invariant.ts) watches every step of time. SIM_LOG=1 prints faults and role changes
 * as they happen, SIM_LOG=2 the nodes' logs too.
 */
import { MemoryHub, type MemoryTransport } from '../fakes/memory-transport.js';
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { promiseMs, RHO } from '../../src/core/election/lease.js';
import { DEFAULT_HANDOFF_OVERLAP_MAX_MS } from '../../src/core/election/handoff.js';
import { masterDownIntervalMs } from '../../src/core/election/timers.js';
import type { ElectionParams } from '../../src/core/election/types.js';
import type { MembershipBasics } from '../../src/core/membership/params.js';
import type { Logger } from '../../src/ports/logger.js';
import type { LeaseMessage, LeaseReceiver, LeaseTransport } from '../../src/ports/lease-transport.js';
import type { Announcement, MembershipReceiver, MembershipTransport } from '../../src/ports/membership-transport.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../../src/ports/peer-transport.js';
import { BfdSessions } from '../../src/runtime/bfd-sessions.js';
import { BFD_DOWN_REASON } from '../../src/runtime/bfd-liveness.js';
import { ClusterNode, type ClusterBfd, type ClusterGroup } from '../../src/runtime/cluster-node.js';
import { defaultStartupHoldMs } from '../../src/runtime/startup-hold.js';
import { MemoryMembershipHub } from '../fakes/memory-membership.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { SimBfdNet } from './bfd-link.js';
import { InvariantChecker, type OverlapWindow } from './invariant.js';
import { SimLivenessLinks } from './liveness-link.js';
import { SimNetwork, type LinkParams } from './network.js';
import { NodeClock } from './node-clock.js';
import { HostRecord, SimProvider } from './provider.js';
import { Rng } from './rng.js';
import { VirtualClock } from './virtual-clock.js';

export const GROUP = 'vip';
export const VRID = 51;
/** The allow-listed non-voter of the adversarial property. */
export const ADVERSARY = 'x';

export interface WorldNode {
  readonly id: string;
  readonly kind: 'member' | 'witness';
  /** Members only. */
  readonly priority?: number;
}

export interface Timing {
  /** Advertisement_Interval, centiseconds. */
  readonly advertIntervalCs: number;
  readonly membership: Omit<MembershipBasics, 'self' | 'seeds'>;
}

/** The `bfd:` section every node runs with (docs/configuration.md "BFD"); adaptive multiplier on. */
export interface SimBfd {
  /** bfd.interval: Desired Min TX and Required Min RX while Up, ms. */
  readonly intervalMs: number;
  /** bfd.multiplier (Detect Mult). */
  readonly multiplier: number;
}

/** What BFD did in one world, summed over its processes (the properties report them). */
export interface BfdCounts {
  /** Sessions that left Up other than by AdminDown: a Detection Time ran out, or the peer said Down. */
  downs: number;
  /** Sessions that came Up. */
  ups: number;
  /** PeerConfirmedDown with reason `bfd-down` given to an election: a majority of voters saw a node Down. */
  confirms: number;
  /** Backup -> Master transitions whose reason is the majority rule's `bfd-down` (docs/bfd.md). */
  takeovers: number;
}

/** One BFD event, in world time: `node`'s session to `peer` went Down, or `node`'s election got `peer` confirmed down. */
export interface BfdEvent {
  readonly at: number;
  readonly node: string;
  readonly peer: string;
}

export interface WorldOptions {
  readonly seed: number;
  readonly nodes: readonly WorldNode[];
  readonly timing: Timing;
  /** Bound on clock-rate drift (docs/leases.md RHO); each host draws its rate within it. */
  readonly rho: number;
  /** Bound on one provider call, ms. */
  readonly providerLatencyMs: number;
  /** Probability that a provider call fails. */
  readonly providerFailure: number;
  /** The network when nothing is wrong with it (loss 0, small latency). */
  readonly link: Partial<LinkParams>;
  /** The group's lease stall tolerance S (docs/leases.md; config lease_stall_tolerance). */
  readonly stallToleranceMs: number;
  /** The group's reassert_interval (the provider driver's reconcile loop); default the driver's 10 s. */
  readonly reassertIntervalMs?: number;
  /** The group's handoff_overlap_max (docs/leases.md, "Handoff"); default the config's. */
  readonly handoffOverlapMaxMs?: number;
  /** Test of the checker only: scales the overlap window a handoff allows (default 1; 0 allows none). */
  readonly handoffWindowScale?: number;
  /** The members' startup hold (src/runtime/startup-hold.ts); default on, at its config default. */
  readonly startupHold?: boolean;
  /** BFD sessions between every pair of voters (bfd-link.ts); none when absent. */
  readonly bfd?: SimBfd;
  /**
   * The group is `transport: both` with `vrrp_peers: vipd` (docs/lan-mode.md): every advert
   * also goes out as a VRRP copy on a LAN segment (the same network, another hub), which names
   * its sender only by address and carries no term or lease echo, and the nodes attribute them
   * (src/runtime/vrrp-identities.ts).
   */
  readonly lan?: boolean;
}

interface Host {
  /** What it runs; a reload changes its priority (SimWorld.reload). */
  spec: WorldNode;
  /** Where its process serves (membership, leases, liveness frames): the node id, or host:port with BFD. */
  readonly address: string;
  /** Its IPv4 host, with BFD. */
  readonly ip: string | undefined;
  /** Its process's BFD sessions, with BFD. */
  sessions: BfdSessions | undefined;
  /** Its process's liveness frames, closed when the process ends. */
  liveness: { close(): void } | undefined;
  readonly record: HostRecord;
  readonly rate: number;
  readonly offset: number;
  clock: NodeClock;
  node: ClusterNode | undefined;
  running: boolean;
  /** Process generation, for logs. */
  generation: number;
}

/** SIM_LOG=2: the nodes' own info, warn and error lines too. */
function printLogger(clock: VirtualClock, node: string): Logger {
  const line = (level: string) => (_f: object, msg: string): void => console.log(`t=${clock.now().toFixed(1)} ${node} ${level} ${msg}`);
  const logger: Logger = { debug: () => undefined, info: line('info'), warn: line('warn'), error: line('error'), child: () => logger };
  return logger;
}

export class SimWorld {
  readonly clock = new VirtualClock();
  readonly rng: Rng;
  readonly net: SimNetwork;
  readonly adverts: MemoryHub;
  /** The VRRP copies' segment, with `lan`. */
  readonly lanSegment: MemoryHub | undefined;
  readonly membership: MemoryMembershipHub;
  readonly checker: InvariantChecker;
  /** What happened, in order (faults and role changes), for a failing seed's message. */
  readonly journal: string[] = [];
  private readonly hosts = new Map<string, Host>();
  private readonly verbose = Number(process.env.SIM_LOG ?? 0);
  private readonly calm: LinkParams;
  /** BFD Control packets and the majority rule's frames, with `bfd`. */
  readonly bfdNet: SimBfdNet | undefined;
  readonly liveness: SimLivenessLinks | undefined;
  readonly bfdCounts: BfdCounts = { downs: 0, ups: 0, confirms: 0, takeovers: 0 };
  /** How each startup hold ended (its transition's reason, up to the first colon after "startup-hold: "). */
  readonly holdEnds = new Map<string, number>();
  /** Each session Down (not AdminDown) and each confirm, for checks on who saw whom (lossy-link.ts). */
  readonly bfdDowns: BfdEvent[] = [];
  readonly bfdConfirms: BfdEvent[] = [];
  /** With `lan`: VRRP copies delivered, and takeovers by crash verdict or handoff (they need one identity per master). */
  readonly lanCounts = { copies: 0, fastTakeovers: 0 };
  /** World times of the takeovers for bfd-down. */
  readonly bfdTakeovers: number[] = [];
  /** The node id at each IPv4 host, with BFD. */
  private readonly hostAt: ReadonlyMap<string, string>;

  constructor(readonly opts: WorldOptions) {
    this.rng = new Rng(opts.seed);
    // The provider driver's retry jitter is Math.random unless injected (src/runtime/
    // provider-driver.ts), and ClusterNode gives no way to inject it: without this, a seed
    // whose provider call fails runs differently each time, and SIM_SEED=N does not replay it.
    const jitter = new Rng(opts.seed ^ 0x3c6ef372);
    Math.random = () => jitter.next();
    this.net = new SimNetwork(this.rng, opts.link);
    this.calm = { ...this.net.params };
    this.adverts = new MemoryHub(this.clock, this.net);
    this.lanSegment = opts.lan ? new MemoryHub(this.clock, this.net) : undefined;
    this.membership = new MemoryMembershipHub(this.clock, this.net);
    // BFD runs between IPv4 hosts (bfd-peers.ts ipv4Host): with it, host i serves at 192.0.2.i
    // (TEST-NET-1, RFC 5737; in memory only).
    const ipOf = (i: number): string => `192.0.2.${i + 1}`;
    const hostAt = new Map(opts.nodes.map((n, i) => [ipOf(i), n.id]));
    this.hostAt = hostAt;
    this.bfdNet = opts.bfd ? new SimBfdNet(this.clock, this.net, (ip) => hostAt.get(ip)) : undefined;
    this.liveness = opts.bfd ? new SimLivenessLinks(this.clock, this.net) : undefined;
    for (const [i, spec] of opts.nodes.entries()) {
      const rate = 1 + (2 * this.rng.next() - 1) * opts.rho;
      const offset = this.rng.int(0, 100_000);
      this.hosts.set(spec.id, {
        spec, rate, offset, record: new HostRecord(spec.id, () => this.clock.now()),
        address: opts.bfd ? `${ipOf(i)}:7946` : spec.id, ip: opts.bfd ? ipOf(i) : undefined, sessions: undefined, liveness: undefined,
        clock: new NodeClock(this.clock, rate, offset), node: undefined, running: false, generation: 0,
      });
    }
    this.checker = new InvariantChecker(this.clock, {
      hosts: () => [...this.hosts.values()].map((h) => ({ id: h.spec.id, running: h.running, held: h.record.held })),
      overlaps: () => this.handoffs,
      safety: true,
      settleMs: 3 * this.takeoverWaitMs(),
    });
  }

  ids(): string[] {
    return [...this.hosts.keys()];
  }

  /** The longest Master_Down_Interval of the group's members (RFC 5798 §6.1). */
  masterDownIntervalMs(): number {
    const ps = this.opts.nodes.filter((n) => n.kind === 'member').map((n) => n.priority ?? 100);
    return Math.max(...ps.map((p) => masterDownIntervalMs(p, this.opts.timing.advertIntervalCs, 3)));
  }

  /**
   * How long a backup waits for a silent master: Master_Down_Interval, or with leases the voters'
   * promise P when that is longer (docs/leases.md: P = 4 × interval + S). The issue's liveness
   * bound, 2 × Master_Down_Interval of calm, predates leases and the quorum guard's wait; the
   * checker allows 3 × this: one for membership to clear a partition's suspicions and the quorum
   * guard's Master_Down_Interval after quorum returns, one for the first master to take the VIP,
   * one for a higher priority to preempt it and take over (lease handover included).
   */
  takeoverWaitMs(): number {
    return Math.max(this.masterDownIntervalMs(), promiseMs(this.opts.timing.advertIntervalCs, this.opts.stallToleranceMs));
  }

  running(id: string): boolean {
    return this.host(id).running;
  }

  record(id: string): HostRecord {
    return this.host(id).record;
  }

  nodeClock(id: string): NodeClock {
    return this.host(id).clock;
  }

  /** Where `id`'s process serves: its node id, or its IPv4 host:port with BFD. */
  address(id: string): string {
    return this.host(id).address;
  }

  /** State of `at`'s BFD session to `of`, and the multiplier it waits for (adaptive), if there is a session. */
  bfdSession(at: string, of: string): { state: string; detectMultiplier: number | undefined } | undefined {
    const ip = this.host(of).ip;
    const sessions = this.host(at).running ? this.host(at).sessions : undefined;
    const state = ip === undefined ? undefined : sessions?.state(ip);
    return state === undefined || ip === undefined ? undefined : { state, detectMultiplier: sessions?.detectMultiplier(ip) };
  }

  /** Running nodes whose host holds the VIP. */
  /** status() reads of every host's record so far (the reconcile loops'). */
  reads(): number {
    return [...this.hosts.values()].reduce((n, h) => n + h.record.reads, 0);
  }

  holders(): string[] {
    return [...this.hosts.values()].filter((h) => h.running && h.record.held).map((h) => h.spec.id);
  }

  async start(ids: readonly string[] = this.ids()): Promise<void> {
    for (const id of ids) await this.boot(this.host(id));
    this.updateStability();
  }

  async runFor(ms: number): Promise<void> {
    await this.clock.advanceTo(this.clock.now() + ms);
    this.updateStability();
  }

  /** SIGKILL: the process dies; its VIP stays bound on its host; its streams close. */
  async crash(id: string): Promise<void> {
    const h = this.host(id);
    if (!h.running || !h.node) return;
    h.running = false;
    this.note(`crash ${id}`);
    const node = h.node;
    h.node = undefined;
    await this.clock.runWhile(node.halt());
    this.endProcess(h);
    this.updateStability();
  }

  /**
   * Graceful stop (SIGTERM): the node hands off or resigns, releases, leaves and closes. It
   * counts as running (a holder) until its stop() resolved.
   */
  async stop(id: string): Promise<void> {
    const h = this.host(id);
    if (!h.running || !h.node) return;
    this.note(`stop ${id} (graceful)`);
    const node = h.node;
    await this.clock.runWhile(node.stop());
    if (h.node === node) {
      h.running = false;
      h.node = undefined;
      this.endProcess(h);
    }
    this.updateStability();
  }

  /**
   * Handoffs sent so far, as the overlap each allows (docs/leases.md, "Handoff"): from the send
   * until handoff_overlap_max plus the stall tolerance S (the old master may be frozen for up to
   * S, A3), stretched by the clock-rate bound.
   */
  readonly handoffs: OverlapWindow[] = [];

  /** Reloads that restarted a group in place (reload). */
  reloads = 0;

  /** World times of restarts: a restarted voter forgot the terms it granted (docs/leases.md, "Terms"). */
  readonly restarts: number[] = [];

  /** A new process on the same host: same clock, same VIP record (possibly stale). */
  async restart(id: string): Promise<void> {
    const h = this.host(id);
    if (h.running) await this.crash(id);
    this.restarts.push(this.clock.now());
    h.clock = new NodeClock(this.clock, h.rate, h.offset);
    this.note(`restart ${id} (its host ${h.record.held ? 'still holds' : 'does not hold'} the VIP)`);
    await this.boot(h);
    this.updateStability();
  }

  /** The process on `id` stalls for `ms` (world time): it neither acts nor hears. */
  stall(id: string, ms: number): void {
    const h = this.host(id);
    h.clock.stall(ms);
    this.note(`stall ${id} for ${ms.toFixed(0)} ms`);
    this.clock.schedule(this.clock.now() + ms, () => this.updateStability());
    this.updateStability();
  }

  partition(a: readonly string[], b: readonly string[]): void {
    this.net.partition(a, b);
    this.note(`partition [${a.join(',')}] | [${b.join(',')}]`);
    this.updateStability();
  }

  cut(from: string, to: string): void {
    this.net.cut(from, to);
    this.note(`cut ${from} -> ${to}`);
    this.updateStability();
  }

  /** Loss, extra delay and jitter on every link (a bad network, not a cut). */
  degrade(p: Partial<LinkParams>): void {
    this.net.params = { ...this.calm, ...p };
    this.note(`network ${JSON.stringify(p)}`);
    this.updateStability();
  }

  /**
   * Loss on the links between `id` and `peers` only (default: every other node), both ways: a bad
   * NIC or access link of `id`, or one bad path. Adverts, leases, membership, BFD and liveness
   * frames all cross it. Calmed by heal().
   */
  lossyLink(id: string, loss: number, peers: readonly string[] = this.ids()): void {
    const others = peers.filter((p) => p !== id);
    for (const other of others) {
      this.net.links.set(`${id}>${other}`, { loss });
      this.net.links.set(`${other}>${id}`, { loss });
    }
    this.note(`lossy link: ${(100 * loss).toFixed(1)} % loss both ways between ${id} and [${others.join(',')}]`);
    this.updateStability();
  }

  /** Heals cuts and partitions and calms the network. */
  heal(): void {
    this.net.heal();
    this.net.links.clear();
    this.net.params = { ...this.calm };
    this.note('heal');
    this.updateStability();
  }

  /** Recomputes "stable" (no cut, no loss, no extra delay, every node running, none stalled). */
  updateStability(): void {
    const p = this.net.params;
    const stable = !this.net.anyCut() && this.net.links.size === 0
      && p.loss === 0 && p.latencyMs <= this.calm.latencyMs && p.jitterMs <= this.calm.jitterMs
      && [...this.hosts.values()].every((h) => h.running && !h.clock.stalled);
    this.checker.setStable(stable, this.clock.now());
  }

  /** The journal's tail and the checker's violations, for a failing seed. */
  report(): string {
    return this.journal.slice(-40).join('\n');
  }

  private note(what: string): void {
    const line = `t=${this.clock.now().toFixed(1)} ${what}`;
    this.journal.push(line);
    if (this.verbose) console.log(line);
  }

  private host(id: string): Host {
    const h = this.hosts.get(id);
    if (!h) throw new Error(`no node ${id}`);
    return h;
  }

  /** A process ended (crash or stop): its liveness frames go with its streams. */
  private endProcess(h: Host): void {
    h.liveness?.close();
    h.liveness = undefined;
    h.sessions = undefined;
  }

  private async boot(h: Host): Promise<void> {
    h.generation++;
    const node = this.build(h);
    h.node = node;
    if (this.opts.bfd) this.countConfirms(node);
    await this.clock.runWhile(node.start());
    h.running = true;
  }

  private build(h: Host): ClusterNode {
    const { spec } = h;
    const { opts } = this;
    const groups: ClusterGroup[] = [];
    const lanAddress = this.lanAddress(spec.id);
    if (spec.kind === 'member') groups.push(this.group(h));
    // Adverts carry the origin a gRPC Hello would give them, so per-group authorisation runs.
    const adverts = new GatedPeerTransport(this.adverts.connect(spec.id, { primaryAddresses: lanAddress === undefined ? [] : [lanAddress], groups: groups.map((g) => g.params.group) }, h.address), h.clock);
    const lan = this.lanSegment && groups.length > 0 ? new GatedPeerTransport(new VrrpCopies(this.lanSegment.connect(spec.id), () => this.lanCounts.copies++), h.clock) : undefined;
    return new ClusterNode({
      nodeId: spec.id,
      seeds: this.ids().filter((id) => id !== spec.id).map((id) => this.address(id)),
      // The membership allow-list (tls.allow): every host and the adversary, which holds a
      // valid certificate (adversary.ts).
      allowed: [...this.ids(), ADVERSARY],
      membership: opts.timing.membership,
      groups,
      peerTransport: adverts,
      leaseTransport: adverts,
      ...(lan ? { lan: { transport: lan, groups: new Set(groups.map((g) => g.params.group)) } } : {}),
      // A crashed process's streams close and its address refuses redials (memory-membership.ts),
      // so crash verdicts run; its Hello's standing ranks the backups.
      membershipTransport: new GatedMembershipTransport(
        this.membership.connect(spec.id, h.address, groups.map((g) => ({ group: g.params.group, priority: g.params.basePriority, address: '' }))), h.clock),
      clock: h.clock,
      logger: this.verbose >= 2 ? printLogger(this.clock, spec.id) : silentLogger,
      metrics: new MetricsRegistry(),
      seed: this.rng.int(1, 2 ** 31),
      ...(opts.bfd ? { bfd: this.bfd(h, opts.bfd) } : {}),
      onRoleChange: (c) => {
        if (c.from === 'Initialize' && c.reason.startsWith('startup-hold: ')) {
          const kind = holdEnd(c.reason);
          this.holdEnds.set(kind, (this.holdEnds.get(kind) ?? 0) + 1);
        }
        if (this.opts.lan && c.from === 'Backup' && c.to === 'Master' && /^(crash-verdict|handoff)/.test(c.reason)) this.lanCounts.fastTakeovers++;
        if (c.from === 'Backup' && c.to === 'Master' && c.reason.includes(`(${BFD_DOWN_REASON})`)) {
          this.bfdCounts.takeovers++;
          this.bfdTakeovers.push(this.clock.now());
        }
        this.note(`${c.nodeId}#${h.generation} ${c.from} -> ${c.to} term ${c.term} (${c.reason})`);
      },
      onHandoff: (e) => {
        const now = this.clock.now();
        const until = now + (opts.handoffWindowScale ?? 1) * (e.overlapMaxMs + opts.stallToleranceMs) / (1 - RHO);
        this.handoffs.push({ from: e.from, to: e.to, since: now, until });
        // A step of time ends exactly at the window's end, so an overlap past it is seen there.
        this.clock.schedule(until, () => undefined);
        this.note(`handoff ${e.from} -> ${e.to} at term ${e.term} (two holders allowed until t=${until.toFixed(1)})`);
      },
    });
  }

  /**
   * What src/app/cluster.ts clusterBfd gives a node, on the simulator's links: BfdSessions on a
   * SimBfdEndpoint, signed (the sessions require the A bit, RFC 5880 §6.8.6; bfd-link.ts says
   * what stands for the digest), adaptive multiplier on, discriminators and jitter seeds from the
   * world's seeded Rng, and the same report lifetime.
   */
  private bfd(h: Host, b: SimBfd): ClusterBfd {
    const net = this.bfdNet;
    const liveness = this.liveness;
    if (!net || !liveness) throw new Error('bfd: the world was built without BFD links');
    const id = h.spec.id;
    const clock = h.clock;
    const links = liveness.connect(id, h.address, (fn) => clock.run(fn));
    h.liveness = links;
    return {
      // As clusterBfd: a report counts for a few Detection Times, at least a second.
      reportTtlMs: Math.max(1000, 10 * b.intervalMs * b.multiplier),
      links,
      sessions: (localAddress, onChange) => (h.sessions = new BfdSessions({
        transport: net.endpoint(id, localAddress, clock),
        clock,
        timers: { intervalMs: b.intervalMs, multiplier: b.multiplier, adaptive: true },
        authenticated: true,
        logger: this.verbose >= 2 ? printLogger(this.clock, id).child({ component: 'bfd' }) : silentLogger,
        onChange: (peer, up, diag, reason, graceful) => {
          if (up) this.bfdCounts.ups++;
          else if (!graceful) {
            const of = this.hostAt.get(peer) ?? peer;
            this.bfdCounts.downs++;
            this.bfdDowns.push({ at: this.clock.now(), node: id, peer: of });
            this.note(`${id}#${h.generation} BFD session to ${of} Down (${reason})`);
          }
          onChange(peer, up, diag, reason, graceful);
        },
        random32: () => this.rng.int(1, 0xffff_ffff),
      })),
    };
  }

  /**
   * Counts what the majority rule gives the elections (bfd-liveness.ts: PeerConfirmedDown with
   * reason `bfd-down`), seen where it enters each group's runner; passed on unchanged.
   */
  private countConfirms(node: ClusterNode): void {
    for (const runner of node.node.runners.values()) {
      const confirmed = runner.peerConfirmedDown.bind(runner);
      runner.peerConfirmedDown = (id, reason) => {
        if (reason === BFD_DOWN_REASON) {
          this.bfdCounts.confirms++;
          this.bfdConfirms.push({ at: this.clock.now(), node: runner.state.params.self.nodeId, peer: id });
        }
        confirmed(id, reason);
      };
    }
  }

  /** A member's address on the LAN segment, with `lan` (TEST-NET-2, RFC 5737; in memory only). */
  private lanAddress(id: string): string | undefined {
    if (!this.opts.lan) return undefined;
    const i = this.opts.nodes.findIndex((n) => n.id === id);
    return i < 0 ? undefined : `198.51.100.${i + 1}`;
  }

  /** The group a member runs, with its provider on the host's VIP record (build, reload). */
  private group(h: Host): ClusterGroup {
    const { spec } = h;
    const { opts } = this;
    const members = opts.nodes.filter((n) => n.kind === 'member').map((n) => n.id);
    const witnesses = opts.nodes.filter((n) => n.kind === 'witness').map((n) => n.id);
    const lanAddress = this.lanAddress(spec.id);
    const provider = new SimProvider(h.record, {
      clock: h.clock, rng: this.rng, maxLatencyMs: opts.providerLatencyMs, failure: opts.providerFailure,
    });
    return {
      params: lanAddress === undefined ? this.params(spec) : { ...this.params(spec), self: { nodeId: spec.id, address: lanAddress }, vrrpCadence: true },
      ...(lanAddress !== undefined ? { transport: 'both' as const, vrrpPeers: 'vipd' as const } : {}),
      provider,
      peers: members.filter((m) => m !== spec.id),
      witnesses,
      quorum: 'majority',
      leaseStallToleranceMs: opts.stallToleranceMs,
      ...(opts.reassertIntervalMs !== undefined ? { reassertIntervalMs: opts.reassertIntervalMs } : {}),
      handoffOverlapMaxMs: opts.handoffOverlapMaxMs ?? DEFAULT_HANDOFF_OVERLAP_MAX_MS,
      // Every boot holds, as `vipd run` does: at t = 0 all members start together, and a
      // restart (often into a partition or beside a stalled peer) holds until it hears its
      // peers, a master advertises, or the bound passes.
      ...(opts.startupHold !== false ? { startupHoldMs: defaultStartupHoldMs(spec.priority ?? 100, opts.timing.advertIntervalCs, 3) } : {}),
    };
  }

  /**
   * A reload on `id` that changes its group (a new priority): the group stops there, handing
   * off if it is master, and starts again with its startup hold (ClusterNode.reconfigure, the
   * path of `vipd run`'s SIGHUP). Not in `lan` worlds: a `both` group needs a restart.
   */
  async reload(id: string, priority: number): Promise<void> {
    const h = this.host(id);
    const node = h.node;
    if (!h.running || !node || h.spec.kind !== 'member' || this.lanSegment) return;
    this.reloads++;
    h.spec = { ...h.spec, priority };
    this.note(`reload ${id}: its group now has priority ${priority}`);
    await this.clock.runWhile(node.reconfigure({ remove: [GROUP], add: [this.group(h)] }));
  }

  private params(spec: WorldNode): ElectionParams {
    return {
      group: GROUP,
      vrid: VRID,
      self: { nodeId: spec.id },
      basePriority: spec.priority ?? 100,
      advertIntervalCs: this.opts.timing.advertIntervalCs,
      version: 3,
      preempt: true,
      preemptDelayMs: 0,
      requireQuorum: true,
      orderByTerm: true,
    };
  }
}

/** Adverts and lease messages reach a stalled process only when its stall ends (NodeClock.run). */
/**
 * What VRRP carries of an advert (RFC 5798 §5.2; src/wire/vrrp-advert.ts): the sender only as
 * its source address, no term, no lease echo, no origin. Sent to every node on the segment.
 */
class VrrpCopies implements PeerTransport, LeaseTransport {
  constructor(
    private readonly inner: MemoryTransport,
    private readonly delivered: () => void,
  ) {}

  onLease(): void {}

  sendLease(): boolean {
    return false;
  }

  start(handler: AdvertHandler): Promise<void> {
    return this.inner.start((m) => {
      this.delivered();
      handler(m);
    });
  }

  send(msg: GroupAdvert): void {
    const { vrid, sender, priority, advertIntervalCs } = msg.advert;
    const source = sender.address ?? sender.nodeId;
    this.inner.send({ group: msg.group, advert: { vrid, sender: { nodeId: source, address: source }, priority, advertIntervalCs, term: 0 } });
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}

class GatedPeerTransport implements PeerTransport, LeaseTransport {
  constructor(
    private readonly inner: PeerTransport & LeaseTransport,
    private readonly clock: NodeClock,
  ) {}

  onLease(receiver: LeaseReceiver): void {
    this.inner.onLease((msg, from) => this.clock.run(() => receiver(msg, from)));
  }

  sendLease(address: string, msg: LeaseMessage): boolean {
    return this.inner.sendLease(address, msg);
  }

  start(handler: AdvertHandler): Promise<void> {
    return this.inner.start((msg) => this.clock.run(() => handler(msg)));
  }

  send(msg: GroupAdvert): void {
    this.inner.send(msg);
  }

  stop(): Promise<void> {
    return this.inner.stop();
  }
}

/** Membership messages and link events reach a stalled process only when its stall ends. */
class GatedMembershipTransport implements MembershipTransport {
  constructor(
    private readonly inner: MembershipTransport,
    private readonly clock: NodeClock,
  ) {}

  get address(): string {
    return this.inner.address;
  }

  listen(r: MembershipReceiver): Promise<void> {
    const run = this.clock.run.bind(this.clock);
    // Queries (groupTargets and any other) answer at once; events wait for the process.
    return this.inner.listen({
      ...r,
      message: (m, from) => run(() => r.message(m, from)),
      peerUp: (id) => run(() => r.peerUp?.(id)),
      peerDown: (id, reason) => run(() => r.peerDown(id, reason)),
      unreachable: (address, reason) => run(() => r.unreachable(address, reason)),
      gone: (address, id, reason) => run(() => r.gone?.(address, id, reason)),
      standing: (id, standing) => run(() => r.standing?.(id, standing)),
    });
  }

  sendMembership(address: string, m: Parameters<MembershipTransport['sendMembership']>[1]): boolean {
    return this.inner.sendMembership(address, m);
  }

  isUp(address: string): boolean {
    return this.inner.isUp(address);
  }

  forget(address: string): void {
    this.inner.forget(address);
  }

  reannounce(a: Announcement): void {
    this.inner.reannounce?.(a);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}

/** How a startup hold ended, from its reason (startup-hold.ts): heard-all, master, or bound. */
export function holdEnd(reason: string): string {
  if (reason.includes('heard every peer')) return 'heard every peer';
  if (reason.includes('is advertising')) return 'a master advertised';
  return 'the bound passed';
}
