/**
 * The flap test (issue 10 target: 0 master changes in 3 min at 10 % and at 20 % random loss on
 * the master's link): a steady master a, then nftables drops a random N % of the packets in and
 * out of a's interface for the window; count master changes. Rows: 100 ms adverts (every
 * implementation) and the same-detection-speed row (keepalived advert_int 0.02 against vipd
 * unicast with BFD 20 ms × 3). Every cell — row × implementation × loss level — runs at the
 * same time in a lab of its own (its own namespaces and bridge, so their traffic never meets):
 * the window the target defines stays whole and the bench stays inside its budget. The
 * machine's load is shared by all cells alike; the bench prints it.
 */
import { bfdStartOptions, type BenchContext } from './context.js';
import { advertMsOf, IMPL_LABEL, prepareUnicast, SETTINGS, startImpl, type Deployment } from './impls.js';
import { Lab } from './lab.js';
import { rowImpls, type AdvertId, type ImplId } from './options.js';
import { nowMs, sleep } from './proc.js';
import { masterDownMs, notBuiltReason, waitSteady } from './scenarios.js';

export const LOSS_LEVELS = [10, 20] as const;
/** The rows the flap test runs in (the issue: 100 ms adverts, and the same-detection-speed row). */
export const FLAP_ROWS = ['100ms', 'bfd'] as const satisfies readonly AdvertId[];

export interface FlapRecord {
  readonly type: 'flap';
  readonly impl: ImplId;
  readonly advert: AdvertId;
  readonly lossPercent: number;
  readonly minutes: number;
  readonly at: string;
  readonly error?: string;
  /** vipd unicast in the BFD row before vipd accepts `bfd:`. */
  readonly notBuilt?: string;
  /** Transitions into MASTER by any node while the loss lasted. */
  readonly masterChanges?: number;
  /** Times the healthy master a left MASTER. */
  readonly aLostMaster?: number;
  /** Changes of the node answering the client (in arrival order). */
  readonly clientSwitches?: number;
  /** Requests answered by b (the VIP on the wrong node, as the client saw it). */
  readonly answersFromB?: number;
  readonly requests?: number;
  readonly answeredPercent?: number;
  /** The role changes themselves: [ms since the loss began, node, role, why]. */
  readonly changes?: ReadonlyArray<readonly [number, string, string, string]>;
  /** The 1-minute load average when the window ended (the cells share the machine). */
  readonly loadAvg?: number;
}

interface Cell {
  readonly advert: AdvertId;
  readonly impl: ImplId;
  readonly lossPercent: number;
}

/** The cells of the flap test for these options: rows × implementations × loss levels. */
export function flapCells(adverts: readonly AdvertId[], impls: readonly ImplId[]): Cell[] {
  const rows = FLAP_ROWS.filter((r) => adverts.includes(r));
  return (rows.length > 0 ? rows : (['100ms'] as const)).flatMap((advert) => rowImpls(advert, impls).flatMap((impl) => LOSS_LEVELS.map((lossPercent) => ({ advert, impl, lossPercent }))));
}

async function loadAvg(): Promise<number | undefined> {
  const { loadavg } = await import('node:os');
  return Math.round((loadavg()[0] ?? 0) * 100) / 100;
}

async function flapCell(ctx: BenchContext, cell: Cell, counts: Map<string, number>, registerLab: (lab: Lab) => void): Promise<FlapRecord> {
  const { impl, advert, lossPercent } = cell;
  const setting = SETTINGS[advert];
  const minutes = ctx.options.flapMinutes;
  const periodMs = minutes * 60_000;
  const base = { type: 'flap' as const, impl, advert, lossPercent, minutes };
  const key = `${advert}/${impl}/${lossPercent}`;
  let lab: Lab | undefined;
  let d: Deployment | undefined;
  try {
    lab = await Lab.createStarted(
      { label: `flap-${impl}-${advert}-${lossPercent}`, witness: impl === 'vipd-unicast', lifetimeMs: periodMs + 600_000, keepLogMs: periodMs + 60_000 },
      (l) => {
        lab = l;
        registerLab(l);
      },
      impl === 'vipd-unicast' ? (l) => prepareUnicast(l, l.dir) : undefined,
    );
    d = await startImpl(impl, { lab, setting, groups: 1, vipdArgv: ctx.vipdArgv, lifetimeMs: periodMs + 240_000, pkiDir: lab.dir, ...bfdStartOptions(ctx, setting) });
    const dep = d;
    await waitSteady({ ...ctx, labs: new Map([[impl, lab]]) }, impl, dep, setting, 60_000 + 3 * masterDownMs(setting, impl));
    const at = new Date().toISOString();
    const t0 = nowMs();
    await lab.loss('a', lossPercent);
    // Bounded: one-second steps until the window is over.
    for (let i = 0; i < Math.ceil(periodMs / 1000) + 5 && nowMs() - t0 < periodMs; i++) {
      counts.set(key, [...dep.agents.values()].flatMap((a) => a.changes).filter((c) => c.t >= t0 && c.to === 'MASTER').length);
      await sleep(Math.min(1000, periodMs - (nowMs() - t0)));
    }
    const t1 = nowMs();
    await lab.loss('a', 0);
    const inWindow = [...dep.agents.values()].flatMap((a) => a.changes.filter((c) => c.t >= t0 && c.t <= t1).map((c) => ({ ...c, node: a.node }))).sort((x, y) => x.t - y.t);
    const probes = lab.probes.slice(t0, t1);
    let switches = 0;
    let current = 'a';
    const arrivals = probes.flatMap((p) => p.answers).sort((x, y) => x.at - y.at);
    for (const ans of arrivals) {
      if (ans.node !== current) {
        switches += 1;
        current = ans.node;
      }
    }
    const load = await loadAvg();
    return {
      ...base,
      at,
      masterChanges: inWindow.filter((c) => c.to === 'MASTER').length,
      aLostMaster: inWindow.filter((c) => c.node === 'a' && c.to !== 'MASTER').length,
      clientSwitches: switches,
      answersFromB: arrivals.filter((x) => x.node === 'b').length,
      requests: probes.length,
      answeredPercent: probes.length === 0 ? 0 : Math.round((1000 * probes.filter((p) => p.answers.length > 0).length) / probes.length) / 10,
      changes: inWindow.slice(0, 200).map((c) => [Math.round(c.t - t0), c.node, c.to, c.text] as const),
      ...(load === undefined ? {} : { loadAvg: load }),
    };
  } catch (err) {
    return { ...base, at: new Date().toISOString(), error: err instanceof Error ? err.message : String(err) };
  } finally {
    await d?.kill();
    await lab?.destroy().catch(() => undefined);
  }
}

/**
 * Every cell at once. `registerLab` hands each lab to the interrupt handler (bench/failover.ts)
 * so Ctrl-C removes it too.
 */
export async function flapPhase(ctx: BenchContext, registerLab: (lab: Lab) => void): Promise<FlapRecord[]> {
  const cells = flapCells(ctx.options.adverts, ctx.options.impls);
  const counts = new Map<string, number>();
  const started = nowMs();
  const totalMs = ctx.options.flapMinutes * 60_000;
  const ticker = setInterval(() => {
    const pct = Math.min(100, Math.round((100 * (nowMs() - started)) / totalMs));
    const so = [...counts].map(([k, n]) => `${k} ${n}`).join(', ');
    ctx.progress.set(`flap (${cells.length} cells at once, ${ctx.options.flapMinutes} min): ~${pct} %; master changes: ${so}`);
  }, 2_000);
  try {
    const records = await Promise.all(cells.map(async (cell) => {
      const notBuilt = notBuiltReason(ctx, cell.advert, cell.impl);
      const record: FlapRecord = notBuilt
        ? { type: 'flap', impl: cell.impl, advert: cell.advert, lossPercent: cell.lossPercent, minutes: ctx.options.flapMinutes, at: new Date().toISOString(), notBuilt }
        : await flapCell(ctx, cell, counts, registerLab);
      ctx.results.write(record);
      const text = record.notBuilt ? `not built (${record.notBuilt})` : record.error ? `ERROR ${record.error.split('\n')[0]}` : `${record.masterChanges} master changes in ${record.minutes} min, a lost master ${record.aLostMaster}`;
      ctx.progress.log(`  flap ${cell.advert.padEnd(5)} ${IMPL_LABEL[cell.impl].padEnd(12)} ${String(cell.lossPercent).padStart(2)} %: ${text}`);
      return record;
    }));
    return records;
  } finally {
    clearInterval(ticker);
  }
}

/** The advert interval a flap cell ran at, for the table. */
export function flapAdvertMs(r: FlapRecord): number {
  return advertMsOf(SETTINGS[r.advert], r.impl);
}
