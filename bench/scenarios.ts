import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
/**
 * The failover scenarios (issue 5 §1). One run: fresh agents on a and b (and the witness), wait
 * until a is master and the client has been answered by a alone for a while, inject the fault
 * at a random phase of the advert cycle, watch the client until b answers and a little longer,
 * then kill everything and reset the lab. Runs alternate implementations; every run is written
 * to the results file as it ends.
 */
import { bfdStartOptions, type BenchContext } from './context.js';
import { advertMsOf, startImpl, SETTINGS, type Deployment, type Setting } from './impls.js';
import { signalAll, VIP } from './lab.js';
import { analyzeOutage, type OutageResult, type Probe } from './outage.js';
import { rowImpls, type AdvertId, type FailoverScenario, type ImplId } from './options.js';
import { nowMs, pollUntil, sleep } from './proc.js';
import { WireCapture } from './wire-capture.js';
import { decisionEntry, parseLogEntry, wireTimes, type WireTimes } from './wire.js';

export interface FailoverRecord {
  readonly type: 'failover';
  readonly impl: ImplId;
  readonly advert: AdvertId;
  readonly scenario: FailoverScenario;
  readonly run: number;
  readonly at: string;
  readonly error?: string;
  /** The BFD row's vipd when its configuration is not accepted yet (bfd not built): why. */
  readonly notBuilt?: string;
  /** Agent start → steady on a. */
  readonly readyMs?: number;
  readonly result?: OutageResult;
  /** How b explained its takeover (vipd's log says why; keepalived's just that it did). */
  readonly takeoverLog?: string;
  /** The client's log, times in ms relative to the fault (recompute with analyzeOutage, faultAt 0). */
  readonly probes?: readonly Probe[];
  readonly endAt?: number;
  /** vipd: b's decision → VIP bound → first gratuitous ARP (bench/wire.ts). */
  readonly wire?: WireTimes;
  /** The longest gap between answers in the second before the fault (what "no gap" looks like on this machine). */
  readonly baselineGapMs?: number;
}

/** RFC 5798 §6.1 Master_Down_Interval of the backup (priority 100) — RFC 3768 skew for v2 — at the implementation's interval. */
export function masterDownMs(s: Setting, impl?: ImplId): number {
  const advertMs = impl ? advertMsOf(s, impl) : Math.max(s.advertMs, s.unicastAdvertMs ?? 0);
  const skew = s.version === 2 ? (256 - 100) / 256 * 1000 : ((256 - 100) * advertMs) / 256;
  return 3 * advertMs + skew;
}

/** The longest gap between consecutive answers among `probes` (0 with fewer than two). */
export function longestGap(probes: readonly Probe[]): number {
  const at = probes.flatMap((p) => p.answers.map((a) => a.at)).sort((x, y) => x - y);
  let gap = 0;
  for (let i = 1; i < at.length; i++) gap = Math.max(gap, (at[i] as number) - (at[i - 1] as number));
  return Math.round(gap * 100) / 100;
}

/** Waits until a is master with the VIP, b is backup without it, and a alone has answered for `steadyMs`. */
export async function waitSteady(ctx: BenchContext, impl: ImplId, d: Deployment, setting: Setting, timeoutMs: number): Promise<void> {
  const lab = ctx.labs.get(impl);
  if (!lab) throw new Error(`no lab for ${impl}`);
  // At least one full advert interval of a as master, so b has heard it.
  const steadyMs = Math.max(1000, advertMsOf(setting, impl) + 100);
  const ok = await pollUntil(async () => {
    if (!(d.agent('a').role() === 'MASTER' && d.agent('b').role() === 'BACKUP' && lab.probes.steadyOn('a', steadyMs))) return false;
    return (await lab.vipCount('a', d.vips)) === d.vips.length && (await lab.vipCount('b', d.vips)) === 0;
  }, timeoutMs, 50);
  if (!ok) {
    const tails = [...d.agents.values()].map((a) => a.proc.tail(8)).join('\n');
    throw new Error(`not steady within ${Math.round(timeoutMs / 1000)} s (a ${d.agent('a').role() ?? '?'}, b ${d.agent('b').role() ?? '?'})\n${tails}`);
  }
}

function rel(probes: readonly Probe[], t0: number): Probe[] {
  const r = (x: number) => Math.round((x - t0) * 100) / 100;
  return probes.map((p) => ({ seq: p.seq, sentAt: r(p.sentAt), answers: p.answers.map((a) => ({ node: a.node, at: r(a.at) })) }));
}

export async function failoverRun(ctx: BenchContext, impl: ImplId, advert: AdvertId, scenario: FailoverScenario, run: number): Promise<FailoverRecord> {
  const lab = ctx.labs.get(impl);
  if (!lab) throw new Error(`no lab for ${impl}`);
  const setting = SETTINGS[advert];
  const base = { type: 'failover' as const, impl, advert, scenario, run, at: new Date().toISOString() };
  const mdi = masterDownMs(setting, impl);
  let d: Deployment | undefined;
  let hostDown = false;
  let capture: WireCapture | undefined;
  try {
    if (!lab.serviceAlive()) throw new Error('the echo servers or the client of this lab died');
    await lab.reset([VIP]);
    if (impl !== 'keepalived') capture = await WireCapture.start(lab, 'b', 120_000);
    const started = nowMs();
    d = await startImpl(impl, { lab, setting, groups: 1, vipdArgv: ctx.vipdArgv, lifetimeMs: 120_000, ...bfdStartOptions(ctx, setting), ...(ctx.pkiDir ? { pkiDir: ctx.pkiDir } : {}) });
    await waitSteady(ctx, impl, d, setting, 30_000 + 3 * mdi);
    const readyMs = nowMs() - started;
    // A random phase of the advert cycle: takeover depends on when the last advert was heard.
    await sleep(Math.random() * advertMsOf(setting, impl));

    const a = d.agent('a');
    let faultAt: number;
    switch (scenario) {
      case 'agent-crash': {
        const pids = await a.pids();
        faultAt = nowMs();
        a.crash(pids);
        break;
      }
      case 'host-death': {
        // Every process of the node stops, then its link goes down: nothing of it answers.
        const pids = await lab.pids('a');
        faultAt = nowMs();
        hostDown = true;
        await lab.freeze('a', pids);
        await lab.link('a', false);
        break;
      }
      case 'graceful-stop':
        faultAt = nowMs();
        a.terminate();
        break;
    }

    const maxObserveMs = 4 * mdi + 5_000;
    const took = await pollUntil(() => lab.probes.firstOther('a', faultAt) !== undefined, maxObserveMs, 10);
    // Keep watching a while: late answers from the old master, flip-backs, lost requests.
    if (took) await sleep(1000);
    const endAt = nowMs();
    const probes = lab.probes.slice(faultAt - 1000, endAt);
    const result = analyzeOutage({ probes, faultAt, oldMaster: 'a', endAt });
    const takeover = d.agent('b').changes.find((c) => c.t >= faultAt - 5 && c.to === 'MASTER');
    let wire: WireTimes | undefined;
    if (capture) {
      // The fault on the real-time clock: pino's times are Date.now().
      const faultWallMs = Date.now() - (nowMs() - faultAt);
      const entries = d.agent('b').proc.lines.flatMap((l) => parseLogEntry(l.text, d?.groups[0] ?? '') ?? []);
      const decision = decisionEntry(entries, Math.floor(faultWallMs) - 1);
      if (decision) wire = wireTimes(capture.events, VIP, decision.wallMs, decision.msg);
    }
    return {
      ...base,
      readyMs: Math.round(readyMs),
      baselineGapMs: longestGap(probes.filter((p) => p.sentAt < faultAt - 50)),
      ...(wire ? { wire } : {}),
      result,
      ...(takeover ? { takeoverLog: takeover.text } : {}),
      ...(took ? {} : { error: `no answer from another node within ${Math.round(maxObserveMs)} ms` }),
      probes: rel(probes, faultAt),
      endAt: Math.round((endAt - faultAt) * 100) / 100,
    };
  } catch (err) {
    return { ...base, error: err instanceof Error ? err.message : String(err) };
  } finally {
    capture?.stop();
    // VIPD_BENCH_LOGS=DIR keeps every agent's output of every run (for finding out why a run was slow).
    const logDir = process.env.VIPD_BENCH_LOGS;
    if (logDir && d) {
      await mkdir(logDir, { recursive: true });
      for (const [node, agent] of d.agents) {
        await writeFile(join(logDir, `${impl}-${advert}-${scenario}-${run}-${node}.log`), agent.proc.lines.map((l) => l.text).join('\n') + '\n');
      }
    }
    await d?.kill();
    if (hostDown) signalAll(await lab.pids('a'), 'SIGCONT');
    await lab.reset([VIP]);
  }
}

/** Why an implementation cannot run in a row: vipd unicast in the BFD row before vipd accepts `bfd:`. */
export function notBuiltReason(ctx: BenchContext, advert: AdvertId, impl: ImplId): string | undefined {
  if (advert !== 'bfd' || impl !== 'vipd-unicast') return undefined;
  return 'notBuilt' in ctx.bfd ? ctx.bfd.notBuilt : undefined;
}

/** Every run of every scenario, alternating implementations run by run. */
export async function failoverPhase(ctx: BenchContext, scenarios: readonly FailoverScenario[]): Promise<FailoverRecord[]> {
  const { options } = ctx;
  const records: FailoverRecord[] = [];
  const total = options.adverts.reduce((n, advert) => n + rowImpls(advert, options.impls).length, 0) * scenarios.length * options.runs;
  let done = 0;
  for (const advert of options.adverts) {
    const impls = rowImpls(advert, options.impls);
    for (const scenario of scenarios) {
      for (let run = 1; run <= options.runs; run++) {
        // Rotate who goes first so no implementation always follows the same one.
        const order = impls.map((_, i) => impls[(i + run - 1) % impls.length] as ImplId);
        for (const impl of order) {
          const notBuilt = notBuiltReason(ctx, advert, impl);
          if (notBuilt) {
            done += 1;
            if (run === 1) {
              const record: FailoverRecord = { type: 'failover', impl, advert, scenario, run, at: new Date().toISOString(), notBuilt };
              records.push(record);
              ctx.results.write(record);
              ctx.progress.log(`  ${advert.padEnd(5)} ${scenario.padEnd(13)} ${impl.padEnd(12)}: not built (${notBuilt})`);
            }
            continue;
          }
          ctx.progress.set(`failover ${done + 1}/${total}: ${advert} adverts, ${scenario}, ${impl}, run ${run}/${options.runs}`);
          const record = await failoverRun(ctx, impl, advert, scenario, run);
          done += 1;
          records.push(record);
          ctx.results.write(record);
          const r = record.result;
          const w = record.wire;
          const summary = record.error
            ? `ERROR ${record.error.split('\n')[0]}`
            : `takeover ${r?.takeoverMs?.toFixed(0) ?? '-'} ms, outage ${r?.outageMs.toFixed(0)} ms, lost ${r?.lost}${r?.twoNodes ? ', TWO NODES' : ''}${w ? `; decision → bound ${w.boundMs ?? '-'} ms, → gARP ${w.garpMs ?? '-'} ms` : ''}`;
          ctx.progress.log(`  ${advert.padEnd(5)} ${scenario.padEnd(13)} ${impl.padEnd(12)} run ${run}: ${summary}`);
        }
      }
    }
  }
  return records;
}
