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
import { mkdir, readFile, writeFile } from 'node:fs/promises';
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
}

export const SETTINGS: Readonly<Record<AdvertId, Setting>> = {
  '1s': { id: '1s', advertMs: 1000, version: 2, text: '1 s adverts: VRRPv2 (keepalived advert_int 1, vipd LAN version 2), vipd unicast advert_interval 1s' },
  '100ms': { id: '100ms', advertMs: 100, version: 3, text: '100 ms adverts: VRRPv3 (keepalived advert_int 0.1 version 3, vipd LAN version 3), vipd unicast advert_interval 100ms' },
};

export const PRIORITY: Readonly<Record<'a' | 'b', number>> = { a: 150, b: 100 };
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

export function keepalivedConf(iface: string, node: 'a' | 'b', setting: Setting, groups: number, unicast?: KeepalivedUnicast): string {
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
  const agents: Agent[] = [];
  for (const node of ['a', 'b'] as const) {
    const h = o.lab.host(node);
    const dir = join(o.lab.dir, `keepalived-${node}`);
    await mkdir(dir, { recursive: true });
    const conf = join(dir, 'keepalived.conf');
    const peer = o.lab.host(node === 'a' ? 'b' : 'a');
    const unicast = o.cloud ? { src: h.ipv4, peer: peer.ipv4, lines: o.cloud.keepalivedLines(node) } : undefined;
    await writeFile(conf, keepalivedConf(h.ifname, node, o.setting, o.groups, unicast));
    const pid = join(dir, 'keepalived.pid');
    const vrrpPid = join(dir, 'vrrp.pid');
    agents.push(new Agent(node, h.ns, ['keepalived', '-n', '-l', '-D', '-P', '-G', '-f', conf, '-p', pid, '-r', vrrpPid], o.lifetimeMs, (line) => {
      const m = KEEPALIVED_ROLE.exec(line.text);
      return m ? { t: line.t, group: m[1] as string, to: m[2] as string, text: line.text.replace(/^.*?: \(/, '(') } : undefined;
    }, [pid, vrrpPid], o.cloud?.env(node)));
  }
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

function vipdGroups(iface: string, node: 'a' | 'b', setting: Setting, groups: number, unicast: boolean, provider = '{ type: local }'): string[] {
  const vips = vipsFor(groups);
  return groupNames(groups).flatMap((name, i) => [
    `  - name: ${name}`,
    `    vrid: ${groups === 1 ? VRID : i + 1}`,
    `    interface: ${iface}`,
    `    priority: ${PRIORITY[node]}`,
    ...(unicast ? [] : [`    version: ${setting.version}`]),
    `    advert_interval: ${setting.advertMs}ms`,
    `    vips: [${vips[i]}/${VIP_PREFIX}]`,
    `    provider: ${provider}`,
    ...(unicast ? [`    peers: [${node === 'a' ? 'b' : 'a'}]`, '    witnesses: [w]', '    quorum: majority'] : []),
  ]);
}

async function startVipdLan(o: StartOptions): Promise<Deployment> {
  const agents: Agent[] = [];
  for (const node of ['a', 'b'] as const) {
    const h = o.lab.host(node);
    const file = join(o.lab.dir, `vipd-lan-${node}.yaml`);
    await writeFile(file, ['cluster_id: bench', `node: { id: ${node} }`, 'log: { level: info, format: json }', 'groups:', ...vipdGroups(h.ifname, node, o.setting, o.groups, false), ''].join('\n'));
    agents.push(new Agent(node, h.ns, [...o.vipdArgv, 'run', '-c', file], o.lifetimeMs, parseVipdRole));
  }
  return deployment(agents, o.groups);
}

/** CA, node certificates (SAN = the node's address) and the advert-signing key, in `dir`. */
export async function prepareUnicast(lab: Lab, dir: string): Promise<void> {
  await initCa({ dir, clusterId: 'bench', force: true });
  await writeFile(join(dir, 'k1.key'), randomBytes(32).toString('base64'), { mode: 0o600 });
  for (const node of ['a', 'b', 'w']) await issueNodeCert({ dir, nodeId: node, sans: [lab.host(node).ipv4] });
}

async function startVipdUnicast(o: StartOptions): Promise<Deployment> {
  const dir = o.pkiDir;
  if (!dir) throw new Error('vipd unicast needs its certificates (prepareUnicast)');
  const nodes = ['a', 'b', 'w'] as const;
  const addr = (n: string) => `${o.lab.host(n).ipv4}:${UNICAST_PORT}`;
  const agents: Agent[] = [];
  for (const node of nodes) {
    const h = o.lab.host(node);
    const others = nodes.filter((n) => n !== node);
    const lines = [
      'cluster_id: bench',
      'node:',
      `  id: ${node}`,
      `  address: ${h.ipv4}`,
      `  listen: ${addr(node)}`,
      `  role: ${node === 'w' ? 'witness' : 'member'}`,
      `seeds: [${others.map(addr).join(', ')}]`,
      'log: { level: info, format: json }',
      `tls: { ca: ca.crt, cert: ${node}.crt, key: ${node}.key, allow: [${others.join(', ')}] }`,
      'auth: { active_key: k1, keys: [{ id: k1, secret_file: k1.key }] }',
    ];
    if (node !== 'w') lines.push('groups:', ...vipdGroups(h.ifname, node, o.setting, o.groups, true, o.cloud?.vipdProvider(node)));
    const file = join(dir, `vipd-unicast-${node}.yaml`);
    await writeFile(file, `${lines.join('\n')}\n`);
    agents.push(new Agent(node, h.ns, [...o.vipdArgv, 'run', '-c', file], o.lifetimeMs, parseVipdRole, [], o.cloud?.env(node)));
  }
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
