/**
 * A layer-2 test network out of namespaces: a "switch" namespace holding a bridge, and N host
 * namespaces each wired to it with a veth pair. Nothing is created in the caller's namespace
 * (veth pairs are made inside the switch namespace with their peer placed straight into the
 * host namespace), so the host's real interfaces are never touched.
 *
 * Addresses (documentation ranges only, RFC 5737 / RFC 3849): host i (1-based) gets
 * 192.0.2.(10+i)/24 and 2001:db8::(10+i)/64 with `nodad`; DAD is off in host namespaces so
 * link-local addresses are usable at once. 192.0.2.50–99 and 2001:db8::50–99 are left for VIPs.
 *
 * Cleanup: `destroy()` (call it in a `finally`, or use `withTopology`), an exit/signal hook for
 * the same process, and `sweepLeftovers()` at every creation for runs that crashed: it removes
 * namespaces and links named by this library whose owner pid is gone.
 */
import { execFileSync, spawn } from 'node:child_process';
import { exec, type ExecOptions, type ExecResult } from './exec.js';
import { allocatePrefix, ifname, ownerPid, processAlive, releasePrefix } from './names.js';

export interface TopologyOptions {
  /** Logical host names, e.g. ['master', 'backup', 'client']: 1–20 of [a-z][a-z0-9]*, ≤ 12 chars. */
  readonly hosts: readonly string[];
  /** Also give every host an address from 2001:db8::/64 (default true). */
  readonly ipv6?: boolean;
}

export interface InterfaceAddress {
  readonly family: 'inet' | 'inet6';
  readonly address: string;
  readonly prefixLength: number;
  readonly label: string | undefined;
  readonly secondary: boolean;
}

export interface Neighbour {
  readonly address: string;
  readonly mac: string | undefined;
  /** Kernel NUD states, e.g. ['REACHABLE'] or ['STALE']. */
  readonly state: readonly string[];
}

/** A program running in a namespace; `stop()` ends it and returns what it printed. */
export interface Background {
  readonly pid: number | undefined;
  stop(): Promise<{ stdout: string; stderr: string; code: number | null }>;
}

export interface Host {
  readonly name: string;
  readonly ns: string;
  /** The host's interface into the bridge. */
  readonly ifname: string;
  readonly mac: string;
  readonly ipv4: string;
  readonly ipv6: string | undefined;
  /** Runs argv inside this host's namespace (see `run`). */
  run(argv: readonly string[], opts?: ExecOptions): Promise<ExecResult>;
  /** Starts argv inside the namespace in the background; killed by `destroy()` at the latest. */
  spawn(argv: readonly string[], opts?: { readonly maxLifetimeMs?: number }): Background;
  /** Addresses on `ifname` (or another interface of this namespace). */
  addresses(dev?: string): Promise<InterfaceAddress[]>;
  /** The neighbour (ARP/NDP) entry for `address` on `ifname`, if any. */
  neighbour(address: string): Promise<Neighbour | undefined>;
}

export interface Topology {
  readonly prefix: string;
  readonly switchNs: string;
  readonly bridge: string;
  readonly hosts: readonly Host[];
  /** The host with this logical name; throws for an unknown name. */
  host(name: string): Host;
  /** Kills background programs and deletes every namespace; safe to call twice. */
  destroy(): Promise<void>;
}

const MAX_HOSTS = 20;
const HOST_NAME = /^[a-z][a-z0-9]{0,11}$/;
const OUTPUT_CAP = 1024 * 1024;
const live = new Map<string, { namespaces: string[]; children: Set<ReturnType<typeof spawn>> }>();
let exitHookInstalled = false;

/** Runs argv inside namespace `ns` with `ip netns exec` (no shell). */
export function run(ns: string, argv: readonly string[], opts?: ExecOptions): Promise<ExecResult> {
  return exec(['ip', 'netns', 'exec', ns, ...argv], opts);
}

/** Builds the topology; on any failure removes what it had made and rethrows. */
export async function createTopology(opts: TopologyOptions): Promise<Topology> {
  if (opts.hosts.length < 1 || opts.hosts.length > MAX_HOSTS) throw new Error(`a topology has 1–${MAX_HOSTS} hosts, not ${opts.hosts.length}`);
  for (const name of opts.hosts) if (!HOST_NAME.test(name)) throw new Error(`host name ${JSON.stringify(name)} must match ${HOST_NAME}`);
  if (new Set(opts.hosts).size !== opts.hosts.length) throw new Error('host names must be distinct');
  const ipv6 = opts.ipv6 ?? true;

  await sweepLeftovers();
  installExitHook();
  const prefix = allocatePrefix();
  const record = { namespaces: [] as string[], children: new Set<ReturnType<typeof spawn>>() };
  live.set(prefix, record);
  const switchNs = `${prefix}-switch`;
  const bridge = ifname(prefix, 'br');
  const destroy = once(async () => {
    await teardown(record);
    live.delete(prefix);
    releasePrefix(prefix);
  });

  try {
    await addNamespace(switchNs, record);
    await ip(['-n', switchNs, 'link', 'add', bridge, 'type', 'bridge', 'stp_state', '0', 'mcast_snooping', '0']);
    await ip(['-n', switchNs, 'link', 'set', bridge, 'up']);

    const hosts: Host[] = [];
    for (const [index, name] of opts.hosts.entries()) {
      const n = index + 1;
      const ns = `${prefix}-${name}`;
      const hostIf = ifname(prefix, `h${n}`);
      const switchIf = ifname(prefix, `s${n}`);
      await addNamespace(ns, record);
      // Before the veth arrives, so its link-local address is not tentative either.
      if (ipv6) await run(ns, ['sh', '-c', 'for f; do echo 0 > "$f"; done', 'sh', '/proc/sys/net/ipv6/conf/all/accept_dad', '/proc/sys/net/ipv6/conf/default/accept_dad']);
      await ip(['-n', switchNs, 'link', 'add', switchIf, 'type', 'veth', 'peer', 'name', hostIf, 'netns', ns]);
      await ip(['-n', switchNs, 'link', 'set', switchIf, 'master', bridge, 'up']);
      await ip(['-n', ns, 'link', 'set', hostIf, 'up']);
      const ipv4 = `192.0.2.${10 + n}`;
      await ip(['-n', ns, '-4', 'addr', 'add', `${ipv4}/24`, 'dev', hostIf]);
      const ipv6Address = ipv6 ? `2001:db8::${10 + n}` : undefined;
      if (ipv6Address) await ip(['-n', ns, '-6', 'addr', 'add', `${ipv6Address}/64`, 'dev', hostIf, 'nodad']);
      const link = JSON.parse((await ip(['-n', ns, '-j', 'link', 'show', 'dev', hostIf])).stdout) as Array<{ address?: string }>;
      const mac = link[0]?.address;
      if (!mac) throw new Error(`no MAC address on ${hostIf} in ${ns}`);
      hosts.push(makeHost({ name, ns, ifname: hostIf, mac, ipv4, ipv6: ipv6Address }, record));
    }

    return {
      prefix,
      switchNs,
      bridge,
      hosts,
      host(name) {
        const h = hosts.find((x) => x.name === name);
        if (!h) throw new Error(`no host ${JSON.stringify(name)} in this topology (have ${hosts.map((x) => x.name).join(', ')})`);
        return h;
      },
      destroy,
    };
  } catch (err) {
    await destroy();
    throw err;
  }
}

/** Creates a topology, runs `fn`, and destroys the topology whatever happens. */
export async function withTopology<T>(opts: TopologyOptions, fn: (topology: Topology) => Promise<T>): Promise<T> {
  const topology = await createTopology(opts);
  try {
    return await fn(topology);
  } finally {
    await topology.destroy();
  }
}

/**
 * Removes namespaces (and, should an older version have left any, veth/bridge links in the
 * caller's namespace) named by this library whose owner process is gone. Names of live owners
 * — a parallel test file — are left alone. Returns what it removed.
 */
export async function sweepLeftovers(): Promise<string[]> {
  const removed: string[] = [];
  const list = await exec(['ip', 'netns', 'list'], { check: false, timeoutMs: 5_000 });
  const names = list.stdout.split('\n').map((line) => line.trim().split(/\s+/)[0] ?? '').filter(Boolean);
  for (const ns of names.slice(0, 1000)) {
    const pid = ownerPid(ns);
    if (pid === undefined || processAlive(pid)) continue;
    await killNamespacePids(ns);
    const del = await exec(['ip', 'netns', 'del', ns], { check: false, timeoutMs: 5_000 });
    if (del.code === 0) removed.push(ns);
  }
  const links = await exec(['ip', '-j', '-d', 'link', 'show'], { check: false, timeoutMs: 5_000 });
  if (links.code === 0) {
    const parsed = JSON.parse(links.stdout || '[]') as Array<{ ifname?: string; linkinfo?: { info_kind?: string } }>;
    for (const link of parsed) {
      const name = link.ifname;
      const kind = link.linkinfo?.info_kind;
      if (!name || (kind !== 'veth' && kind !== 'bridge')) continue;
      const pid = ownerPid(name);
      if (pid === undefined || processAlive(pid)) continue;
      const del = await exec(['ip', 'link', 'del', name], { check: false, timeoutMs: 5_000 });
      if (del.code === 0) removed.push(name);
    }
  }
  return removed;
}

function makeHost(h: { name: string; ns: string; ifname: string; mac: string; ipv4: string; ipv6: string | undefined }, record: { children: Set<ReturnType<typeof spawn>> }): Host {
  return {
    ...h,
    run: (argv, opts) => run(h.ns, argv, opts),
    spawn: (argv, opts) => spawnIn(h.ns, argv, record.children, opts?.maxLifetimeMs ?? 60_000),
    async addresses(dev = h.ifname) {
      const out = await ip(['-n', h.ns, '-j', 'addr', 'show', 'dev', dev]);
      const parsed = JSON.parse(out.stdout || '[]') as Array<{ addr_info?: Array<{ family?: string; local?: string; prefixlen?: number; label?: string; secondary?: boolean }> }>;
      return parsed.flatMap((l) => l.addr_info ?? []).filter((a) => (a.family === 'inet' || a.family === 'inet6') && a.local).map((a) => ({
        family: a.family as 'inet' | 'inet6',
        address: a.local as string,
        prefixLength: a.prefixlen ?? 0,
        label: a.label,
        secondary: a.secondary === true,
      }));
    },
    async neighbour(address) {
      const out = await ip(['-n', h.ns, '-j', 'neigh', 'show', address, 'dev', h.ifname]);
      const parsed = JSON.parse(out.stdout || '[]') as Array<{ dst?: string; lladdr?: string; state?: string[] }>;
      const entry = parsed[0];
      return entry?.dst ? { address: entry.dst, mac: entry.lladdr, state: entry.state ?? [] } : undefined;
    },
  };
}

function spawnIn(ns: string, argv: readonly string[], children: Set<ReturnType<typeof spawn>>, maxLifetimeMs: number): Background {
  const child = spawn('ip', ['netns', 'exec', ns, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => { if (stdout.length < OUTPUT_CAP) stdout += d; });
  child.stderr.setEncoding('utf8').on('data', (d: string) => { if (stderr.length < OUTPUT_CAP) stderr += d; });
  const exited = new Promise<number | null>((resolve) => {
    child.once('error', (err) => { stderr += String(err); resolve(null); });
    child.once('close', (code) => resolve(code));
  });
  const lifetime = setTimeout(() => child.kill('SIGKILL'), maxLifetimeMs);
  void exited.then(() => { clearTimeout(lifetime); children.delete(child); });
  return {
    pid: child.pid,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const grace = setTimeout(() => child.kill('SIGKILL'), 2_000);
      const code = await exited;
      clearTimeout(grace);
      return { stdout, stderr, code };
    },
  };
}

async function addNamespace(ns: string, record: { namespaces: string[] }): Promise<void> {
  await ip(['netns', 'add', ns]);
  record.namespaces.push(ns);
  await ip(['-n', ns, 'link', 'set', 'lo', 'up']);
}

async function teardown(record: { namespaces: string[]; children: Set<ReturnType<typeof spawn>> }): Promise<void> {
  for (const child of record.children) child.kill('SIGKILL');
  record.children.clear();
  for (const ns of record.namespaces.splice(0).reverse()) {
    await killNamespacePids(ns);
    await exec(['ip', 'netns', 'del', ns], { check: false, timeoutMs: 5_000 });
  }
}

/** Kills whatever still runs inside one of our namespaces (a program a test started there). */
async function killNamespacePids(ns: string): Promise<void> {
  const pids = await exec(['ip', 'netns', 'pids', ns], { check: false, timeoutMs: 5_000 });
  for (const text of pids.stdout.split('\n').slice(0, 1000)) {
    const pid = Number(text.trim());
    if (Number.isInteger(pid) && pid > 1 && pid !== process.pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  }
}

function ip(args: readonly string[]): Promise<ExecResult> {
  return exec(['ip', ...args], { timeoutMs: 10_000 });
}

/** Last-chance cleanup when the process exits without `destroy()` (a test threw past its finally, Ctrl-C). */
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  const cleanupSync = () => {
    for (const record of live.values()) {
      for (const child of record.children) child.kill('SIGKILL');
      for (const ns of record.namespaces) {
        try {
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5_000 });
        } catch {
          // best effort; the next run's sweep removes it
        }
      }
    }
    live.clear();
  };
  process.once('exit', cleanupSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    process.once(sig, () => {
      cleanupSync();
      process.kill(process.pid, sig);
    });
  }
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let p: Promise<void> | undefined;
  return () => (p ??= fn());
}
