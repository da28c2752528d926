/**
 * Test harness: two vipd members and a witness as real processes (gRPC + mutual TLS on
 * 127.0.0.1, unicast, quorum majority, a short reassert_interval) against one of the cloud fakes
 * run as a child process, each member pretending to be a different instance (its own metadata
 * server and credentials, every other cloud variable of this process cleared; src/cli/cloud-cluster.ts).
 *
 * Modes that bind the VIP on an interface (AWS secondary-ip) run everything — fake, nodes,
 * witness — inside one network namespace of this run (test/netns/lib naming and cleanup), each
 * member on its own veth interface (this kernel has no dummy links); the fake's control port is
 * reached through a Unix socket relay (test/cluster/netns-relay.ts). Without root those modes
 * are skipped with the reason.
 *
 * The truth is the fake's: who holds the resource (CloudMode.holders), and its request log, in
 * which every request is attributed to the member that sent it (its own access key / token).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CloudCluster } from '../../src/cli/cloud-cluster.js';
import { fakeServerPath, type CloudFake, type FakeRequest } from '../../src/cli/cloud-fake.js';
import { cloudMembers, type CloudMember, type CloudMode } from '../../src/cli/cloud-mode.js';
import type { LocalCluster } from '../../src/cli/local-cluster.js';
import { onLines } from '../../src/cli/lines.js';
import { PROVIDER_PLUGINS } from '../../src/app/providers.js';
import { parseFence, type FenceRecord } from '../../providers/common/fence.js';
import { createTopology, netnsSkipReason, waitFor, type Host, type Topology } from '../netns/lib/index.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const VIPD = ['--import', 'tsx', join(ROOT, 'src/cli/vipd.ts')];
const RELAY = join(ROOT, 'test/cluster/netns-relay.ts');

/** What each cloud needs, and the branch that brings it (for skip reasons). */
const PIECES = {
  ec2: { fake: 'test/fakes/ec2/serve.ts', fakeBranch: 'aws-fake', provider: 'aws', providerBranch: 'aws' },
  gcp: { fake: 'test/fakes/gcp/serve.ts', fakeBranch: 'gcp-fake', provider: 'gcp', providerBranch: 'gcp' },
} as const;

/** Why `mode` cannot run here (a missing fake or provider, no root for a namespace), else undefined. */
export async function cloudSkipReason(mode: CloudMode): Promise<string | undefined> {
  const need = PIECES[mode.fake];
  const missing: string[] = [];
  if (!existsSync(join(ROOT, need.fake))) missing.push(`${need.fake} (branch ${need.fakeBranch}, not merged here)`);
  if (!PROVIDER_PLUGINS.some((p) => p.type === need.provider)) missing.push(`the ${need.provider} provider in src/app/providers.ts (branch ${need.providerBranch}, not merged here)`);
  if (missing.length > 0) return `${mode.name}: needs ${missing.join(' and ')}`;
  if (!fakeServerPath(mode.fake)) return `${mode.name}: tsx is not installed (npm ci), so the fake cannot run`;
  if (mode.bindsLocally) {
    const reason = await netnsSkipReason();
    if (reason) return `${mode.name} binds the VIP on an interface, so it runs in a network namespace: ${reason}`;
  }
  return undefined;
}

export interface CloudPairOptions {
  /** The group's reassert_interval (default 1s). */
  readonly reassertInterval?: string;
  readonly clusterId?: string;
  /** The nodes started at once (default all: a, b and the witness); start others with `cluster.start(id)`. */
  readonly startOnly?: readonly string[];
}

/** The two members: `a` has the higher priority. */
const MEMBERS = [
  { id: 'a', priority: 200 },
  { id: 'b', priority: 100 },
];

export class CloudPair {
  private constructor(
    readonly run: CloudCluster,
    readonly fake: CloudFake,
    readonly cluster: LocalCluster,
    private readonly ns: { topo: Topology; host: Host; relay: ChildProcessWithoutNullStreams; dir: string } | undefined,
  ) {}

  /** Starts the fake, the two members and the witness (in a namespace when the mode binds locally). */
  static async start(mode: CloudMode, opts: CloudPairOptions = {}): Promise<CloudPair> {
    let topo: Topology | undefined;
    let run: CloudCluster | undefined;
    let relay: ChildProcessWithoutNullStreams | undefined;
    let dir: string | undefined;
    try {
      let launcher: string[] | undefined;
      let specs: { id: string; priority: number; interface?: string }[] = MEMBERS;
      if (mode.bindsLocally) {
        topo = await createTopology({ hosts: ['cloud'], ipv6: false });
        const host = topo.host('cloud');
        // One veth pair inside the namespace: each member binds on its own end.
        const [ifa, ifb] = [`${topo.prefix}a`, `${topo.prefix}b`];
        await host.run(['ip', 'link', 'add', ifa, 'type', 'veth', 'peer', 'name', ifb]);
        await host.run(['ip', 'link', 'set', ifa, 'up']);
        await host.run(['ip', 'link', 'set', ifb, 'up']);
        specs = MEMBERS.map((m, i) => ({ ...m, interface: i === 0 ? ifa : ifb }));
        launcher = ['ip', 'netns', 'exec', host.ns];
      }
      const members = cloudMembers(mode, specs);
      run = new CloudCluster(mode, members, {
        clusterId: opts.clusterId ?? `e2e-${mode.name.replace(/[^a-z0-9]+/g, '-')}`,
        command: VIPD,
        reassertInterval: opts.reassertInterval ?? '1s',
        ...(launcher ? { launcher } : {}),
      });
      // The fake starts first (prepare), so a namespaced run can put its relay up before the nodes.
      const { fake, cluster } = await run.prepare();
      if (topo && launcher) {
        dir = await mkdtemp(join(tmpdir(), 'vipd-e2e-relay-'));
        const socketPath = join(dir, 'control.sock');
        relay = await startRelay(launcher, socketPath, new URL(String(fake.info.control)).port);
        fake.route = { socketPath };
      }
      if (opts.startOnly) for (const id of opts.startOnly) cluster.start(id);
      else cluster.startAll();
      return new CloudPair(run, fake, cluster, topo && relay && dir ? { topo, host: topo.host('cloud'), relay, dir } : undefined);
    } catch (err) {
      relay?.kill('SIGKILL');
      await run?.destroy();
      await topo?.destroy();
      if (dir) await rm(dir, { recursive: true, force: true });
      throw err;
    }
  }

  get mode(): CloudMode {
    return this.run.mode;
  }

  member(id: string): CloudMember {
    return this.run.member(id);
  }

  /** Member ids holding the resource per the fake's truth. */
  holders(): Promise<string[]> {
    return this.run.holders();
  }

  /** Waits (bounded) until exactly `id` holds the resource and is the one master. */
  async waitForHolder(id: string, timeoutMs: number, opts: { master?: boolean } = {}): Promise<void> {
    await this.waitUntil(async () => {
      const h = await this.holders();
      return h.length === 1 && h[0] === id && (opts.master === false || this.cluster.masters().join() === id);
    }, timeoutMs, `${id} the only holder of the ${this.mode.resource}${opts.master === false ? '' : ' and the only master'}`);
  }

  /**
   * Waits (bounded) until `id` has been BACKUP for `ms` since its last role change. A backup
   * that stays backup well past its Master_Down_Interval (361 ms at priority 100 and 100 ms
   * adverts, RFC 5798 §6.4.2) hears the master's adverts, and so has adopted the master's term
   * (src/core/election/terms.ts): a takeover after that carries a higher term.
   */
  async waitForSteadyBackup(id: string, ms: number, timeoutMs: number): Promise<void> {
    await this.waitUntil(() => {
      const last = this.cluster.logs.filter((e) => e.node === id && e.group === 'web' && / -> [A-Z]+ \(/.test(e.msg)).at(-1);
      return last !== undefined && / -> BACKUP \(/.test(last.msg) && Date.now() - last.t >= ms;
    }, timeoutMs, `${id} BACKUP for ${ms} ms`);
  }

  /** Bounded wait for `cond`; the error shows the truth, the roles and the nodes' last lines. */
  async waitUntil(cond: () => Promise<boolean> | boolean, timeoutMs: number, what: string): Promise<void> {
    try {
      await waitFor(async () => (await cond()) || undefined, { timeoutMs, intervalMs: 50, what });
    } catch (err) {
      const holders = await this.holders().catch((e: unknown) => [`(unreadable: ${String(e)})`]);
      throw new Error(`${(err as Error).message}\nholders (fake's truth): ${JSON.stringify(holders)}; roles ${JSON.stringify([...this.cluster.roles()])}\n` +
        `${this.cluster.tail(60)}\nfake stderr: ${this.fake.errors().slice(-2000)}`);
    }
  }

  /** SIGKILLs a node and resolves, once it has exited, with the time of its death (epoch ms). */
  async kill(id: string): Promise<number> {
    this.cluster.signal(id, 'SIGKILL');
    await this.cluster.exited(id, 10_000);
    return Date.now();
  }

  /** The fake's request log, each request with the member id that sent it (undefined: not a member). */
  async requests(): Promise<(FakeRequest & { member: string | undefined })[]> {
    const log = await this.fake.requests();
    return log.map((r) => {
      const instance = this.mode.caller(this.fake, r.caller, this.run.members);
      return { ...r, member: this.run.members.find((m) => m.instance === instance)?.id };
    });
  }

  /**
   * Every fence record (providers/common/fence.ts) seen: those EC2 requests carried (CreateTags
   * values in the request log), and those in the GCP fake's truth now (the instance metadata key
   * vipd-fence-<group> of each member, route descriptions), which its request log does not show.
   */
  async fences(): Promise<FenceRecord[]> {
    const fromLog = (await this.requests()).flatMap((r) => fencesIn(r));
    if (this.mode.fake !== 'gcp') return fromLog;
    const texts: string[] = [];
    for (const m of this.run.members) texts.push(...Object.values(await this.fake.control<Record<string, string>>('instanceMetadata', { instance: m.instance })));
    for (const r of await this.fake.control<{ description?: string }[]>('routes')) if (r.description) texts.push(r.description);
    return [...fromLog, ...texts.flatMap((text) => fencesIn({ t: 0, action: 'truth', params: text }))];
  }

  /** The records `node` wrote at or after `sinceMs` (wall clock), not counting releases. */
  async fencesBy(node: string, sinceMs = 0): Promise<FenceRecord[]> {
    return (await this.fences()).filter((f) => f.node === node && !f.released && f.atMs >= sinceMs);
  }

  /** The addresses on a member's own interface (namespaced runs only). */
  async bound(id: string): Promise<string[]> {
    const ifname = this.member(id).interface;
    if (!this.ns || !ifname) throw new Error(`${this.mode.name} does not run in a namespace: nothing is bound`);
    return (await this.ns.host.addresses(ifname)).map((a) => `${a.address}/${a.prefixLength}`);
  }

  async destroy(): Promise<void> {
    await this.run.destroy();
    if (this.ns) {
      this.ns.relay.kill('SIGKILL');
      await this.ns.topo.destroy();
      await rm(this.ns.dir, { recursive: true, force: true });
    }
  }
}

/**
 * Every fence record (providers/common/fence.ts) a request carried anywhere in its parameters
 * or body: EC2 CreateTags values, GCP labels or descriptions — wherever the provider keeps it.
 */
export function fencesIn(r: FakeRequest): FenceRecord[] {
  const out: FenceRecord[] = [];
  const visit = (v: unknown, depth: number): void => {
    if (depth > 8) return;
    if (typeof v === 'string') {
      const f = /t=\d+;n=[^;]+;at=\d+(;rel)?/.exec(v);
      const parsed = f ? parseFence(f[0]) : undefined;
      if (parsed) out.push(parsed);
    } else if (Array.isArray(v)) {
      for (const x of v) visit(x, depth + 1);
    } else if (typeof v === 'object' && v !== null) {
      for (const x of Object.values(v)) visit(x, depth + 1);
    }
  };
  visit(r.params, 0);
  visit(r.body, 0);
  return out;
}

async function startRelay(launcher: string[], socketPath: string, port: string): Promise<ChildProcessWithoutNullStreams> {
  const [file = 'ip', ...args] = [...launcher, process.execPath, '--import', 'tsx', RELAY, socketPath, port];
  const relay = spawn(file, args, { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  let err = '';
  relay.stderr.on('data', (d: Buffer) => (err += d.toString()));
  await new Promise<void>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`the namespace relay did not start within 20 s: ${err}`)), 20_000);
    relay.once('exit', (code) => {
      clearTimeout(t);
      reject(new Error(`the namespace relay exited (${code}): ${err}`));
    });
    onLines(relay.stdout, (line) => {
      if (line.trim() === 'ready') {
        clearTimeout(t);
        relay.removeAllListeners('exit');
        resolve();
      }
    });
  });
  return relay;
}
