/**
 * FRR's vrrpd as a VRRP peer inside a test namespace (Debian package `frr`): a macvlan carrying
 * the virtual MAC and the VIP, then `zebra` and `vrrpd` in the foreground with their own path
 * space (`-N`), no TCP vty (`-P 0`), config, pid files and logs in a private directory. vrrpd
 * flips the macvlan with protodown: the VIP stays configured on it, and it is held while the
 * link is not protodown. `startBfd` runs `zebra` and `bfdd` the same way, as a BFD peer
 * (test/netns/bfd-frr.test.ts). Every process is killed and every file removed by `kill()`,
 * which tests call in `finally`.
 */
import { onLines } from '../../src/cli/lines.js';
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { access, chown, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { exec, locateTool, run } from './lib/index.js';

export const FRR_DIR = '/usr/lib/frr';
const FRR_RUN = '/var/run/frr';

export type FrrDaemon = 'zebra' | 'vrrpd' | 'bfdd';

export interface FrrLine {
  t: number;
  daemon: FrrDaemon;
  msg: string;
}

/** One `peer` block of bfdd (FRR 8.4 `bfd` node): single hop on `iface`, intervals in ms. */
export interface BfddPeer {
  readonly peer: string;
  readonly localAddress: string;
  readonly iface: string;
  readonly intervalMs: number;
  readonly detectMultiplier: number;
}

export interface FrrOptions {
  /** Base interface (the host's link to the bridge); vrrpd sends from its primary IPv4 address. */
  readonly iface: string;
  readonly priority: number;
  readonly version: 2 | 3;
  /** `vrrp N advertisement-interval` in milliseconds (1000 for VRRPv2, 100 for 100 ms VRRPv3). */
  readonly advertIntervalMs: number;
  /** VIP with prefix, e.g. 192.0.2.50/24: configured on the macvlan, announced by vrrpd. */
  readonly vip: string;
  readonly vrid?: number;
}

/**
 * Skips the test (printed reason) unless FRR's daemons, vtysh and the `frr` user are here;
 * the daemons live in /usr/lib/frr, off PATH, so `requireTools` cannot name them.
 */
export async function requireFrr(t: TestContext, daemons: readonly FrrDaemon[] = ['zebra', 'vrrpd']): Promise<boolean> {
  const missing: string[] = [];
  for (const d of daemons) if (!(await locateTool(join(FRR_DIR, d)))) missing.push(join(FRR_DIR, d));
  if (!(await locateTool('vtysh'))) missing.push('vtysh');
  let reason = missing.length ? `not installed: ${missing.join(', ')} (Debian package frr)` : undefined;
  if (!reason) {
    const user = await exec(['id', '-u', 'frr'], { check: false, timeoutMs: 5_000 }).catch(() => undefined);
    if (user?.code !== 0) reason = 'no `frr` user (Debian package frr creates it; FRR daemons drop privileges to it)';
  }
  if (reason) t.skip(reason);
  return reason === undefined;
}

export class FrrAgent {
  readonly lines: FrrLine[] = [];
  private readonly procs: ChildProcessWithoutNullStreams[] = [];
  private dir: string | undefined;
  private ns = '';
  private vrid = 51;
  /** Path space (`-N`): the namespace's name, unique among live test runs. */
  name = '';

  get macvlan(): string {
    return `vrrp4-${this.vrid}`;
  }

  get vmac(): string {
    return `00:00:5e:00:01:${this.vrid.toString(16).padStart(2, '0')}`;
  }

  async start(ns: string, o: FrrOptions): Promise<void> {
    this.ns = ns;
    this.name = ns;
    this.vrid = o.vrid ?? 51;
    const ip = (args: string[]) => exec(['ip', '-n', ns, ...args], { timeoutMs: 10_000 });

    // The macvlan in bridge mode (vrrpd must still receive adverts while it is protodown), with
    // the virtual MAC and the VIP; the VIP must not be on the base interface.
    await ip(['link', 'add', this.macvlan, 'link', o.iface, 'type', 'macvlan', 'mode', 'bridge']);
    await ip(['link', 'set', 'dev', this.macvlan, 'address', this.vmac]);
    await ip(['addr', 'add', o.vip, 'dev', this.macvlan]);
    await ip(['link', 'set', 'dev', this.macvlan, 'up']);
    // Without this the base interface answers ARP for the VIP with its own MAC while vrrpd is
    // backup (weak host model: the VIP is still a local address of the namespace).
    await run(ns, ['sh', '-c', 'echo 1 > /proc/sys/net/ipv4/conf/all/arp_ignore']);

    const files = {
      'zebra.conf': ['log stdout informational', ''],
      'vrrpd.conf': [
        'log stdout informational',
        'debug vrrp protocol',
        `interface ${o.iface}`,
        ` vrrp ${this.vrid} version ${o.version}`,
        ` vrrp ${this.vrid} priority ${o.priority}`,
        ` vrrp ${this.vrid} advertisement-interval ${o.advertIntervalMs}`,
        // Last: vrrpd starts the virtual router at the first address line.
        ` vrrp ${this.vrid} ip ${o.vip.split('/')[0]}`,
        'exit',
        '',
      ],
    };
    await this.startDaemons(files, 'vrrpd');
  }

  /** zebra and bfdd in `ns` with one single-hop session per peer (no authentication). */
  async startBfd(ns: string, peers: readonly BfddPeer[]): Promise<void> {
    this.ns = ns;
    this.name = ns;
    const lines = ['log stdout informational', 'debug bfd peer', 'debug bfd network', 'bfd'];
    for (const p of peers) {
      lines.push(` peer ${p.peer} local-address ${p.localAddress} interface ${p.iface}`,
        `  receive-interval ${p.intervalMs}`, `  transmit-interval ${p.intervalMs}`,
        `  detect-multiplier ${p.detectMultiplier}`, '  no shutdown', ' exit');
    }
    lines.push('exit', '');
    await this.startDaemons({ 'zebra.conf': ['log stdout informational', ''], 'bfdd.conf': lines }, 'bfdd');
  }

  /** `show bfd peers json` through vtysh. */
  async bfdPeers(): Promise<Array<{ peer: string; status: string; id: number; 'remote-id': number; diagnostic: string; 'remote-diagnostic': string }>> {
    const r = await exec(['vtysh', '-N', this.name, '-c', 'show bfd peers json'], { check: false, timeoutMs: 5_000 });
    if (r.code !== 0) throw new Error(`vtysh -N ${this.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as Awaited<ReturnType<FrrAgent['bfdPeers']>>;
  }

  /** Writes the config files into a private directory, then starts zebra and, once it listens, `daemon`. */
  private async startDaemons(files: Record<string, string[]>, daemon: FrrDaemon): Promise<void> {
    // The daemons drop to user frr: their files live in a directory it owns, their sockets in
    // /var/run/frr/NAME (created by -N if missing, but root-owned when made by root).
    const uid = Number((await exec(['id', '-u', 'frr'], { timeoutMs: 5_000 })).stdout.trim());
    const gid = Number((await exec(['id', '-g', 'frr'], { timeoutMs: 5_000 })).stdout.trim());
    this.dir = await mkdtemp(join(tmpdir(), 'vipd-frr-'));
    await chown(this.dir, uid, gid);
    const runDir = join(FRR_RUN, this.name);
    if (!(await exists(FRR_RUN))) {
      await mkdir(FRR_RUN, { mode: 0o755 });
      await chown(FRR_RUN, uid, gid);
    }
    await rm(runDir, { recursive: true, force: true });
    await mkdir(runDir, { mode: 0o755 });
    await chown(runDir, uid, gid);

    for (const [f, text] of Object.entries(files)) {
      await writeFile(join(this.dir, f), text.join('\n'));
      await chown(join(this.dir, f), uid, gid);
    }

    this.spawnDaemon('zebra');
    const zserv = join(runDir, 'zserv.api');
    const end = Date.now() + 10_000;
    while (!(await exists(zserv))) {
      if (Date.now() > end || this.procs[0]?.exitCode !== null) throw new Error(`zebra did not open ${zserv} within 10 s\n${this.text()}`);
      await new Promise((r) => setTimeout(r, 20));
    }
    this.spawnDaemon(daemon);
  }

  private spawnDaemon(daemon: FrrDaemon): void {
    const dir = this.dir as string;
    const p = spawn('ip', ['netns', 'exec', this.ns, join(FRR_DIR, daemon),
      '-N', this.name, '-P', '0', '-u', 'frr', '-g', 'frr',
      '-f', join(dir, `${daemon}.conf`), '-i', join(dir, `${daemon}.pid`)]);
    this.procs.push(p);
    const take = (line: string) => {
      if (this.lines.length < 20_000) this.lines.push({ t: Date.now(), daemon, msg: line });
    };
    onLines(p.stdout, take);
    onLines(p.stderr, take);
    p.once('exit', (code, sig) => this.lines.push({ t: Date.now(), daemon, msg: `(${daemon} exited: ${sig ?? code})` }));
    // Bounded lifetime whatever the test does.
    setTimeout(() => p.kill('SIGKILL'), 180_000).unref();
  }

  /** vrrpd's IPv4 state as its log last said it ("MASTER", "BACKUP", "INITIALIZE"). */
  role(): string | undefined {
    let role: string | undefined;
    const re = new RegExp(`\\[VRID ${this.vrid}\\] \\[IPv4\\] \\w+ -> (\\w+)`);
    for (const l of this.lines) {
      const m = l.daemon === 'vrrpd' ? re.exec(l.msg) : null;
      if (m?.[1]) role = m[1].toUpperCase();
    }
    return role;
  }

  /** Whether this side serves the VIP: the macvlan is up and not protodown. */
  async holds(): Promise<boolean> {
    const r = await exec(['ip', '-n', this.ns, '-d', 'link', 'show', 'dev', this.macvlan], { check: false, timeoutMs: 5_000 });
    return r.code === 0 && /\bLOWER_UP\b/.test(r.stdout) && !/protodown on/.test(r.stdout);
  }

  /** `show vrrp json` through vtysh, for assertions and failure messages. */
  async show(): Promise<Array<{ vrid: number; version: number; v4: { status: string; effectivePriority: number; stats: { adverRx: number } } }>> {
    const r = await exec(['vtysh', '-N', this.name, '-c', 'show vrrp json'], { check: false, timeoutMs: 5_000 });
    if (r.code !== 0) throw new Error(`vtysh -N ${this.name} failed (exit ${r.code}): ${r.stderr.trim()}`);
    return JSON.parse(r.stdout) as Awaited<ReturnType<FrrAgent['show']>>;
  }

  text(): string {
    return this.lines.map((l) => `${l.daemon}: ${l.msg}`).join('\n');
  }

  /** A real crash: SIGKILL to both daemons (no priority-0 advert, macvlan left as it was). */
  crash(): void {
    for (const p of this.procs) p.kill('SIGKILL');
  }

  async kill(): Promise<void> {
    this.crash();
    await Promise.all(this.procs.map((p) => p.exitCode !== null || p.signalCode !== null
      ? undefined
      : new Promise<void>((resolve) => {
        const t = setTimeout(resolve, 5_000);
        p.once('exit', () => { clearTimeout(t); resolve(); });
      })));
    if (this.name) await rm(join(FRR_RUN, this.name), { recursive: true, force: true });
    if (this.dir) await rm(this.dir, { recursive: true, force: true });
  }
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}
