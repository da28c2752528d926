/**
 * Footprint of vipd alone (issue 10, "less cost"): a master (a, priority 150) and a backup (b,
 * 100) in two network namespaces on a bridge (test/netns/lib), every group at the same advert
 * interval, LAN (VRRP multicast) or unicast (gRPC with mutual TLS and signed adverts, quorum
 * none), the noop provider (the agent's own cost, not its provider's). After the groups settle,
 * it samples each agent's RSS and CPU from /proc (procfs.ts) and the event loop's delay from
 * inside the process (footprint-eld.mjs). bench/footprint.ts compares vipd with keepalived; this
 * is the function behind the numbers of one vipd deployment, and a command line for it:
 *
 *   node --import tsx bench/footprint-node.ts --kind unicast|lan --groups 100 --seconds 20 [--vipd "node dist/src/cli/vipd.js"] [--no-event-loop]
 *
 * Root only (namespaces). Every wait is bounded; the namespaces go in `finally`.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { initCa, issueNodeCert } from '../src/security/certs.js';
import { withTopology, type Background, type Host } from '../test/netns/lib/index.js';
import { clockTicks, sampleProcess } from './procfs.js';
import { prepareVipd } from './vipd-build.js';

export type FootprintKind = 'lan' | 'unicast';

export interface NodeFootprintOptions {
  readonly kind: FootprintKind;
  readonly groups: number;
  /** Sampling window after the settle time. */
  readonly seconds: number;
  /** How to start vipd: argv before `run -c FILE` (prepareVipd().argv). */
  readonly vipdArgv: readonly string[];
  /** Advertisement_Interval in centiseconds (default 10: 100 ms). */
  readonly advertCs?: number;
  /** Sample the event loop's delay (default true; its 10 ms timer costs a little CPU of its own). */
  readonly eventLoop?: boolean;
  /** Wait after both agents started, before sampling (default 8 s, past the gratuitous-ARP bursts and every takeover). */
  readonly settleMs?: number;
}

export interface AgentSample {
  readonly node: 'a' | 'b';
  readonly rssMiB: number;
  /** Percent of one core over the window (utime + stime). */
  readonly cpuPercent: number;
  /** Longest event-loop delay seen in any second of the window, ms (footprint-eld.mjs). */
  readonly eventLoopMaxMs: number | undefined;
  /** The worst per-second 99th percentile, ms. */
  readonly eventLoopP99Ms: number | undefined;
  /** Role changes to Master it logged (a: `groups` once settled; b: 0). */
  readonly masterships: number;
  /** The end of what it printed on stderr, when it printed anything (an agent that did not start). */
  readonly stderr?: string;
}

export interface NodeFootprint {
  readonly kind: FootprintKind;
  readonly groups: number;
  readonly advertCs: number;
  readonly seconds: number;
  readonly agents: readonly AgentSample[];
}

const ELD = fileURLToPath(new URL('./footprint-eld.mjs', import.meta.url));

function config(kind: FootprintKind, me: Host, other: Host, priority: number, groups: number, advertCs: number, pki: string): string {
  const lines = [
    'cluster_id: bench',
    `node: { id: ${me.name}, listen: '${me.ipv4}:7946', address: ${me.ipv4} }`,
    'log: { format: json, level: info }',
  ];
  if (kind === 'unicast') {
    lines.push(
      `seeds: ['${other.ipv4}:7946']`,
      `tls: { ca: ${pki}/ca.crt, cert: ${pki}/${me.name}.crt, key: ${pki}/${me.name}.key }`,
      `auth: { active_key: k1, keys: [{ id: k1, secret_file: ${pki}/k1.key }] }`,
    );
  }
  lines.push('groups:');
  for (let i = 1; i <= groups; i++) {
    const group = [`name: g${i}`, `vrid: ${i}`, `interface: ${me.ifname}`, `vips: [203.0.113.${i}/32]`, `priority: ${priority}`, `advert_interval: ${advertCs * 10}ms`, 'provider: { type: noop }'];
    group.push(kind === 'unicast' ? `transport: unicast, peers: [${other.name}], quorum: none` : 'transport: multicast');
    lines.push(`  - { ${group.join(', ')} }`);
  }
  return `${lines.join('\n')}\n`;
}

async function eventLoop(file: string, since: number): Promise<{ max: number; p99: number } | undefined> {
  const text = await readFile(file, 'utf8').catch(() => '');
  const rows = text.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as { at: number; maxMs: number; p99Ms: number }).filter((r) => r.at > since);
  if (rows.length === 0) return undefined;
  return { max: Math.max(...rows.map((r) => r.maxMs)), p99: Math.max(...rows.map((r) => r.p99Ms)) };
}

/** Measures one deployment (see the file comment). Throws when namespaces cannot be made. */
export async function measureNodeFootprint(opts: NodeFootprintOptions): Promise<NodeFootprint> {
  const advertCs = opts.advertCs ?? 10;
  const dir = await mkdtemp(join(tmpdir(), 'vipd-footprint-'));
  try {
    if (opts.kind === 'unicast') {
      await initCa({ dir, clusterId: 'bench' });
      await issueNodeCert({ dir, nodeId: 'a', sans: ['192.0.2.11'], days: 2 });
      await issueNodeCert({ dir, nodeId: 'b', sans: ['192.0.2.12'], days: 2 });
      await writeFile(join(dir, 'k1.key'), Buffer.alloc(32, 7).toString('base64'), { mode: 0o600 });
    }
    return await withTopology({ hosts: ['a', 'b'], ipv6: false }, async (topo) => {
      const [a, b] = [topo.host('a'), topo.host('b')];
      const lifetimeMs = (opts.settleMs ?? 8000) + opts.seconds * 1000 + 60_000;
      const [node, ...rest] = opts.vipdArgv;
      if (!node) throw new Error('vipdArgv is empty');
      const started = new Map<'a' | 'b', { bg: Background; eld: string }>();
      for (const [me, other, priority] of [[a, b, 150], [b, a, 100]] as const) {
        const file = join(dir, `${me.name}.yaml`);
        const eld = join(dir, `${me.name}-eld.jsonl`);
        await writeFile(file, config(opts.kind, me, other, priority, opts.groups, advertCs, dir));
        const monitor = opts.eventLoop === false ? [] : ['--import', ELD];
        const bg = me.spawn(['env', `VIPD_ELD_FILE=${eld}`, node, ...monitor, ...rest, 'run', '-c', file], { maxLifetimeMs: lifetimeMs });
        started.set(me.name as 'a' | 'b', { bg, eld });
        // The master first, so that it is master of every group when the backup arrives.
        if (me === a) await new Promise((r) => setTimeout(r, 3000));
      }
      await new Promise((r) => setTimeout(r, opts.settleMs ?? 8000));
      const tick = await clockTicks();
      const pids = [...started.entries()].map(([name, s]) => [name, s.bg.pid] as const);
      const first = await Promise.all(pids.map(([, pid]) => (pid === undefined ? undefined : sampleProcess(pid))));
      const t0 = Date.now();
      const rss = new Map<string, number[]>();
      while (Date.now() - t0 < opts.seconds * 1000) {
        await new Promise((r) => setTimeout(r, 1000));
        for (const [name, pid] of pids) {
          const s = pid === undefined ? undefined : await sampleProcess(pid);
          if (s) rss.set(name, [...(rss.get(name) ?? []), s.rssKiB]);
        }
      }
      const last = await Promise.all(pids.map(([, pid]) => (pid === undefined ? undefined : sampleProcess(pid))));
      const elapsedS = (Date.now() - t0) / 1000;
      const agents: AgentSample[] = [];
      for (const [i, [name]] of pids.entries()) {
        const s = started.get(name)!;
        const loop = await eventLoop(s.eld, t0);
        const out = await s.bg.stop();
        const masterships = out.stdout.split('\n').filter((l) => / -> MASTER \(/.test(l)).length;
        const f = first[i];
        const l = last[i];
        const r = rss.get(name) ?? [];
        agents.push({
          node: name,
          rssMiB: r.length ? Math.round((Math.max(...r) / 1024) * 10) / 10 : NaN,
          cpuPercent: f && l ? Math.round(((l.cpuTicks - f.cpuTicks) / tick / elapsedS) * 1000) / 10 : NaN,
          eventLoopMaxMs: loop?.max,
          eventLoopP99Ms: loop?.p99,
          masterships,
          ...(out.stderr.trim() ? { stderr: out.stderr.trim().slice(-400) } : {}),
        });
      }
      return { kind: opts.kind, groups: opts.groups, advertCs, seconds: opts.seconds, agents };
    });
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: {
      kind: { type: 'string', default: 'unicast' },
      groups: { type: 'string', default: '1' },
      seconds: { type: 'string', default: '20' },
      vipd: { type: 'string' },
      'no-event-loop': { type: 'boolean', default: false },
    },
  });
  const kind = values.kind === 'lan' ? 'lan' : 'unicast';
  const built = values.vipd ? undefined : await prepareVipd();
  try {
    const vipdArgv = values.vipd ? values.vipd.split(' ') : built!.argv;
    const r = await measureNodeFootprint({ kind, groups: Number(values.groups), seconds: Number(values.seconds), vipdArgv, eventLoop: !values['no-event-loop'] });
    process.stdout.write(`${JSON.stringify(r)}\n`);
  } finally {
    await built?.cleanup();
  }
}
