/**
 * The three implementations under test, each started on nodes a (priority 150) and b (100) of a
 * lab with the same advert interval:
 *
 * - keepalived (Debian 2.2.7): VRRP multicast, `-n` in the foreground, both processes known
 *   from their pid files so a crash can kill both (the VRRP child resigns gracefully when only
 *   its parent dies: test/netns/agents.ts);
 * - vipd LAN mode: standard VRRP multicast, `provider: local`;
 * - vipd unicast mode: gRPC with mutual TLS and signed adverts, gossip membership, two members
 *   and a witness in a third namespace, quorum majority (the production shape: a member that
 *   loses its peer still has the witness, and an isolated node cannot become master),
 *   `provider: local`, certificates and HMAC key generated per bench run.
 *
 * Every agent's log is read live for its role changes (the flap test counts them).
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { initCa, issueNodeCert } from '../src/security/certs.js';
import { VIP_PREFIX, signalAll, vipsFor, type Lab } from './lab.js';
import type { AdvertId, ImplId } from './options.js';
import { NsProcess, pollUntil, type Line } from './proc.js';

/** Advert settings used for every implementation in one comparison. */
export interface Setting {
  readonly id: AdvertId;
  readonly advertMs: number;
  /** VRRP version for keepalived and vipd LAN (unicast vipd has no VRRP version on the wire). */
  readonly version: 2 | 3;
  readonly text: string;
  /** vipd unicast's advert interval when it differs from `advertMs` (the BFD row). */
  readonly unicastAdvertMs?: number;
  /** vipd unicast's `bfd:` value (a YAML flow mapping), the BFD row only. */
  readonly bfd?: string;
}

/** vipd's BFD default as the issue states it (interval 20 ms, detect multiplier 3). */
export const BFD_DEFAULT = '{ enabled: true, interval: 20ms, multiplier: 3 }';

export const SETTINGS: Readonly<Record<AdvertId, Setting>> = {
  '1s': { id: '1s', advertMs: 1000, version: 2, text: '1 s adverts: VRRPv2 (keepalived advert_int 1, vipd LAN version 2), vipd unicast advert_interval 1s' },
  '100ms': { id: '100ms', advertMs: 100, version: 3, text: '100 ms adverts: VRRPv3 (keepalived advert_int 0.1 version 3, vipd LAN version 3), vipd unicast advert_interval 100ms' },
  // Same detection speed (issue 10 §9): keepalived's Master_Down_Interval at 20 ms adverts is
  // 3 × 20 ms + skew ≈ 72 ms (RFC 5798 §6.1); BFD's detection time at 20 ms × 3 is 60 ms (RFC 5880 §6.8.4).
  bfd: {
    id: 'bfd',
    advertMs: 20,
    version: 3,
    unicastAdvertMs: 100,
    bfd: BFD_DEFAULT,
    text: 'same detection speed: keepalived advert_int 0.02 version 3 (Master_Down_Interval ≈ 72 ms); vipd unicast advert_interval 100ms with `bfd: { enabled: true, interval: 20ms, multiplier: 3 }` (detection 60 ms); vipd LAN (plain VRRP, no BFD) not in this row',
  },
};

/** The advert interval an implementation runs at in a setting. */
export function advertMsOf(s: Setting, impl: ImplId): number {
  return impl === 'vipd-unicast' ? (s.unicastAdvertMs ?? s.advertMs) : s.advertMs;
}

export type HaName = 'a' | 'b' | 'c';
/** a is the highest priority: the node every cold start should end on. */
export const PRIORITY: Readonly<Record<HaName, number>> = { a: 150, b: 100, c: 50 };
export const IMPL_LABEL: Readonly<Record<ImplId, string>> = { keepalived: 'keepalived', 'vipd-lan': 'vipd LAN', 'vipd-unicast': 'vipd unicast' };
const GROUP_NAME = 'web';
const VRID = 51;
const UNICAST_PORT = 7946;

/** The group names of an n-group deployment ("web" alone, or g1..gN). */
export function groupNames(groups: number): string[] {
  return groups === 1 ? [GROUP_NAME] : Array.from({ length: groups }, (_, i) => `g${i + 1}`);
}

export interface RoleChange {
  readonly t: number;
  readonly group: string;
  readonly to: string;
  /** The log line's message (vipd says why). */
  readonly text: string;
  /** vipd: the line's own time (pino's `time`, epoch ms), when the role changed in the agent. */
  readonly wallMs?: number;
}

export class Agent {
  readonly changes: RoleChange[] = [];
  readonly proc: NsProcess;

  constructor(
    readonly node: string,
    ns: string,
    argv: readonly string[],
    lifetimeMs: number,
    private readonly parseRole: (line: Line) => RoleChange | undefined,
    /** keepalived: pid files of the parent and the VRRP child. */
    private readonly pidFiles: readonly string[] = [],
    env?: NodeJS.ProcessEnv,
  ) {
    this.proc = new NsProcess({
      ns,
      argv,
      name: node,
      lifetimeMs,
      ...(env ? { env } : {}),
      onLine: (line) => {
        const c = this.parseRole(line);
        if (c) this.changes.push(c);
      },
    });
  }

  /** The last role logged for a group. */
  role(group = GROUP_NAME): string | undefined {
    for (let i = this.changes.length - 1; i >= 0; i--) if (this.changes[i]?.group === group) return this.changes[i]?.to;
    return undefined;
  }

  /** Every process of this agent: the one started, plus keepalived's from its pid files. */
  async pids(): Promise<number[]> {
    const out = new Set<number>();
    for (const f of this.pidFiles) {
      const pid = Number((await readFile(f, 'utf8').catch(() => '')).trim());
      // A pid file outlives its process: only a live keepalived is ours to signal.
      const comm = Number.isInteger(pid) && pid > 1 ? (await readFile(`/proc/${pid}/comm`, 'utf8').catch(() => '')).trim() : '';
      if (comm === 'keepalived') out.add(pid);
    }
    if (this.proc.pid !== undefined && this.proc.running) out.add(this.proc.pid);
    return [...out];
  }

  /**
   * A crash of the processes `pids()` returned: nothing of the agent can react. keepalived:
   * freeze both (parent first, so it cannot restart the child), then kill both (test/netns/agents.ts);
   * vipd: SIGKILL. Synchronous, so the caller's fault time is exact.
   */
  crash(pids: readonly number[]): void {
    signalAll(pids, 'SIGSTOP');
    signalAll(pids, 'SIGKILL');
    this.proc.kill();
  }

  /** Graceful stop: SIGTERM to the agent (keepalived's parent stops its child). */
  terminate(): void {
    this.proc.signal('SIGTERM');
  }

  /** Kills every process of the agent and waits for the one started to exit. */
  async kill(): Promise<void> {
    const pids = await this.pids();
    signalAll(pids, 'SIGCONT');
    signalAll(pids, 'SIGKILL');
    this.proc.kill();
    await this.proc.waitExit(5_000);
    // keepalived's child: wait until its pid is gone (bounded).
    await pollUntil(() => pids.every((p) => !alive(p)), 3_000, 20);
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

export interface Deployment {
  readonly agents: ReadonlyMap<string, Agent>;
  readonly groups: readonly string[];
  readonly vips: readonly string[];
  agent(node: string): Agent;
  kill(): Promise<void>;
}

export interface StartOptions {
  readonly lab: Lab;
  readonly setting: Setting;
  readonly groups: number;
  readonly vipdArgv: readonly string[];
  readonly lifetimeMs: number;
  /** Per-run material (certificates, key) of the unicast lab, made once by prepareUnicast. */
  readonly pkiDir?: string;
  /** The cloud phase (bench/cloud.ts): a cloud provider instead of the local VIP. */
  readonly cloud?: CloudHooks;
  /** The HA nodes (default a and b; the trio of the cold starts adds c). */
  readonly nodes?: readonly HaName[];
  /** vipd unicast: whether the witness w votes (default true; the trio has three members and no witness). */
  readonly witness?: boolean;
  /** Cold starts: the order and delay (ms after the first) in which the HA nodes start. */
  readonly schedule?: ReadonlyArray<{ readonly node: HaName; readonly atMs: number }>;
  /** Where vipd unicast's `bfd:` goes (bfdPlacement() finds what the schema accepts). */
  readonly bfdPlacement?: BfdPlacement;
}

/** `group`: inside each group; `top`: a top-level default. */
export type BfdPlacement = 'group' | 'top';

/** Starts the HA nodes in the schedule's order and at its delays (the witness first, at once). */
async function inOrder<T>(o: StartOptions, start: (node: HaName) => T): Promise<T[]> {
  const nodes = o.nodes ?? ['a', 'b'];
  const plan = o.schedule ?? nodes.map((node) => ({ node, atMs: 0 }));
  const t0 = Date.now();
  const out: T[] = [];
  for (const step of [...plan].sort((x, y) => x.atMs - y.atMs)) {
    const wait = t0 + step.atMs - Date.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    out.push(start(step.node));
  }
  return out;
}

/**
 * What the cloud phase changes: keepalived talks to its peer by unicast and runs a notify_master
 * script instead of binding the VIP; vipd's group gets a cloud provider instead of `local`; each
 * agent gets its own environment (the cloud credentials, nothing else of the bench's).
 */
export interface CloudHooks {
  /** keepalived: lines added inside the vrrp_instance (notify_master …). */
  keepalivedLines(node: 'a' | 'b'): string[];
  /** vipd: the group's `provider:` value (a YAML flow mapping). */
  vipdProvider(node: 'a' | 'b'): string;
  env(node: string): NodeJS.ProcessEnv;
}

function deployment(agents: Agent[], groups: number): Deployment {
  const map = new Map(agents.map((a) => [a.node, a]));
  return {
    agents: map,
    groups: groupNames(groups),
    vips: vipsFor(groups),
    agent(node) {
      const a = map.get(node);
      if (!a) throw new Error(`no agent on ${node}`);
      return a;
    },
    async kill() {
      await Promise.all(agents.map((a) => a.kill()));
    },
  };
}

// ---- keepalived ----

const KEEPALIVED_ROLE = /\((\S+)\) Entering (MASTER|BACKUP|FAULT) STATE/;

/** Unicast VRRP for keepalived (the cloud phase): our address and the peer's. */
export interface KeepalivedUnicast {
  readonly src: string;
  readonly peer: string;
  /** Lines added inside the vrrp_instance (notify_master …). */
  readonly lines: readonly string[];
}

export function keepalivedConf(iface: string, node: HaName, setting: Setting, groups: number, unicast?: KeepalivedUnicast): string {
  const names = groupNames(groups);
  const vips = vipsFor(groups);
  // script_user: notify scripts run as root without keepalived asking which user (the bench is root).
  const lines = ['global_defs {', `  router_id bench-${node}`, ...(unicast ? ['  script_user root'] : []), '}'];
  names.forEach((name, i) => {
    lines.push(
      `vrrp_instance ${name} {`,
      '  state BACKUP',
      `  interface ${iface}`,
      `  virtual_router_id ${groups === 1 ? VRID : i + 1}`,
      `  priority ${PRIORITY[node]}`,
      `  advert_int ${setting.advertMs / 1000}`,
      `  version ${setting.version}`,
      ...(unicast ? [`  unicast_src_ip ${unicast.src}`, '  unicast_peer {', `    ${unicast.peer}`, '  }', ...unicast.lines.map((l) => `  ${l}`)] : []),
      // keepalived refuses an instance without one, so the cloud phase binds it too (as the guides do).
      '  virtual_ipaddress {',
      `    ${vips[i]}/${VIP_PREFIX}`,
      '  }',
      '}',
    );
  });
  return `${lines.join('\n')}\n`;
}

async function startKeepalived(o: StartOptions): Promise<Deployment> {
  const argv = new Map<HaName, { argv: string[]; pids: string[] }>();
  for (const node of o.nodes ?? ['a', 'b']) {
    const h = o.lab.host(node);
    const dir = join(o.lab.dir, `keepalived-${node}`);
    await mkdir(dir, { recursive: true });
    const conf = join(dir, 'keepalived.conf');
    const peer = o.lab.host(node === 'a' ? 'b' : 'a');
    const unicast = o.cloud && node !== 'c' ? { src: h.ipv4, peer: peer.ipv4, lines: o.cloud.keepalivedLines(node) } : undefined;
    await writeFile(conf, keepalivedConf(h.ifname, node, o.setting, o.groups, unicast));
    const pid = join(dir, 'keepalived.pid');
    const vrrpPid = join(dir, 'vrrp.pid');
    // Pid files left by the previous run of this lab would name dead (or reused) pids.
    await Promise.all([pid, vrrpPid].map((f) => rm(f, { force: true })));
    argv.set(node, { argv: ['keepalived', '-n', '-l', '-D', '-P', '-G', '-f', conf, '-p', pid, '-r', vrrpPid], pids: [pid, vrrpPid] });
  }
  const agents = await inOrder(o, (node) => {
    const a = argv.get(node);
    if (!a) throw new Error(`no keepalived configuration for ${node}`);
    return new Agent(node, o.lab.host(node).ns, a.argv, o.lifetimeMs, (line) => {
      const m = KEEPALIVED_ROLE.exec(line.text);
      return m ? { t: line.t, group: m[1] as string, to: m[2] as string, text: line.text.replace(/^.*?: \(/, '(') } : undefined;
    }, a.pids, o.cloud && node !== 'c' ? o.cloud.env(node) : undefined);
  });
  return deployment(agents, o.groups);
}

// ---- vipd ----

const VIPD_ROLE = /^([A-Z]+) -> ([A-Z]+) \(/;

export function parseVipdRole(line: Line): RoleChange | undefined {
  if (!line.text.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(line.text) as { msg?: string; group?: string; time?: unknown };
    const m = VIPD_ROLE.exec(e.msg ?? '');
    if (!m || !e.group) return undefined;
    return { t: line.t, group: e.group, to: m[2] as string, text: e.msg ?? '', ...(typeof e.time === 'number' ? { wallMs: e.time } : {}) };
  } catch {
    return undefined;
  }
}

/** The unicast side of a group: its members (all HA nodes) and whether the witness votes. */
interface UnicastShape {
  readonly members: readonly HaName[];
  readonly witness: boolean;
  readonly bfdInGroup: string | undefined;
}

export function vipdGroups(iface: string, node: HaName, setting: Setting, groups: number, unicast: UnicastShape | undefined, provider = '{ type: local }'): string[] {
  const vips = vipsFor(groups);
  return groupNames(groups).flatMap((name, i) => [
    `  - name: ${name}`,
    `    vrid: ${groups === 1 ? VRID : i + 1}`,
    `    interface: ${iface}`,
    `    priority: ${PRIORITY[node]}`,
    ...(unicast ? [] : [`    version: ${setting.version}`]),
    `    advert_interval: ${unicast ? (setting.unicastAdvertMs ?? setting.advertMs) : setting.advertMs}ms`,
    `    vips: [${vips[i]}/${VIP_PREFIX}]`,
    `    provider: ${provider}`,
    ...(unicast
      ? [
          `    peers: [${unicast.members.filter((m) => m !== node).join(', ')}]`,
          ...(unicast.witness ? ['    witnesses: [w]'] : []),
          '    quorum: majority',
          ...(unicast.bfdInGroup ? [`    bfd: ${unicast.bfdInGroup}`] : []),
        ]
      : []),
  ]);
}

async function startVipdLan(o: StartOptions): Promise<Deployment> {
  const files = new Map<HaName, string>();
  for (const node of o.nodes ?? ['a', 'b']) {
    const h = o.lab.host(node);
    const file = join(o.lab.dir, `vipd-lan-${node}.yaml`);
    await writeFile(file, ['cluster_id: bench', `node: { id: ${node} }`, 'log: { level: info, format: json }', 'groups:', ...vipdGroups(h.ifname, node, o.setting, o.groups, undefined), ''].join('\n'));
    files.set(node, file);
  }
  const agents = await inOrder(o, (node) => new Agent(node, o.lab.host(node).ns, [...o.vipdArgv, 'run', '-c', files.get(node) as string], o.lifetimeMs, parseVipdRole));
  return deployment(agents, o.groups);
}

/** CA, node certificates (SAN = the node's address) and the advert-signing key, in `dir`: for every HA node and witness of the lab. */
export async function prepareUnicast(lab: Lab, dir: string): Promise<void> {
  await initCa({ dir, clusterId: 'bench', force: true });
  await writeFile(join(dir, 'k1.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
  for (const node of ['a', 'b', 'c', 'w'].filter((n) => lab.has(n))) await issueNodeCert({ dir, nodeId: node, sans: [lab.host(node).ipv4] });
}

/** One vipd unicast node's configuration (members and witness as `shape` says; PKI files in `pki`, absolute). */
export function vipdUnicastConf(o: { lab: Lab; setting: Setting; groups: number; pki: string; cloud?: CloudHooks; bfdPlacement?: BfdPlacement }, node: HaName | 'w', members: readonly HaName[], witness: boolean): string {
  const nodes: string[] = [...members, ...(witness ? ['w'] : [])];
  const addr = (n: string) => `${o.lab.host(n).ipv4}:${UNICAST_PORT}`;
  const h = o.lab.host(node);
  const others = nodes.filter((n) => n !== node);
  const pki = (f: string) => join(o.pki, f);
  const bfd = o.setting.bfd;
  const lines = [
    'cluster_id: bench',
    'node:',
    `  id: ${node}`,
    `  address: ${h.ipv4}`,
    `  listen: ${addr(node)}`,
    `  role: ${node === 'w' ? 'witness' : 'member'}`,
    `seeds: [${others.map(addr).join(', ')}]`,
    'log: { level: info, format: json }',
    `tls: { ca: ${pki('ca.crt')}, cert: ${pki(`${node}.crt`)}, key: ${pki(`${node}.key`)}, allow: [${others.join(', ')}] }`,
    `auth: { active_key: k1, keys: [{ id: k1, secret_file: ${pki('k1.key')} }] }`,
    ...(bfd && o.bfdPlacement === 'top' ? [`bfd: ${bfd}`] : []),
  ];
  if (node !== 'w') lines.push('groups:', ...vipdGroups(h.ifname, node, o.setting, o.groups, { members, witness, bfdInGroup: bfd && o.bfdPlacement !== 'top' ? bfd : undefined }, o.cloud?.vipdProvider(node as 'a' | 'b')));
  return `${lines.join('\n')}\n`;
}

async function startVipdUnicast(o: StartOptions): Promise<Deployment> {
  const pki = o.pkiDir ?? o.lab.dir;
  const members = o.nodes ?? ['a', 'b'];
  const witness = o.witness ?? true;
  const file = (node: string) => join(o.lab.dir, `vipd-unicast-${node}.yaml`);
  for (const node of [...members, ...(witness ? ['w' as const] : [])]) await writeFile(file(node), vipdUnicastConf({ ...o, pki }, node, members, witness));
  const start = (node: HaName | 'w') => new Agent(node, o.lab.host(node).ns, [...o.vipdArgv, 'run', '-c', file(node)], o.lifetimeMs, parseVipdRole, [], o.cloud?.env(node));
  // The witness first: it is not part of the start-up order being measured.
  const agents = [...(witness ? [start('w')] : []), ...(await inOrder(o, start))];
  return deployment(agents, o.groups);
}

export function startImpl(impl: ImplId, o: StartOptions): Promise<Deployment> {
  switch (impl) {
    case 'keepalived':
      return startKeepalived(o);
    case 'vipd-lan':
      return startVipdLan(o);
    case 'vipd-unicast':
      return startVipdUnicast(o);
  }
}
