/**
 * One test network per implementation (test/netns/lib's topology: a bridge in a switch
 * namespace, one namespace per host, 192.0.2.0/24 only): HA nodes `a` (192.0.2.11, priority
 * 150) and `b` (.12, priority 100), the `client` (.13), and for vipd's unicast mode a witness
 * `w` (.14). Each HA node runs a UDP echo server that answers with its name; the client sends
 * a request to the VIP every 10 ms for the whole life of the lab and its log is kept here.
 * Faults (freeze, link down, packet loss with nftables) act on these namespaces only.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTopology, exec, type Host, type Topology } from '../test/netns/lib/index.js';
import type { Probe } from './outage.js';
import { limiter, NsProcess, nowMs, pollUntil, type Line } from './proc.js';

/** The flap and cold-start cells build their labs at most this many at a time. */
const buildSlot = limiter(3);
import { ROOT, TSX_IMPORT } from './vipd-build.js';

export const VIP = '192.0.2.50';
export const VIP_PREFIX = 24;
export const ECHO_PORT = 7007;
export const PROBE_INTERVAL_MS = 10;
const NFT_TABLE = 'vipdbench';

/** The VIPs of an n-group deployment: 192.0.2.50 for one group, 192.0.2.100–199 for up to 100. */
export function vipsFor(groups: number): string[] {
  if (groups === 1) return [VIP];
  if (groups > 100) throw new Error('at most 100 groups (192.0.2.100-199)');
  return Array.from({ length: groups }, (_, i) => `192.0.2.${100 + i}`);
}

/** The client's log: every request and its answers, pruned to the last `keepMs`. */
export class ProbeLog {
  private readonly bySeq = new Map<number, { seq: number; sentAt: number; answers: Array<{ node: string; at: number }> }>();
  private oldest = 1;
  private newest = 0;

  constructor(private readonly keepMs: number) {}

  /** One line of the probe client ("s SEQ T" or "a SEQ T NODE"). */
  take(line: Line): void {
    const parts = line.text.split(' ');
    const seq = Number(parts[1]);
    const t = Number(parts[2]);
    if (!Number.isInteger(seq) || seq < 1 || !Number.isFinite(t)) return;
    if (parts[0] === 's') {
      this.bySeq.set(seq, { seq, sentAt: t, answers: [] });
      this.newest = Math.max(this.newest, seq);
      this.prune(t);
    } else if (parts[0] === 'a' && parts[3]) {
      this.bySeq.get(seq)?.answers.push({ node: parts[3], at: t });
    }
  }

  private prune(now: number): void {
    for (let i = 0; i < 1000 && this.oldest <= this.newest; i++) {
      const p = this.bySeq.get(this.oldest);
      if (p && now - p.sentAt <= this.keepMs) return;
      this.bySeq.delete(this.oldest);
      this.oldest += 1;
    }
  }

  /** Copies of the probes sent in [from, to], oldest first (walks back from the newest). */
  slice(from: number, to: number): Probe[] {
    const out: Probe[] = [];
    for (let seq = this.newest; seq >= this.oldest; seq--) {
      const p = this.bySeq.get(seq);
      if (!p) continue;
      if (p.sentAt < from) break;
      if (p.sentAt <= to) out.push({ seq: p.seq, sentAt: p.sentAt, answers: p.answers.map((a) => ({ ...a })) });
    }
    return out.reverse();
  }

  /**
   * True when every request sent in the last `ms` (but the youngest 50 ms, in flight) was
   * answered by `node` alone, promptly (a request queued in the client's kernel while the VIP
   * was unresolved is answered late, when it resolves): the VIP is steady on it.
   */
  steadyOn(node: string, ms: number, now = nowMs()): boolean {
    const probes = this.slice(now - ms, now - 50);
    if (probes.length < (ms - 50) / PROBE_INTERVAL_MS / 2) return false;
    return probes.every((p) => p.answers.length === 1 && p.answers[0]?.node === node && (p.answers[0]?.at ?? Infinity) - p.sentAt < 50);
  }

  /** The first answer arriving at or after `since` from a node other than `exclude`. */
  firstOther(exclude: string, since: number): { node: string; at: number } | undefined {
    let best: { node: string; at: number } | undefined;
    for (const p of this.slice(since - 2000, Number.POSITIVE_INFINITY)) {
      for (const a of p.answers) if (a.at >= since && a.node !== exclude && (!best || a.at < best.at)) best = a;
    }
    return best;
  }
}

export interface LabOptions {
  readonly label: string;
  readonly witness: boolean;
  /** A third HA node c (192.0.2.15, after w) for the trio's cold starts. */
  readonly third?: boolean;
  /** Bounded life of every program the lab starts (the echo servers and the client). */
  readonly lifetimeMs: number;
  /** How much of the client's log to keep (the flap test reads minutes of it). */
  readonly keepLogMs: number;
}

export class Lab {
  readonly probes: ProbeLog;
  private readonly services: NsProcess[] = [];

  private constructor(readonly opts: LabOptions, readonly topo: Topology, readonly dir: string) {
    this.probes = new ProbeLog(opts.keepLogMs);
  }

  static async create(opts: LabOptions): Promise<Lab> {
    // Order fixes the addresses (test/netns/lib: 192.0.2.10 + position): a .11, b .12, client .13, w .14, c .15.
    const hosts = ['a', 'b', 'client', ...(opts.witness || opts.third ? ['w'] : []), ...(opts.third ? ['c'] : [])];
    const topo = await createTopology({ hosts, ipv6: false });
    let dir: string | undefined;
    try {
      dir = await mkdtemp(join(tmpdir(), `vipd-bench-${opts.label}-`));
      return new Lab(opts, topo, dir);
    } catch (err) {
      await topo.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  /**
   * A lab with its echo servers and client running, built in turn with the other cells' labs
   * (three Node programs each: a dozen at once would starve the machine). `prepare` runs in the
   * same slot (vipd unicast's certificates). The lab is handed to `register` as soon as it exists.
   */
  static async createStarted(opts: LabOptions, register: (lab: Lab) => void, prepare?: (lab: Lab) => Promise<void>): Promise<Lab> {
    return buildSlot(async () => {
      const lab = await Lab.create(opts);
      register(lab);
      await lab.startService();
      await prepare?.(lab);
      return lab;
    });
  }

  host(name: string): Host {
    return this.topo.host(name);
  }

  /** a and b, and c when the lab has it. */
  haNodes(): string[] {
    return ['a', 'b', 'c'].filter((n) => this.has(n));
  }

  has(name: string): boolean {
    return this.topo.hosts.some((h) => h.name === name);
  }

  /** Every namespace of this lab (for the interrupt handler). */
  namespaces(): string[] {
    return [this.topo.switchNs, ...this.topo.hosts.map((h) => h.ns)];
  }

  /** Starts the echo servers on a and b and the client; resolves when the servers listen. */
  async startService(): Promise<void> {
    const seconds = String(Math.ceil(this.opts.lifetimeMs / 1000));
    const program = (name: string) => join(ROOT, 'bench', 'programs', name);
    for (const node of this.haNodes()) {
      const p = new NsProcess({ ns: this.host(node).ns, name: `echo ${node}`, lifetimeMs: this.opts.lifetimeMs, argv: [process.execPath, '--import', TSX_IMPORT, program('echo-server.ts'), node, String(ECHO_PORT), seconds] });
      this.services.push(p);
    }
    const client = new NsProcess({
      ns: this.host('client').ns,
      name: 'client',
      lifetimeMs: this.opts.lifetimeMs,
      keepLines: 10,
      argv: [process.execPath, '--import', TSX_IMPORT, program('probe-client.ts'), VIP, String(ECHO_PORT), String(PROBE_INTERVAL_MS), seconds],
      onLine: (line) => this.probes.take(line),
    });
    this.services.push(client);
    // Bounded; generous because the flap and cold-start cells start many labs at once on a busy machine.
    const ok = await pollUntil(() => this.services.slice(0, -1).every((p) => p.lines.some((l) => l.text.startsWith('listening'))) && client.lines.length > 0, 90_000, 50);
    if (!ok) throw new Error(`${this.opts.label}: echo servers or client did not start\n${this.services.map((p) => p.tail()).join('\n')}`);
  }

  /** Whether the echo servers and the client still run (a frozen one counts as running). */
  serviceAlive(): boolean {
    return this.services.every((p) => p.running);
  }

  /** Pids of every process in a host's namespace. */
  async pids(node: string): Promise<number[]> {
    const r = await exec(['ip', 'netns', 'pids', this.host(node).ns], { check: false, timeoutMs: 5_000 });
    return r.stdout.split('\n').map((s) => Number(s.trim())).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid);
  }

  /** How many of `vips` are on the node's interface. */
  async vipCount(node: string, vips: readonly string[]): Promise<number> {
    const have = new Set((await this.host(node).addresses()).map((a) => a.address));
    return vips.filter((v) => have.has(v)).length;
  }

  /** Host death, part 1: SIGSTOP every process of the node (given pids, then any started since). */
  async freeze(node: string, known: readonly number[]): Promise<void> {
    signalAll(known, 'SIGSTOP');
    signalAll(await this.pids(node), 'SIGSTOP');
  }

  async thaw(node: string): Promise<void> {
    signalAll(await this.pids(node), 'SIGCONT');
  }

  async link(node: string, up: boolean): Promise<void> {
    const h = this.host(node);
    await exec(['ip', '-n', h.ns, 'link', 'set', h.ifname, up ? 'up' : 'down'], { timeoutMs: 5_000 });
  }

  /**
   * Drops `percent` % of the packets in and out of the node's interface at random (nftables
   * `numgen random mod 100 < N`, inside its namespace): VRRP, gRPC and the client's requests
   * alike. 0 removes the rules.
   */
  async loss(node: string, percent: number): Promise<void> {
    const h = this.host(node);
    await exec(['ip', 'netns', 'exec', h.ns, 'nft', 'delete', 'table', 'inet', NFT_TABLE], { check: false, timeoutMs: 5_000 });
    if (percent <= 0) return;
    const file = join(this.dir, `loss-${node}.nft`);
    const n = Math.round(percent);
    await writeFile(file, [
      `table inet ${NFT_TABLE} {`,
      '  chain input {',
      '    type filter hook input priority 0; policy accept;',
      `    iifname "${h.ifname}" numgen random mod 100 < ${n} drop`,
      '  }',
      '  chain output {',
      '    type filter hook output priority 0; policy accept;',
      `    oifname "${h.ifname}" numgen random mod 100 < ${n} drop`,
      '  }',
      '}',
      '',
    ].join('\n'));
    await exec(['ip', 'netns', 'exec', h.ns, 'nft', '-f', file], { timeoutMs: 5_000 });
  }

  /**
   * Between runs: links up, no loss rules, no VIP left on a or b (a crashed agent leaves it
   * bound), the client's neighbour entry for the VIP forgotten.
   */
  async reset(vips: readonly string[]): Promise<void> {
    for (const node of this.haNodes()) {
      const h = this.host(node);
      await this.thaw(node);
      await this.link(node, true);
      await this.loss(node, 0);
      const have = new Set((await h.addresses()).map((a) => a.address));
      for (const v of vips) {
        if (have.has(v)) await exec(['ip', '-n', h.ns, 'addr', 'del', `${v}/${VIP_PREFIX}`, 'dev', h.ifname], { check: false, timeoutMs: 5_000 });
      }
    }
    const c = this.host('client');
    await exec(['ip', '-n', c.ns, 'neigh', 'flush', 'dev', c.ifname], { check: false, timeoutMs: 5_000 });
  }

  async destroy(): Promise<void> {
    for (const p of this.services) p.kill();
    await this.topo.destroy();
    await rm(this.dir, { recursive: true, force: true });
  }
}

export function signalAll(pids: readonly number[], sig: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, sig);
    } catch {
      // gone already
    }
  }
}
