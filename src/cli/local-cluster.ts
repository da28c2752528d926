/**
 * A cluster of real `vipd run` processes on 127.0.0.1, for `vipd demo` and the multi-process
 * tests: a throwaway CA and node certificates (the code behind `vipd certs`), an HMAC key, one
 * YAML file per node in a temporary directory, each node a child process whose JSON log lines
 * are read back. `destroy()` kills every process and removes the directory.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { initCa, issueNodeCert } from '../security/certs.js';
import { onLines } from './lines.js';

export interface ProcSpec {
  id: string;
  priority?: number;
  role?: 'member' | 'witness';
  peers?: string[];
  witnesses?: string[];
  quorum?: 'majority' | 'none';
  preempt?: boolean;
  /** The whole environment of this node's process (default: this process's). */
  env?: NodeJS.ProcessEnv;
  /** Group settings other than the election's: interface (default lo), VIPs, extra YAML lines. */
  group?: GroupSpec;
  /** Top-level YAML lines added as they are, e.g. `membership: { crash_verdict_window: 5s }`. */
  lines?: string[];
  /** The loopback address this node listens on and announces (default 127.0.0.1); BFD needs one per node. */
  host?: string;
}

export interface GroupSpec {
  interface?: string;
  /** Default 100ms. */
  advertInterval?: string;
  /** Default [192.0.2.50/32]. */
  vips?: string[];
  /** YAML lines added to the group as they are (4 spaces of indentation), e.g. a provider. */
  lines?: string[];
}

export interface LaunchOptions {
  /** Runs each node under this program, e.g. ['ip', 'netns', 'exec', NS] (it must exec the node). */
  readonly launcher?: readonly string[];
  /**
   * Each node in its own process group: a Ctrl-C in the terminal then reaches only this program,
   * which stops the nodes one SIGTERM each (a node that got the terminal's SIGINT as well would
   * take the second signal as "force the exit", cutting a cloud release short).
   */
  readonly detached?: boolean;
}

export interface LogEntry {
  t: number;
  node: string;
  msg: string;
  group?: string;
  [k: string]: unknown;
}

/** Ports this process handed out already (two nodes of one cluster never get the same). */
const handedOut = new Set<number>();

/** Whether `port` can be bound on 127.0.0.1 now. */
function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free TCP port on 127.0.0.1 for an agent's listener (checked, then released: the agent binds
 * it right after). Drawn at random below the kernel's ephemeral range (Linux default
 * 32768-60999, /proc/sys/net/ipv4/ip_local_port_range): a port the kernel hands out (bind to 0,
 * the source port of any outgoing connection) can be taken by another process between our check
 * and the agent's bind, and tests running side by side open many connections. Seen in CI: a
 * demo node's `listen EADDRINUSE`.
 */
async function freePort(): Promise<number> {
  const low = Math.max(1025, ephemeralLow() - 12_000);
  const high = ephemeralLow() - 1;
  for (let i = 0; i < 64; i++) {
    const port = low + Math.floor(Math.random() * (high - low + 1));
    if (handedOut.has(port) || !(await bindable(port))) continue;
    handedOut.add(port);
    return port;
  }
  throw new Error(`no free port on 127.0.0.1 between ${low} and ${high} after 64 tries`);
}

/** The lowest port of the kernel's ephemeral range (32768 when it cannot be read). */
function ephemeralLow(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > 13_025 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

/**
 * How to start this very program again as `vipd run`: the same node, the same loader flags
 * (tsx in development) and the same entry script (src/cli/vipd.ts or dist/src/cli/vipd.js).
 */
function vipdCommand(): string[] {
  const script = process.argv[1];
  if (!script) throw new Error('cannot tell which script is running');
  return [...process.execArgv, script];
}

export class LocalCluster {
  dir = '';
  /** Called with every log line a node prints. */
  onLine: ((e: LogEntry) => void) | undefined;
  readonly ports = new Map<string, number>();
  readonly procs = new Map<string, ChildProcessWithoutNullStreams>();
  readonly logs: LogEntry[] = [];

  constructor(
    readonly specs: ProcSpec[],
    readonly clusterId = 'local',
    private readonly command: string[] = vipdCommand(),
    private readonly opts: LaunchOptions = {},
  ) {}

  async prepare(): Promise<void> {
    this.dir = await mkdtemp(join(tmpdir(), `vipd-${this.clusterId}-`));
    await initCa({ dir: this.dir, clusterId: this.clusterId });
    await writeFile(join(this.dir, 'k1.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
    for (const s of this.specs) {
      await issueNodeCert({ dir: this.dir, nodeId: s.id, sans: [s.host ?? '127.0.0.1'] });
      this.ports.set(s.id, await freePort());
    }
    for (const s of this.specs) await writeFile(this.configFile(s.id), this.yaml(s));
  }

  configFile(id: string): string {
    return join(this.dir, `${id}.yaml`);
  }

  /** The Unix socket of a node's API (vipctl --socket). */
  socketFile(id: string): string {
    return join(this.dir, `${id}.sock`);
  }

  /** http://127.0.0.1:PORT of a node's API, from its log line `api: http on ...`; undefined until then. */
  apiUrl(id: string): string | undefined {
    const line = [...this.logs].reverse().find((e) => e.node === id && e.msg.startsWith('api: http on '));
    return line ? `http://${line.msg.slice('api: http on '.length)}` : undefined;
  }

  private yaml(s: ProcSpec): string {
    const host = (id: string) => this.specs.find((x) => x.id === id)?.host ?? '127.0.0.1';
    const addr = (id: string) => `${host(id)}:${this.ports.get(id)}`;
    const seeds = this.specs.filter((x) => x.id !== s.id).map((x) => addr(x.id));
    const lines = [
      `cluster_id: ${this.clusterId}`,
      'node:',
      `  id: ${s.id}`,
      `  address: ${host(s.id)}`,
      `  listen: ${addr(s.id)}`,
      `  role: ${s.role ?? 'member'}`,
      `seeds: [${seeds.join(', ')}]`,
      'log: { level: info, format: json }',
      'tls:',
      '  ca: ca.crt',
      `  cert: ${s.id}.crt`,
      `  key: ${s.id}.key`,
      `  allow: [${this.specs.filter((x) => x.id !== s.id).map((x) => x.id).join(', ')}]`,
      'auth:',
      '  active_key: k1',
      '  keys: [{ id: k1, secret_file: k1.key }]',
      // Each node's API on its own socket and a free port (the defaults would be shared by all).
      ...((s.lines ?? []).some((l) => l.startsWith('api:')) ? [] : ['api:', `  socket: ${this.socketFile(s.id)}`, '  http: { listen: 127.0.0.1:0 }']),
      ...(s.lines ?? []),
    ];
    if (s.role !== 'witness') {
      lines.push(
        'groups:',
        '  - name: web',
        '    vrid: 51',
        `    interface: ${s.group?.interface ?? 'lo'}`,
        `    priority: ${s.priority ?? 100}`,
        `    advert_interval: ${s.group?.advertInterval ?? '100ms'}`,
        `    preempt: ${s.preempt ?? true}`,
        `    vips: [${(s.group?.vips ?? ['192.0.2.50/32']).join(', ')}]`,
        `    peers: [${(s.peers ?? []).join(', ')}]`,
        `    witnesses: [${(s.witnesses ?? []).join(', ')}]`,
        `    quorum: ${s.quorum ?? 'majority'}`,
        ...(s.group?.lines ?? []),
      );
    }
    return `${lines.join('\n')}\n`;
  }

  start(id: string): ChildProcessWithoutNullStreams {
    const spec = this.specs.find((x) => x.id === id);
    const argv = [process.execPath, ...this.command, 'run', '-c', this.configFile(id)];
    const [file = process.execPath, ...args] = [...(this.opts.launcher ?? []), ...argv];
    const p = spawn(file, args, { env: spec?.env ?? process.env, detached: this.opts.detached ?? false });
    this.procs.set(id, p);
    onLines(p.stdout, (line) => {
      let e: LogEntry;
      try {
        e = { ...(JSON.parse(line) as object), t: Date.now(), node: id } as LogEntry;
      } catch {
        e = { t: Date.now(), node: id, msg: line };
      }
      this.logs.push(e);
      this.onLine?.(e);
    });
    p.stderr.on('data', (d: Buffer) => {
      const e = { t: Date.now(), node: id, msg: `stderr: ${d.toString().trim()}` };
      this.logs.push(e);
      this.onLine?.(e);
    });
    return p;
  }

  startAll(): void {
    for (const s of this.specs) this.start(s.id);
  }

  signal(id: string, sig: NodeJS.Signals): void {
    this.procs.get(id)?.kill(sig);
  }

  /** Waits for the process to exit; resolves with its exit code. */
  async exited(id: string, ms = 10_000): Promise<number | null> {
    const p = this.procs.get(id);
    if (!p) return null;
    if (p.exitCode !== null || p.signalCode !== null) return p.exitCode;
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`${id} did not exit within ${ms} ms`)), ms);
      p.once('exit', (code) => { clearTimeout(t); resolve(code); });
    });
  }

  /** The role each node last logged for group web ("MASTER", "BACKUP", ...); dead nodes omitted. */
  roles(): Map<string, string> {
    const out = new Map<string, string>();
    for (const e of this.logs) {
      const m = /^[A-Z]+ -> ([A-Z]+) \(/.exec(e.msg);
      if (m && e.group === 'web') out.set(e.node, m[1] ?? '');
    }
    for (const [id, p] of this.procs) if (p.exitCode !== null || p.signalCode === 'SIGKILL') out.delete(id);
    return out;
  }

  masters(): string[] {
    return [...this.roles()].filter(([, r]) => r === 'MASTER').map(([id]) => id).sort();
  }

  /** First role change into `to` by `node` after time `since`. */
  change(node: string, to: string, since: number): LogEntry | undefined {
    return this.logs.find((e) => e.node === node && e.t >= since && e.group === 'web' && new RegExp(`-> ${to} \\(`).test(e.msg));
  }

  async until(cond: () => boolean, ms: number, what: string): Promise<void> {
    const end = Date.now() + ms;
    while (!cond()) {
      if (Date.now() > end) throw new Error(`timed out after ${ms} ms waiting for ${what}; roles ${JSON.stringify([...this.roles()])}\n${this.tail()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  tail(n = 40): string {
    return this.logs.slice(-n).map((e) => `${e.node}: ${e.msg}`).join('\n');
  }

  /** Whether a node's process is running. */
  running(id: string): boolean {
    const p = this.procs.get(id);
    return p !== undefined && p.exitCode === null && p.signalCode === null;
  }

  /** SIGTERM to every running node (graceful), then waits for them; stragglers get SIGKILL. */
  async stopAll(ms = 10_000): Promise<void> {
    const live = [...this.procs.keys()].filter((id) => this.running(id));
    for (const id of live) this.signal(id, 'SIGTERM');
    await Promise.all(live.map((id) => this.exited(id, ms).catch(() => this.signal(id, 'SIGKILL'))));
  }

  async destroy(): Promise<void> {
    for (const p of this.procs.values()) {
      p.kill('SIGCONT');
      p.kill('SIGKILL');
    }
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}
