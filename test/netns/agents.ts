/**
 * Agents run inside test namespaces: vipd (`vipd run`, JSON logs read live) and keepalived
 * (Debian's, in the foreground, both of its processes killable). Every process is killed by
 * `kill()`, which tests call in `finally`.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { onLines } from '../../src/cli/lines.js';
import { createTopology, type Host, type Topology } from './lib/index.js';

const VIPD = fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url));

export interface Line {
  t: number;
  msg: string;
  group?: string;
  [k: string]: unknown;
}

abstract class Agent {
  readonly lines: Line[] = [];
  protected proc: ChildProcessWithoutNullStreams | undefined;

  protected spawnIn(ns: string, argv: string[], parse: (line: string) => Line, env?: NodeJS.ProcessEnv): void {
    const p = spawn('ip', ['netns', 'exec', ns, ...argv], env ? { env } : {});
    this.proc = p;
    const take = (line: string) => this.lines.push(parse(line));
    onLines(p.stdout, take);
    onLines(p.stderr, take);
    // Bounded lifetime whatever the test does.
    setTimeout(() => p.kill('SIGKILL'), 180_000).unref();
  }

  get pid(): number | undefined {
    return this.proc?.pid;
  }

  signal(sig: NodeJS.Signals): void {
    this.proc?.kill(sig);
  }

  async exited(ms = 10_000): Promise<number | null> {
    const p = this.proc;
    if (!p || p.exitCode !== null || p.signalCode !== null) return p?.exitCode ?? null;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no exit within ${ms} ms`)), ms);
      p.once('exit', (code) => { clearTimeout(t); resolve(code); });
    });
  }

  text(): string {
    return this.lines.map((l) => l.msg).join('\n');
  }

  async kill(): Promise<void> {
    this.proc?.kill('SIGKILL');
  }
}

export class VipdAgent extends Agent {
  /** The configuration file it runs (a reload test rewrites it). */
  file = '';

  constructor(readonly name: string) {
    super();
  }

  /** `opts.env`: the agent's whole environment (default this process's), e.g. a cloud node's own credentials. */
  async start(ns: string, dir: string, yaml: string, opts: { readonly env?: NodeJS.ProcessEnv } = {}): Promise<void> {
    const file = join(dir, `${this.name}.yaml`);
    this.file = file;
    await writeFile(file, yaml);
    this.runVipd(ns, ['-c', file], opts.env);
  }

  /** `vipd run --keepalived-conf FILE`: a keepalived.conf, through the importer (docs/keepalived-import.md). */
  async startKeepalivedConf(ns: string, dir: string, conf: string): Promise<void> {
    const file = join(dir, `${this.name}.keepalived.conf`);
    this.file = file;
    await writeFile(file, conf);
    this.runVipd(ns, ['--keepalived-conf', file]);
  }

  /** `vipd run ARGS` in `ns`; its JSON log lines are parsed, others kept as text. */
  private runVipd(ns: string, args: string[], env?: NodeJS.ProcessEnv): void {
    this.spawnIn(ns, [process.execPath, '--import', 'tsx', VIPD, 'run', ...args], (line) => {
      try {
        return { ...(JSON.parse(line) as Line), t: Date.now() };
      } catch {
        return { t: Date.now(), msg: line };
      }
    }, env);
  }

  /** The last role this agent logged for a group ("MASTER", "BACKUP", ...). */
  role(group = 'web'): string | undefined {
    let role: string | undefined;
    for (const l of this.lines) {
      const m = /^[A-Z]+ -> ([A-Z]+) \(/.exec(l.msg);
      if (m && l.group === group) role = m[1];
    }
    return role;
  }

  /** Every role change this agent logged at or after `since` (ms, Date.now()), per group. */
  roleChanges(since = 0): Array<{ t: number; group: string; to: string; msg: string }> {
    const out: Array<{ t: number; group: string; to: string; msg: string }> = [];
    for (const l of this.lines) {
      const m = /^[A-Z]+ -> ([A-Z]+) \(/.exec(l.msg);
      if (m?.[1] && l.group && l.t >= since) out.push({ t: l.t, group: l.group, to: m[1], msg: l.msg });
    }
    return out;
  }

  /** The last role of every group that logged one. */
  roles(): Map<string, string> {
    return new Map(this.roleChanges().map((c) => [c.group, c.to]));
  }
}

export interface KeepalivedOptions {
  readonly iface: string;
  readonly priority: number;
  readonly version: 2 | 3;
  /** advert_int in seconds (0.1 for 100 ms with VRRPv3). */
  readonly advertInt: number;
  readonly vip: string;
  readonly vrid?: number;
}

export class KeepalivedAgent extends Agent {
  private dir = '';

  async start(ns: string, dir: string, o: KeepalivedOptions): Promise<void> {
    await this.startConf(ns, dir, [
      'global_defs {',
      '  router_id interop',
      '  vrrp_garp_master_delay 0',
      '}',
      'vrrp_instance VI_1 {',
      '  state BACKUP',
      `  interface ${o.iface}`,
      `  virtual_router_id ${o.vrid ?? 51}`,
      `  priority ${o.priority}`,
      `  advert_int ${o.advertInt}`,
      `  version ${o.version}`,
      '  virtual_ipaddress {',
      `    ${o.vip}`,
      '  }',
      '}',
      '',
    ].join('\n'));
  }

  /** keepalived with a keepalived.conf as written (a migration test runs a node's own file). */
  async startConf(ns: string, dir: string, text: string): Promise<void> {
    this.dir = dir;
    const conf = join(dir, 'keepalived.conf');
    await writeFile(conf, text);
    this.spawnIn(ns, ['keepalived', '-n', '-l', '-D', '-P', '-G', '-f', conf, '-p', join(dir, 'keepalived.pid'), '-r', join(dir, 'vrrp.pid')],
      (line) => ({ t: Date.now(), msg: line }));
  }

  /** keepalived's state as its log last said it ("MASTER", "BACKUP", "FAULT"). */
  role(): string | undefined {
    let role: string | undefined;
    for (const l of this.lines) {
      const m = /Entering (MASTER|BACKUP|FAULT) STATE/.exec(l.msg);
      if (m) role = m[1];
    }
    return role;
  }

  /**
   * A real crash: keepalived's VRRP child resigns gracefully (priority 0) when its parent dies,
   * and the parent respawns a dead child (seen with keepalived 2.2.7). So freeze both first,
   * parent first, then kill both: neither can react.
   */
  async crash(): Promise<void> {
    const pid = async (f: string) => Number((await readFile(join(this.dir, f), 'utf8').catch(() => '')).trim()) || undefined;
    const parent = await pid('keepalived.pid');
    const child = await pid('vrrp.pid');
    const send = (p: number | undefined, sig: NodeJS.Signals) => {
      if (p) try { process.kill(p, sig); } catch { /* gone */ }
    };
    send(parent, 'SIGSTOP');
    send(child, 'SIGSTOP');
    send(child, 'SIGKILL');
    send(parent, 'SIGKILL');
    this.proc?.kill('SIGKILL');
  }

  override async kill(): Promise<void> {
    await this.crash();
  }
}

/** Polls `cond` every 20 ms for at most `ms`; the error says what was awaited. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string, detail: () => string = () => ''): Promise<void> {
  const end = Date.now() + ms;
  while (!(await cond())) {
    if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}\n${detail()}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** A vipd node in LAN mode: one group, VRID 51, the local provider with quick announcements. */
export function lanVipdYaml(o: { ifname: string; node: string; priority: number; vips: string; version?: 2 | 3; extra?: string[] }): string {
  return [
    `cluster_id: ${o.version ? 'interop' : 'lan'}`,
    `node: { id: ${o.node} }`,
    'log: { format: json }',
    'groups:',
    '  - name: web',
    '    vrid: 51',
    `    interface: ${o.ifname}`,
    `    priority: ${o.priority}`,
    ...(o.version ? [`    version: ${o.version}`, `    advert_interval: ${o.version === 2 ? '1s' : '100ms'}`] : []),
    `    vips: [${o.vips}]`,
    '    provider: { type: local, garp_interval: 50ms, garp_master_delay: 1s }',
    ...(o.extra ?? []),
    '',
  ].join('\n');
}

/**
 * A vipd node in LAN mode with `count` groups g1..gN (VRID i, VIP 192.0.2.(99+i)/24, so up to
 * 100: 192.0.2.100-199, beside the hosts' .11-.30), VRRPv3 at 100 ms like the bench's footprint,
 * and the local provider with its default announcements.
 */
export function lanGroupsYaml(o: { ifname: string; node: string; priority: number; count: number }): string {
  if (o.count < 1 || o.count > 100) throw new Error('1-100 groups');
  return [
    'cluster_id: lan',
    `node: { id: ${o.node} }`,
    'log: { format: json }',
    'groups:',
    ...Array.from({ length: o.count }, (_, i) => [
      `  - name: g${i + 1}`,
      `    vrid: ${i + 1}`,
      `    interface: ${o.ifname}`,
      `    priority: ${o.priority}`,
      '    version: 3',
      '    advert_interval: 100ms',
      `    vips: [192.0.2.${100 + i}/24]`,
      '    provider: { type: local }',
    ]).flat(),
    '',
  ].join('\n');
}

/** The VIPs of lanGroupsYaml's groups. */
export const lanGroupVips = (count: number): string[] => Array.from({ length: count }, (_, i) => `192.0.2.${100 + i}`);

/** vipd for the keepalived and FRR interop tests (the version sets the advert interval). */
export function interopVipdYaml(h: Host, priority: number, version: 2 | 3, vip: string): string {
  return lanVipdYaml({ ifname: h.ifname, node: 'vipd-node', priority, version, vips: `${vip}/24` });
}

/** The client reaches `vip` and its neighbour entry for it is `mac` (it followed the gARP/NA). */
export async function clientReaches(client: Host, vip: string, mac: string, detail: () => string): Promise<void> {
  await until(async () => {
    await client.run(['ping', '-c', '1', '-W', '1', vip], { check: false, timeoutMs: 3000 });
    return (await client.neighbour(vip))?.mac === mac;
  }, 10_000, `client reaches ${vip} at ${mac}`, detail);
}

/** Two vipd agents, a (node-a) and b (node-b), each on its own host of a fresh two-host topology. */
export interface LanPair {
  readonly a: VipdAgent;
  readonly b: VipdAgent;
  readonly ha: Host;
  readonly hb: Host;
  /** Date.now() just before a was started. */
  readonly startedAt: number;
}

/**
 * Starts a and b with the YAML `config` gives for each host, runs `body`, and in `finally` kills
 * both agents, destroys the topology and removes the temporary directory (`prefix`).
 */
export async function withLanPair(prefix: string, config: (h: Host, node: 'node-a' | 'node-b') => string, body: (p: LanPair) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  const a = new VipdAgent('a');
  const b = new VipdAgent('b');
  let topo: Topology | undefined;
  try {
    topo = await createTopology({ hosts: ['a', 'b'] });
    const ha = topo.host('a');
    const hb = topo.host('b');
    const startedAt = Date.now();
    await a.start(ha.ns, dir, config(ha, 'node-a'));
    await b.start(hb.ns, dir, config(hb, 'node-b'));
    await body({ a, b, ha, hb, startedAt });
  } finally {
    await a.kill();
    await b.kill();
    await topo?.destroy();
    await rm(dir, { recursive: true, force: true });
  }
}
