/**
 * Footprint (issue 5 §4): resident memory and CPU from /proc of each agent, idle (a steady
 * master and backup, no faults) with 1 and with 100 VIP groups at 100 ms adverts. keepalived
 * counts both of its processes; vipd its one node process, plus the helpers it has reaped.
 * One implementation at a time: 100 busy groups of one would otherwise steal the CPU of another.
 */
import type { BenchContext } from './context.js';
import { startImpl, SETTINGS, IMPL_LABEL, type Deployment } from './impls.js';
import { vipsFor } from './lab.js';
import type { ImplId } from './options.js';
import { nowMs, pollUntil, sleep } from './proc.js';
import { clockTicks, sampleProcess } from './procfs.js';

export const FOOTPRINT_GROUPS = [1, 100] as const;
/** After the VIPs are up: past the second gratuitous-ARP burst (5 s) of both implementations. */
const SETTLE_MS = 6_000;

export interface AgentFootprint {
  readonly node: string;
  readonly rssMaxMiB: number;
  readonly rssMeanMiB: number;
  /** Percent of one core over the window. */
  readonly cpuPercent: number;
  readonly processes: number;
}

export interface FootprintRecord {
  readonly type: 'footprint';
  readonly impl: ImplId;
  readonly groups: number;
  readonly advert: '100ms';
  readonly seconds: number;
  readonly at: string;
  readonly error?: string;
  /** a held every VIP and b none when sampling began (false: the agents never settled). */
  readonly converged?: boolean;
  readonly vipsOnA?: number;
  readonly vipsOnB?: number;
  /** VIPs bound on exactly one of a and b, when sampling began and when it ended (the target: all of them, both times). */
  readonly vipsOnOneAtStart?: number;
  readonly vipsOnOneAtEnd?: number;
  /** Role changes during the window (a settled deployment has none). */
  readonly roleChanges?: number;
  readonly agents?: readonly AgentFootprint[];
}

async function measure(ctx: BenchContext, impl: ImplId, groups: number): Promise<FootprintRecord> {
  const lab = ctx.labs.get(impl);
  if (!lab) throw new Error(`no lab for ${impl}`);
  const seconds = ctx.options.footprintSeconds;
  const vips = vipsFor(groups);
  const base = { type: 'footprint' as const, impl, groups, advert: '100ms' as const, seconds, at: new Date().toISOString() };
  let d: Deployment | undefined;
  try {
    await lab.reset(vips);
    d = await startImpl(impl, { lab, setting: SETTINGS['100ms'], groups, vipdArgv: ctx.vipdArgv, lifetimeMs: (seconds + 150) * 1000, ...(ctx.pkiDir ? { pkiDir: ctx.pkiDir } : {}) });
    const ready = async () => (await lab.vipCount('a', vips)) === vips.length && (await lab.vipCount('b', vips)) === 0;
    // 100 groups may take long to settle, or never (that is a result too): bounded.
    const converged = await pollUntil(ready, groups === 1 ? 30_000 : 40_000, 250);
    await sleep(SETTLE_MS);
    const onOne = async () => {
      const [onA, onB] = await Promise.all([lab.host('a').addresses(), lab.host('b').addresses()]);
      const a = new Set(onA.map((x) => x.address));
      const b = new Set(onB.map((x) => x.address));
      return vips.filter((v) => a.has(v) !== b.has(v)).length;
    };
    const vipsOnOneAtStart = await onOne();
    const tick = await clockTicks();
    const agents = [...d.agents.values()];
    const first = new Map<string, number>();
    const rss = new Map<string, number[]>();
    const procs = new Map<string, number>();
    const cpuOf = async (node: string) => {
      const agent = agents.find((a) => a.node === node);
      const samples = await Promise.all((await agent?.pids() ?? []).map(sampleProcess));
      const ok = samples.filter((s) => s !== undefined);
      procs.set(node, ok.length);
      return { ticks: ok.reduce((s, x) => s + x.cpuTicks, 0), rssKiB: ok.reduce((s, x) => s + x.rssKiB, 0) };
    };
    const t0 = nowMs();
    const changesBefore = agents.reduce((s, a) => s + a.changes.length, 0);
    for (const a of agents) first.set(a.node, (await cpuOf(a.node)).ticks);
    let last = new Map<string, number>();
    for (let i = 0; i < seconds + 5 && nowMs() - t0 < seconds * 1000; i++) {
      ctx.progress.set(`footprint: ${IMPL_LABEL[impl]}, ${groups} group${groups === 1 ? '' : 's'}, ${Math.round((nowMs() - t0) / 1000)}/${seconds} s`);
      await sleep(Math.min(1000, seconds * 1000 - (nowMs() - t0)));
      last = new Map();
      for (const a of agents) {
        const s = await cpuOf(a.node);
        last.set(a.node, s.ticks);
        rss.set(a.node, [...(rss.get(a.node) ?? []), s.rssKiB]);
      }
    }
    const elapsedS = (nowMs() - t0) / 1000;
    const result: AgentFootprint[] = agents.map((a) => {
      const r = rss.get(a.node) ?? [0];
      return {
        node: a.node,
        rssMaxMiB: Math.round((Math.max(...r) / 1024) * 10) / 10,
        rssMeanMiB: Math.round((r.reduce((s, x) => s + x, 0) / r.length / 1024) * 10) / 10,
        cpuPercent: Math.round(((((last.get(a.node) ?? 0) - (first.get(a.node) ?? 0)) / tick) / elapsedS) * 10_000) / 100,
        processes: procs.get(a.node) ?? 0,
      };
    });
    return {
      ...base,
      converged,
      vipsOnA: await lab.vipCount('a', vips),
      vipsOnB: await lab.vipCount('b', vips),
      vipsOnOneAtStart,
      vipsOnOneAtEnd: await onOne(),
      roleChanges: agents.reduce((s, a) => s + a.changes.length, 0) - changesBefore,
      agents: result,
    };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  } finally {
    await d?.kill();
    await lab.reset(vips);
  }
}

function report(ctx: BenchContext, r: FootprintRecord): FootprintRecord {
  ctx.results.write(r);
  const text = r.error
    ? `ERROR ${r.error.split('\n')[0]}`
    : (r.agents ?? []).map((a) => `${a.node} ${a.rssMaxMiB} MiB ${a.cpuPercent} % CPU`).join(', ') + (r.converged ? '' : ` (NOT SETTLED: a ${r.vipsOnA}, b ${r.vipsOnB} VIPs)`);
  ctx.progress.log(`  footprint ${IMPL_LABEL[r.impl].padEnd(12)} ${String(r.groups).padStart(3)} group(s): ${text}`);
  return r;
}

/**
 * One group: every implementation at once, each in its own lab. An idle agent's CPU time is
 * the work its timers do, which other processes on the machine do not change (they change
 * when it runs, not how much it runs), so this one may share the machine — with the flap and
 * cold-start cells too (bench/failover.ts).
 */
export async function footprintIdlePhase(ctx: BenchContext): Promise<FootprintRecord[]> {
  return Promise.all(ctx.options.impls.map(async (impl) => report(ctx, await measure(ctx, impl, 1))));
}

/**
 * 100 groups: one implementation at a time, alone on the machine — a hundred busy groups of one
 * would steal CPU from another and make it miss adverts, which costs it CPU of its own.
 */
export async function footprintBusyPhase(ctx: BenchContext): Promise<FootprintRecord[]> {
  const records: FootprintRecord[] = [];
  for (const impl of ctx.options.impls) records.push(report(ctx, await measure(ctx, impl, FOOTPRINT_GROUPS[1])));
  return records;
}
