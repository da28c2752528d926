/**
 * The flap test (issue 5 §3): a steady master a, then nftables drops a random 10 % and then
 * 20 % of the packets in and out of a's interface for a few minutes each; count master changes.
 * A healthy master should never lose the VIP at 10 %. The implementations run at the same time,
 * each in its own lab (separate namespaces and bridges, so their traffic never meets), which
 * keeps the whole bench inside its time budget; the machine's load is then shared too.
 */
import type { BenchContext } from './context.js';
import { startImpl, SETTINGS, IMPL_LABEL, type Deployment } from './impls.js';
import { VIP } from './lab.js';
import type { AdvertId, ImplId } from './options.js';
import { nowMs, sleep } from './proc.js';
import { masterDownMs, waitSteady } from './scenarios.js';

export const LOSS_LEVELS = [10, 20] as const;

export interface FlapRecord {
  readonly type: 'flap';
  readonly impl: ImplId;
  readonly advert: AdvertId;
  readonly lossPercent: number;
  readonly minutes: number;
  readonly at: string;
  readonly error?: string;
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
}

async function flapOne(ctx: BenchContext, impl: ImplId, advert: AdvertId, counts: Map<ImplId, number>): Promise<FlapRecord[]> {
  const lab = ctx.labs.get(impl);
  if (!lab) throw new Error(`no lab for ${impl}`);
  const setting = SETTINGS[advert];
  const minutes = ctx.options.flapMinutes;
  const periodMs = minutes * 60_000;
  const records: FlapRecord[] = [];
  let d: Deployment | undefined;
  const base = { type: 'flap' as const, impl, advert, minutes };
  try {
    await lab.reset([VIP]);
    d = await startImpl(impl, { lab, setting, groups: 1, vipdArgv: ctx.vipdArgv, lifetimeMs: LOSS_LEVELS.length * (periodMs + 60_000) + 60_000, ...(ctx.pkiDir ? { pkiDir: ctx.pkiDir } : {}) });
    const dep = d;
    await waitSteady(ctx, impl, dep, setting, 30_000 + 3 * masterDownMs(setting));
    for (const lossPercent of LOSS_LEVELS) {
      const at = new Date().toISOString();
      const t0 = nowMs();
      await lab.loss('a', lossPercent);
      // Bounded: one-second steps until the period is over.
      for (let i = 0; i < Math.ceil(periodMs / 1000) + 5 && nowMs() - t0 < periodMs; i++) {
        counts.set(impl, [...dep.agents.values()].flatMap((a) => a.changes).filter((c) => c.t >= t0 && c.to === 'MASTER').length);
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
      const record: FlapRecord = {
        ...base,
        lossPercent,
        at,
        masterChanges: inWindow.filter((c) => c.to === 'MASTER').length,
        aLostMaster: inWindow.filter((c) => c.node === 'a' && c.to !== 'MASTER').length,
        clientSwitches: switches,
        answersFromB: arrivals.filter((x) => x.node === 'b').length,
        requests: probes.length,
        answeredPercent: probes.length === 0 ? 0 : Math.round((1000 * probes.filter((p) => p.answers.length > 0).length) / probes.length) / 10,
        changes: inWindow.slice(0, 200).map((c) => [Math.round(c.t - t0), c.node, c.to, c.text] as const),
      };
      records.push(record);
      ctx.results.write(record);
      // Back to a steady master before the next level (a may have lost it).
      if (lossPercent !== LOSS_LEVELS[LOSS_LEVELS.length - 1]) await waitSteady(ctx, impl, dep, setting, 30_000).catch(() => undefined);
    }
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    for (const lossPercent of LOSS_LEVELS.slice(records.length)) {
      const record: FlapRecord = { ...base, lossPercent, at: new Date().toISOString(), error };
      records.push(record);
      ctx.results.write(record);
    }
  } finally {
    await d?.kill();
    await lab.reset([VIP]);
  }
  return records;
}

export async function flapPhase(ctx: BenchContext): Promise<FlapRecord[]> {
  const advert: AdvertId = ctx.options.adverts.includes('100ms') ? '100ms' : (ctx.options.adverts[0] ?? '100ms');
  const counts = new Map<ImplId, number>();
  const started = nowMs();
  const totalMs = LOSS_LEVELS.length * ctx.options.flapMinutes * 60_000;
  const ticker = setInterval(() => {
    const pct = Math.min(100, Math.round((100 * (nowMs() - started)) / totalMs));
    const so = ctx.options.impls.map((i) => `${IMPL_LABEL[i]} ${counts.get(i) ?? 0}`).join(', ');
    ctx.progress.set(`flap (${LOSS_LEVELS.join(' % then ')} % loss, ${ctx.options.flapMinutes} min each, all at once): ~${pct} %; master changes in this level: ${so}`);
  }, 2_000);
  try {
    const all = await Promise.all(ctx.options.impls.map((impl) => flapOne(ctx, impl, advert, counts)));
    return all.flat();
  } finally {
    clearInterval(ticker);
  }
}
