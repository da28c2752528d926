/**
 * A simulator for N membership cores: each core is driven exactly as the runtime drives it
 * (one timer armed at nextDeadline, Tick when it fires, Received for each delivered copy) on the
 * VirtualClock, over a seeded lossy network (loss, latency, jitter; directed cuts). Every copy
 * is delivered through clock.schedule, so a run is a function of its seed.
 */
import { TIMING_PRESETS } from '../../../src/config/presets.js';
import { initialState, nextDeadline, step } from '../../../src/core/membership/step.js';
import { membershipParams } from '../../../src/core/membership/params.js';
import type { Message } from '../../../src/core/membership/messages.js';
import type {
  MemberState, MemberStateOrUnknown, MembershipAction, MembershipEvent, MembershipParams, MembershipState,
} from '../../../src/core/membership/types.js';
import { Rng } from '../rng.js';
import { VirtualClock } from '../virtual-clock.js';

/** vipd's shipped LAN preset (config/presets.ts), so the simulator tests what users run. */
export const LAN = TIMING_PRESETS.lan.membership;

export interface NetParams {
  /** Probability that one message copy is lost. */
  loss: number;
  /** One-way delay, ms. */
  latencyMs: number;
  /** Extra uniform delay in [0, jitterMs). */
  jitterMs: number;
  /** A send to a stopped node is refused (the transport reports SendFailed) instead of lost. */
  refuseWhenDown: boolean;
}

export interface Change {
  readonly at: number;
  readonly observer: string;
  readonly id: string;
  readonly from: MemberStateOrUnknown;
  readonly to: MemberStateOrUnknown;
  readonly reason: string;
  readonly confirmedByProbe: boolean;
}

interface SimNode {
  readonly id: string;
  readonly address: string;
  state: MembershipState;
  up: boolean;
  /** Since when the process is down (killed), or undefined. */
  downAt?: number;
  /** The process is stalled (a GC pause, an overloaded host) until then: events wait. */
  frozenUntil?: number;
  leftAt?: number;
  armed?: number;
  cancel?: () => void;
  sent: number;
}

const TICK: MembershipEvent = { type: 'Tick' };

export const addressOf = (id: string): string => `${id}.sim:7946`;

export class MembershipSim {
  readonly clock = new VirtualClock();
  readonly net: NetParams;
  readonly history: Change[] = [];
  readonly logs: string[] = [];
  private readonly rng: Rng;
  private readonly nodes = new Map<string, SimNode>();
  private readonly byAddress = new Map<string, SimNode>();
  private readonly blocked = new Set<string>();
  private readonly verbose = process.env.SIM_LOG === '1';
  messages = 0;

  constructor(readonly seed: number, net: Partial<NetParams> = {}) {
    this.rng = new Rng(seed);
    this.net = { loss: 0, latencyMs: 1, jitterMs: 0, refuseWhenDown: false, ...net };
  }

  /** Adds a node (not started). `members`: warm start with these ids known alive. */
  add(id: string, opts: { seeds?: readonly string[]; members?: readonly string[]; params?: Partial<MembershipParams> } = {}): void {
    const address = addressOf(id);
    const params = membershipParams({ self: { id, address }, seeds: opts.seeds ?? [], ...LAN }, opts.params);
    const members = (opts.members ?? []).map((m) => ({ id: m, address: addressOf(m) }));
    const node: SimNode = { id, address, state: initialState(params, { seed: this.nodeSeed(id), members }), up: true, sent: 0 };
    this.nodes.set(id, node);
    this.byAddress.set(address, node);
  }

  /** n nodes "n00".."n99" that all know each other from the start (a converged cluster). */
  addWarmCluster(n: number, params?: Partial<MembershipParams>): string[] {
    const ids = Array.from({ length: n }, (_, i) => `n${String(i).padStart(2, '0')}`);
    for (const id of ids) this.add(id, { members: ids, params });
    return ids;
  }

  ids(): string[] {
    return [...this.nodes.keys()];
  }

  state(id: string): MembershipState {
    return this.node(id).state;
  }

  start(id: string): void {
    this.feed(this.node(id), { type: 'Start' });
  }

  startAll(): void {
    for (const id of this.nodes.keys()) this.start(id);
  }

  /** Crash: the process stops; copies already on the wire to it are lost on arrival. */
  kill(id: string): void {
    const n = this.node(id);
    n.up = false;
    n.downAt = this.clock.now();
    n.cancel?.();
    n.cancel = undefined;
    n.armed = undefined;
  }

  /** Stalls a live process for `ms`: it neither answers nor acts, then catches up. */
  freeze(id: string, ms: number): void {
    this.node(id).frozenUntil = this.clock.now() + ms;
  }

  leave(id: string): void {
    const n = this.node(id);
    n.leftAt = this.clock.now();
    this.feed(n, { type: 'Leave' });
  }

  feedEvent(id: string, ev: MembershipEvent): void {
    this.feed(this.node(id), ev);
  }

  /**
   * A message that node `from` sends to `to` whatever its core would say (an allow-listed node
   * that misbehaves): delivered like any other copy, with `from` as the authenticated sender.
   */
  inject(from: string, to: string, message: Message): void {
    this.transmit(this.node(from), addressOf(to), message, this.clock.now());
  }

  /** Cuts every link between the two sides, both ways. */
  partition(a: readonly string[], b: readonly string[]): void {
    for (const x of a) for (const y of b) {
      this.blocked.add(`${x}>${y}`);
      this.blocked.add(`${y}>${x}`);
    }
  }

  heal(): void {
    this.blocked.clear();
  }

  runFor(ms: number): void {
    this.clock.runUntil(this.clock.now() + ms);
  }

  /** Runs until `done()` holds (checked every `everyMs`) or `maxMs` passed; true when it held. */
  runUntil(done: () => boolean, maxMs: number, everyMs = 10): boolean {
    const end = this.clock.now() + maxMs;
    while (this.clock.now() < end) {
      if (done()) return true;
      this.clock.runUntil(Math.min(end, this.clock.now() + everyMs));
    }
    return done();
  }

  /** How `observer` sees `id` ('unknown' when not in its table). */
  view(observer: string, id: string): MemberStateOrUnknown {
    return this.node(observer).state.members.get(id)?.state ?? 'unknown';
  }

  /** Nodes whose process runs and that have not left. */
  live(): string[] {
    return [...this.nodes.values()].filter((n) => n.up && n.leftAt === undefined).map((n) => n.id);
  }

  /** Every live node other than `id` sees it in `state`. */
  allSee(id: string, state: MemberState): boolean {
    return this.live().every((o) => o === id || this.view(o, id) === state);
  }

  /** Time at which the last live node first saw `id` in `state` after `since`; undefined if some never did. */
  seenByAllAt(id: string, state: MemberState, since: number): number | undefined {
    let last = -Infinity;
    for (const o of this.live()) {
      if (o === id) continue;
      const c = this.history.find((h) => h.observer === o && h.id === id && h.to === state && h.at >= since);
      if (!c) return undefined;
      last = Math.max(last, c.at);
    }
    return last;
  }

  /** Declarations of `dead` about a node whose process was running and had not left. */
  falseDeaths(): Change[] {
    return this.history.filter((h) => {
      if (h.to !== 'dead') return false;
      const subject = this.nodes.get(h.id);
      if (!subject) return false;
      const downAt = subject.downAt ?? Infinity;
      const leftAt = subject.leftAt ?? Infinity;
      return h.at < downAt && h.at < leftAt;
    });
  }

  sentBy(id: string): number {
    return this.node(id).sent;
  }

  private nodeSeed(id: string): number {
    let h = this.seed ^ 0x9e3779b9;
    for (let i = 0; i < id.length; i++) h = Math.imul(h ^ id.charCodeAt(i), 0x01000193);
    return h >>> 0;
  }

  private node(id: string): SimNode {
    const n = this.nodes.get(id);
    if (!n) throw new Error(`no sim node ${id}`);
    return n;
  }

  private feed(node: SimNode, ev: MembershipEvent): void {
    if (!node.up) return;
    const now = this.clock.now();
    if (node.frozenUntil !== undefined && now < node.frozenUntil) {
      // Stalled: the event is handled when the process runs again, in arrival order.
      this.clock.schedule(node.frozenUntil, () => this.feed(node, ev));
      return;
    }
    const r = step(node.state, ev, now);
    node.state = r.state;
    for (const a of r.actions) this.act(node, a, now);
    this.arm(node);
  }

  private act(node: SimNode, a: MembershipAction, now: number): void {
    switch (a.type) {
      case 'Send':
        this.transmit(node, a.to.address, a.message, now);
        return;
      case 'MemberChanged':
        this.history.push({ at: now, observer: node.id, id: a.id, from: a.from, to: a.to, reason: a.reason, confirmedByProbe: a.confirmedByProbe });
        return;
      case 'Log':
        if (this.verbose && a.level !== 'debug') {
          const line = `${now.toFixed(1).padStart(9)} ${node.id} ${a.level} ${a.msg}`;
          this.logs.push(line);
          console.log(line);
        }
        return;
      case 'Metric':
        return;
    }
  }

  private arm(node: SimNode): void {
    const d = nextDeadline(node.state);
    if (d === node.armed) return;
    node.cancel?.();
    node.armed = d;
    node.cancel = d === undefined ? undefined : this.clock.schedule(d, () => {
      node.armed = undefined;
      node.cancel = undefined;
      this.feed(node, TICK);
    });
  }

  private transmit(from: SimNode, address: string, message: Message, now: number): void {
    from.sent++;
    this.messages++;
    const to = this.byAddress.get(address);
    if (!to) return;
    if (!to.up && this.net.refuseWhenDown) {
      const dest = { id: to.id, address };
      this.clock.schedule(now + this.net.latencyMs, () => this.feed(from, { type: 'SendFailed', to: dest }));
      return;
    }
    if (this.blocked.has(`${from.id}>${to.id}`)) return;
    if (this.net.loss > 0 && this.rng.chance(this.net.loss)) return;
    const delay = this.net.latencyMs + (this.net.jitterMs > 0 ? this.rng.next() * this.net.jitterMs : 0);
    this.clock.schedule(now + delay, () => {
      if (to.up) this.feed(to, { type: 'Received', message, sender: from.id });
    });
  }
}

/** Seeds for a property test: SIM_SEED pins one, SIM_SEEDS sets how many (default `n`). */
export function seeds(n: number, base = 1): number[] {
  if (process.env.SIM_SEED) return [Number(process.env.SIM_SEED)];
  const count = process.env.SIM_SEEDS ? Number(process.env.SIM_SEEDS) : n;
  return Array.from({ length: count }, (_, i) => base + i);
}

/** Runs one seeded scenario; a failure names its seed and the command that replays it. */
export function withSeed(seed: number, file: string, fn: (seed: number) => void): void {
  try {
    fn(seed);
  } catch (err) {
    const msg = err instanceof Error ? err.message : String(err);
    throw new Error(`simulation failed with seed ${seed}: ${msg}\n  replay: SIM_SEED=${seed} node --import tsx --test ${file}`, { cause: err });
  }
}

/** Result of one kill-detection run (shared by the scenario test and bench/gossip.ts). */
export interface DetectionRun {
  /** Kill → dead at every live node, ms; undefined when not detected within the run. */
  readonly detectionMs: number | undefined;
  readonly falseDeaths: readonly Change[];
  /** Messages sent per live node per simulated second. */
  readonly messagesPerNodePerSec: number;
  readonly victim: string;
}

/** The local inputs of issue 10 (docs/membership.md "Inputs"), as a detection run feeds them. */
export interface InputModel {
  /**
   * A process crash: connections to the victim are refused, and this many members had a stream
   * to it that the kernel reset; each gives its crash verdict (MemberGone) 1-3 ms after the
   * kill (the reset, then the refused redial). A cluster that ran a full probe round has a
   * stream between every pair (n − 1); a fresh one only a few.
   */
  readonly gonePeers?: number;
  /**
   * This many members run a BFD session with the victim (its groups' members and witnesses);
   * each sees it Down one Detection Time (`bfdDetectMs`, 3 × 20 ms by default) plus up to one
   * interval after the victim stopped (RFC 5880 §6.8.4).
   */
  readonly bfdPeers?: number;
  readonly bfdDetectMs?: number;
}

/**
 * A converged n-node cluster on a lossy LAN; one random node is killed after a random delay,
 * and the run continues until every live node declared it dead (or `afterKillMs` passes).
 */
export function detectionRun(seed: number, n: number, opts: {
  loss?: number; jitterMs?: number; params?: Partial<MembershipParams>; afterKillMs?: number; settleMs?: number;
  /** A process crash as the HA runtime sees it: connections to the victim are refused, and this many members had a stream to it that broke (ProbeNow). */
  streamPeers?: number;
  inputs?: InputModel;
} = {}): DetectionRun {
  const inputs = opts.inputs ?? {};
  const crash = opts.streamPeers !== undefined || (inputs.gonePeers ?? 0) > 0;
  const sim = new MembershipSim(seed, { loss: opts.loss ?? 0.05, latencyMs: 0.5, jitterMs: opts.jitterMs ?? 1, refuseWhenDown: crash });
  const ids = sim.addWarmCluster(n, opts.params);
  sim.startAll();
  const r = new Rng(seed ^ 0x5bd1e995);
  const victim = r.pick(ids);
  const killAt = (opts.settleMs ?? 1000) + r.int(0, 500);
  sim.runFor(killAt);
  sim.kill(victim);
  const t0 = sim.clock.now();
  const others = (count: number): string[] => {
    const peers = ids.filter((x) => x !== victim);
    const out: string[] = [];
    while (out.length < Math.min(count, n - 1)) out.push(peers.splice(r.int(0, peers.length - 1), 1)[0] as string);
    return out;
  };
  if (opts.streamPeers !== undefined) {
    for (const peer of others(opts.streamPeers)) sim.clock.schedule(t0 + r.next() * 5, () => sim.feedEvent(peer, { type: 'ProbeNow', id: victim }));
  }
  for (const peer of others(inputs.gonePeers ?? 0)) {
    sim.clock.schedule(t0 + 1 + r.next() * 2, () => sim.feedEvent(peer, { type: 'MemberGone', address: addressOf(victim), id: victim, reason: 'refused' }));
  }
  const detect = inputs.bfdDetectMs ?? 60;
  for (const peer of others(inputs.bfdPeers ?? 0)) {
    sim.clock.schedule(t0 + detect + r.next() * (detect / 3), () => sim.feedEvent(peer, { type: 'BfdDown', id: victim }));
  }
  sim.runUntil(() => sim.allSee(victim, 'dead'), opts.afterKillMs ?? 6000);
  const at = sim.seenByAllAt(victim, 'dead', t0);
  const seconds = sim.clock.now() / 1000;
  return {
    detectionMs: at === undefined ? undefined : at - t0,
    falseDeaths: sim.falseDeaths(),
    messagesPerNodePerSec: sim.messages / n / seconds,
    victim,
  };
}

/**
 * No kill: a converged n-node cluster runs `ms` on a lossy LAN while the local inputs misfire
 * at live members, as they can: BFD sessions go Down on loss (`bfdDownsPerSec` across the
 * cluster, each at a random member about a random other), and a crash verdict about a live
 * member (`falseGones`, e.g. a firewall that rejects one path with a reset) at one member
 * each. Every death is a false death; suspicions are counted too.
 */
export function soakRun(seed: number, n: number, ms: number, opts: {
  loss?: number; params?: Partial<MembershipParams>; bfdDownsPerSec?: number; falseGones?: number;
} = {}): { readonly falseDeaths: readonly Change[]; readonly suspicions: number; readonly messagesPerNodePerSec: number } {
  const sim = new MembershipSim(seed, { loss: opts.loss ?? 0.05, latencyMs: 0.5, jitterMs: 1 });
  const ids = sim.addWarmCluster(n, opts.params);
  sim.startAll();
  const r = new Rng(seed ^ 0x68e31da4);
  const pair = (): [string, string] => {
    const a = r.pick(ids);
    return [a, r.pick(ids.filter((x) => x !== a))];
  };
  const downs = Math.round(((opts.bfdDownsPerSec ?? 0) * ms) / 1000);
  for (let i = 0; i < downs; i++) {
    const [at, about] = pair();
    sim.clock.schedule(r.next() * ms, () => sim.feedEvent(at, { type: 'BfdDown', id: about }));
  }
  for (let i = 0; i < (opts.falseGones ?? 0); i++) {
    const [at, about] = pair();
    sim.clock.schedule(r.next() * ms, () => sim.feedEvent(at, { type: 'MemberGone', address: addressOf(about), id: about, reason: 'refused' }));
  }
  sim.runFor(ms);
  return {
    falseDeaths: sim.falseDeaths(),
    suspicions: sim.history.filter((h) => h.to === 'suspect').length,
    messagesPerNodePerSec: sim.messages / n / (ms / 1000),
  };
}

/**
 * A converged n-node cluster in which one random live member stalls for `stallMs` (a GC pause,
 * an overloaded host) and then carries on. Did anyone suspect it, or declare it dead?
 */
export function stallRun(seed: number, n: number, stallMs: number, opts: { loss?: number; params?: Partial<MembershipParams> } = {}): {
  readonly suspected: boolean;
  readonly declaredDead: boolean;
} {
  const sim = new MembershipSim(seed, { loss: opts.loss ?? 0.05, latencyMs: 0.5, jitterMs: 1 });
  const ids = sim.addWarmCluster(n, opts.params);
  sim.startAll();
  const r = new Rng(seed ^ 0x27d4eb2f);
  const victim = r.pick(ids);
  sim.runFor(1000 + r.int(0, 500));
  sim.freeze(victim, stallMs);
  sim.runFor(stallMs + 5000);
  return {
    suspected: sim.history.some((h) => h.id === victim && h.to === 'suspect'),
    declaredDead: sim.falseDeaths().length > 0,
  };
}
