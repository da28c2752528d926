/**
 * vipd against keepalived, side by side in one run (issues 5, 9, 10): failover (agent crash,
 * host death, graceful stop) at 1 s and 100 ms adverts and in the same-detection-speed row
 * (keepalived advert_int 0.02 against vipd unicast with BFD), with decision → VIP bound →
 * gratuitous ARP measured on the wire; the flap test at 10 % and 20 % loss; cold starts of a
 * pair and a trio; the footprint at 1 and 100 groups; and the cloud phase: an Elastic IP moved
 * by keepalived's notify_master with the AWS CLI against vipd's aws provider, both on the EC2
 * fake (bench/cloud.ts). Ends with one table of every issue-10 target (bench/targets.ts).
 * Needs root: everything runs in network namespaces made for this run (test/netns/lib,
 * 192.0.2.0/24 only) and is removed at the end, on error, and on Ctrl-C / SIGTERM.
 *
 * Stages, in order: failover (alone: it measures milliseconds); then flap, cold starts and the
 * 1-group footprint at the same time (they count or measure CPU time, which sharing the machine
 * does not change); then the 100-group footprint one implementation at a time; then the cloud
 * phase (alone). `npm run bench -- --help` lists the options (--only, --skip-PHASE, …).
 *
 * Writes bench/results/failover-<time>.jsonl (every run, as it ends), failover-<time>.png and
 * latest.png (the chart), latest.md (the tables for the README). See bench/README.md.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { exec, missingTools, netnsSkipReason } from '../test/netns/lib/index.js';
import { drawChart, type ChartPanel } from './chart.js';
import { Progress, ResultsFile, type BenchContext, type BfdSupport } from './context.js';
import { bfdSupport } from './bfd-support.js';
import { coldStartPhase, type ColdStartRecord } from './coldstart.js';
import { flapPhase, type FlapRecord } from './flap.js';
import { footprintBusyPhase, footprintIdlePhase, type FootprintRecord } from './footprint.js';
import { cloudPhase } from './cloud.js';
import type { CloudRecord } from './cloud-record.js';
import { cloudTable, cloudTargetLines } from './cloud-report.js';
import { AWS_CLI } from './cloud-config.js';
import { IMPL_LABEL, prepareUnicast } from './impls.js';
import { Lab } from './lab.js';
import { FAILOVER_SCENARIOS, parseOptions, TARGET_COLD_STARTS, TARGET_FLAP_MINUTES, USAGE, type AdvertId, type FailoverScenario, type ImplId } from './options.js';
import { liveProcesses, nowMs } from './proc.js';
import { failoverPhase, type FailoverRecord } from './scenarios.js';
import { advertTitle, coldStartTable, failoverTables, flapTable, footprintTable, renderMarkdown, renderText, targetsTable, type Table } from './report.js';
import { evaluateTargets } from './targets.js';
import { medianIndex } from './stats.js';
import { prepareVipd, ROOT, type VipdCommand } from './vipd-build.js';

const RESULTS = join(ROOT, 'bench', 'results');
/** Upper bound on the life of anything the bench starts (the whole bench is far shorter). */
const MAX_BENCH_MS = 6 * 3600_000;

// ---- cleanup, also when interrupted ----

const labs = new Map<ImplId, Lab>();
/** The cloud phase's own lab (a, b, client, w; no echo service). */
let cloudLab: Lab | undefined;
/** The flap and cold-start cells' labs (each phase removes its own; here for Ctrl-C). */
const cellLabs = new Set<Lab>();
let build: VipdCommand | undefined;
let resultsPath: string | undefined;

/**
 * Synchronous last-resort cleanup for SIGINT/SIGTERM/SIGHUP: kill every process we started and
 * everything still running in our namespaces, delete the namespaces, remove temporary files,
 * exit. Registered before any topology exists, so it runs before test/netns/lib's own hook.
 */
function installInterruptHandlers(): void {
  let handled = false;
  const handler = (sig: NodeJS.Signals) => {
    if (handled) return;
    handled = true;
    process.stdout.write(`\n${sig}: stopping every agent and removing the namespaces...\n`);
    for (const p of liveProcesses()) p.kill();
    let removed = 0;
    for (const lab of [...labs.values(), ...cellLabs, ...(cloudLab ? [cloudLab] : [])]) {
      for (const ns of lab.namespaces()) {
        try {
          const pids = execFileSync('ip', ['netns', 'pids', ns], { encoding: 'utf8', timeout: 5_000 });
          for (const pid of pids.split('\n').map(Number).filter((n) => Number.isInteger(n) && n > 1 && n !== process.pid)) {
            try {
              process.kill(pid, 'SIGCONT');
              process.kill(pid, 'SIGKILL');
            } catch {
              // gone
            }
          }
          execFileSync('ip', ['netns', 'del', ns], { stdio: 'ignore', timeout: 5_000 });
          removed += 1;
        } catch {
          // already gone; the next run's sweep removes anything left
        }
      }
      rmSync(lab.dir, { recursive: true, force: true });
    }
    if (build?.dir) rmSync(build.dir, { recursive: true, force: true });
    process.stdout.write(`removed ${removed} namespaces${resultsPath ? `; runs so far are in ${resultsPath}` : ''}\n`);
    process.exit(sig === 'SIGINT' ? 130 : 143);
  };
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => handler(sig));
}

// ---- the chart ----

function chartPanels(records: readonly FailoverRecord[], impls: readonly ImplId[], adverts: readonly AdvertId[], scenarios: readonly FailoverScenario[]): ChartPanel[] {
  const panels: ChartPanel[] = [];
  for (const advert of adverts) {
    for (const scenario of scenarios) {
      const lanes = impls.flatMap((impl) => {
        const runs = records.filter((r) => r.impl === impl && r.advert === advert && r.scenario === scenario && r.probes);
        if (runs.length === 0) return [];
        const i = medianIndex(runs.map((r) => r.result?.takeoverMs));
        const run = runs[i ?? 0];
        if (!run?.probes) return [];
        const r = run.result;
        return [{
          label: `${IMPL_LABEL[impl]} (run ${run.run})`,
          probes: run.probes,
          faultAt: 0,
          takeoverMs: r?.takeoverMs,
          note: r ? `takeover ${r.takeoverMs?.toFixed(0) ?? '-'} ms, gap ${r.outageMs.toFixed(0)} ms` : '',
        }];
      });
      if (lanes.length === 0) continue;
      const latest = Math.max(...lanes.map((l) => l.takeoverMs ?? 0), advert === '1s' ? 1000 : 100);
      const toMs = Math.ceil((latest + Math.max(250, 0.25 * latest)) / 50) * 50;
      panels.push({ title: `${scenario}, ${advertTitle(advert)} (median run)`, fromMs: -Math.ceil(Math.max(100, 0.08 * toMs) / 50) * 50, toMs, lanes });
    }
  }
  return panels;
}

// ---- main ----

async function machine(): Promise<Record<string, string | number>> {
  const ka = await exec(['keepalived', '--version'], { check: false, timeoutMs: 5_000 }).catch(() => undefined);
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cpus: cpus().length,
    memoryGiB: Math.round(totalmem() / 2 ** 30),
    kernel: release(),
    node: process.version,
    keepalived: ((ka?.stderr || ka?.stdout) ?? '').split('\n')[0]?.trim() ?? 'unknown',
    loadAtStart: loadavg().map((x) => x.toFixed(1)).join(' '),
  };
}

async function main(): Promise<number> {
  const parsed = parseOptions(process.argv.slice(2));
  if (!parsed.ok) {
    process.stderr.write(`bench: ${parsed.error}\n\n${USAGE}\n`);
    return 2;
  }
  const options = parsed.options;
  if (options.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const skip = await netnsSkipReason();
  if (skip) {
    process.stdout.write(`bench: not run: ${skip}.\nThe benchmark builds network namespaces and binds addresses; run it as root: sudo npm run bench\n`);
    return 0;
  }
  const tools = ['ip', 'nft', 'arping', ...(options.impls.includes('keepalived') ? ['keepalived'] : [])];
  const missing = await missingTools(tools);
  if (missing) {
    process.stdout.write(`bench: not run: ${missing.replace('keepalived (Debian package unknown)', 'keepalived (Debian package keepalived)')}\n`);
    return 0;
  }
  if (options.phases.has('cloud') && options.impls.includes('keepalived') && !existsSync(AWS_CLI)) {
    process.stdout.write(`bench: not run: the cloud phase needs Debian's AWS CLI at ${AWS_CLI} (Debian package awscli), or --skip-cloud\n`);
    return 0;
  }

  installInterruptHandlers();
  mkdirSync(RESULTS, { recursive: true });
  const stamp = new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  resultsPath = join(RESULTS, `failover-${stamp}.jsonl`);
  const results = new ResultsFile(resultsPath);
  const progress = new Progress();
  const started = nowMs();
  const scenarios = FAILOVER_SCENARIOS.filter((s) => options.phases.has(s));

  const notes: string[] = [];
  if (options.phases.has('flap') && options.flapMinutes < TARGET_FLAP_MINUTES) notes.push(`flap window ${options.flapMinutes} min per loss level (--flap-minutes): not the target's ${TARGET_FLAP_MINUTES} min, so a flap target with 0 changes reads n/a`);
  if (options.phases.has('cold-start') && options.coldStarts < TARGET_COLD_STARTS) notes.push(`${options.coldStarts} cold starts per shape (--cold-starts): not the target's ${TARGET_COLD_STARTS}, so a cold-start target with every start right reads n/a`);
  if (options.phases.has('footprint') && options.footprintShortened) notes.push(`footprint window shortened to ${options.footprintSeconds} s because --runs ${options.runs} < 10 (the issue's 60 s: --footprint-seconds 60)`);
  for (const n of notes) progress.log(`note: ${n}`);

  let failover: FailoverRecord[] = [];
  let flap: FlapRecord[] = [];
  let coldStarts: ColdStartRecord[] = [];
  let footprint: FootprintRecord[] = [];
  let cloud: CloudRecord[] = [];
  /** How long each stage took (minutes), printed at the end. */
  const stageMinutes: Array<[string, number]> = [];
  const stage = async <T>(name: string, f: () => Promise<T>): Promise<T> => {
    const t0 = nowMs();
    try {
      return await f();
    } finally {
      stageMinutes.push([name, (nowMs() - t0) / 60_000]);
    }
  };
  // The failover and footprint phases share one lab per implementation; flap and cold-start
  // cells and the cloud phase make their own.
  const labPhases = scenarios.length > 0 || options.phases.has('footprint');
  const needsBfd = options.adverts.includes('bfd') && options.impls.includes('vipd-unicast') && (scenarios.length > 0 || options.phases.has('flap'));
  const host = await machine();
  let bfd: BfdSupport = { notBuilt: 'not checked' };
  try {
    progress.set('compiling vipd (tsc) into a temporary directory');
    build = await stage('compile vipd', prepareVipd);
    results.write({ type: 'meta', startedAt: new Date().toISOString(), options: { ...options, phases: [...options.phases] }, machine: host, vipd: build.how, notes });
    for (const impl of labPhases ? options.impls : []) {
      progress.set(`building the lab of ${IMPL_LABEL[impl]} (namespaces, echo servers, client)`);
      const lab = await Lab.create({ label: impl, witness: impl === 'vipd-unicast', lifetimeMs: MAX_BENCH_MS, keepLogMs: Math.max(120_000, options.flapMinutes * 60_000 + 60_000) });
      labs.set(impl, lab);
      await lab.startService();
    }
    const unicast = labs.get('vipd-unicast');
    if (unicast) await prepareUnicast(unicast, unicast.dir);
    if (needsBfd) {
      progress.set('asking vipd whether it accepts the BFD row\'s configuration (vipd check)');
      const probeLab = unicast ?? (await Lab.create({ label: 'bfdcheck', witness: true, lifetimeMs: 120_000, keepLogMs: 1000 }));
      if (!unicast) cellLabs.add(probeLab);
      try {
        if (!unicast) await prepareUnicast(probeLab, probeLab.dir);
        bfd = await bfdSupport(build.argv, probeLab, probeLab.dir);
      } finally {
        if (!unicast) {
          await probeLab.destroy().catch(() => undefined);
          cellLabs.delete(probeLab);
        }
      }
      progress.log('placement' in bfd ? `vipd accepts bfd: (${bfd.placement === 'group' ? 'in the group' : 'top level'}): the BFD row runs vipd unicast with it` : `BFD row: vipd unicast not built: ${bfd.notBuilt}`);
    }
    const ctx: BenchContext = { options, labs, vipdArgv: build.argv, pkiDir: unicast?.dir, progress, results, bfd };
    const register = (lab: Lab) => cellLabs.add(lab);

    if (scenarios.length > 0) failover = await stage('failover', () => failoverPhase(ctx, scenarios));
    const together = [options.phases.has('flap') ? 'flap' : '', options.phases.has('cold-start') ? 'cold starts' : '', options.phases.has('footprint') ? '1-group footprint' : ''].filter(Boolean);
    if (together.length > 0) {
      [flap, coldStarts, footprint] = await stage(together.join(' + '), () => Promise.all([
        options.phases.has('flap') ? flapPhase(ctx, register) : Promise.resolve([]),
        options.phases.has('cold-start') ? coldStartPhase(ctx, register) : Promise.resolve([]),
        options.phases.has('footprint') ? footprintIdlePhase(ctx) : Promise.resolve([]),
      ]));
    }
    if (options.phases.has('footprint')) footprint = [...footprint, ...(await stage('100-group footprint', () => footprintBusyPhase(ctx)))];
    if (options.phases.has('cloud')) {
      cloud = await stage('cloud', async () => {
        progress.set('building the cloud lab (namespaces a, b, w)');
        cloudLab = await Lab.create({ label: 'cloud', witness: true, lifetimeMs: MAX_BENCH_MS, keepLogMs: 1000 });
        await prepareUnicast(cloudLab, cloudLab.dir);
        return cloudPhase({ ...ctx, pkiDir: cloudLab.dir }, cloudLab);
      });
    }
  } finally {
    progress.set('removing the labs');
    for (const lab of [...labs.values(), ...cellLabs, ...(cloudLab ? [cloudLab] : [])]) await lab.destroy().catch(() => undefined);
    cellLabs.clear();
    labs.clear();
    cloudLab = undefined;
    await build?.cleanup();
    progress.done();
  }

  // ---- report ----
  const tables: Table[] = [
    ...(failover.length ? failoverTables(failover, options.impls, options.adverts, scenarios, options.runs) : []),
    ...(flap.length ? [flapTable(flap)] : []),
    ...(coldStarts.length ? [coldStartTable(coldStarts)] : []),
    ...(footprint.length ? [footprintTable(footprint)] : []),
    ...(cloud.length ? [cloudTable(cloud, options.runs)] : []),
  ];
  const targetRows = evaluateTargets({ failover, flap, coldStarts, footprint, flapMinutes: options.flapMinutes, coldStartsPerShape: options.coldStarts });
  const targets = targetRows.length > 0 ? targetsTable(targetRows) : undefined;
  const cloudTargets = cloudTargetLines(cloud);
  const minutes = ((nowMs() - started) / 60_000).toFixed(1);
  const stages = stageMinutes.map(([n, m]) => `${n} ${m.toFixed(1)} min`).join(', ');
  const machineLine = `${host.cpu}, ${host.cpus} CPUs, ${host.memoryGiB} GiB, Linux ${host.kernel}, Node ${host.node}, ${host.keepalived}; vipd ${build?.how ?? ''}; load average (1, 5, 15 min) ${host.loadAtStart} at the start, ${loadavg().map((x) => x.toFixed(1)).join(' ')} at the end (other work on the machine makes every time noisier)`;
  process.stdout.write(`\n${tables.map(renderText).join('\n\n')}\n`);
  if (cloudTargets.length > 0) process.stdout.write(`\nGoals (issue 9, cloud):\n${cloudTargets.map((t) => `  ${t}`).join('\n')}\n`);
  if (targets) process.stdout.write(`\n${renderText(targets)}\n`);
  for (const n of notes) process.stdout.write(`note: ${n}\n`);

  let png: string | undefined;
  const panels = chartPanels(failover, options.impls, options.adverts, scenarios);
  if (panels.length > 0) {
    const image = drawChart(panels, {
      title: 'vipd vs keepalived: client answers around the fault',
      subtitle: `one UDP request to the VIP every 10 ms; each bar is a request at its send time, coloured by the node that answered; ${new Date().toISOString().slice(0, 10)}`,
      nodes: [{ node: 'a', label: 'answered by a (first master)', color: [31, 119, 180] }, { node: 'b', label: 'answered by b (backup)', color: [255, 127, 14] }],
    });
    png = join(RESULTS, `failover-${stamp}.png`);
    writeFileSync(png, image);
    copyFileSync(png, join(RESULTS, 'latest.png'));
  }
  const command = `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim();
  writeFileSync(join(RESULTS, 'latest.md'), [
    '<!-- written by npm run bench (bench/failover.ts); paste below the README\'s "Performance" heading -->',
    `Measured ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC on ${machineLine}, with \`${command}\` (${minutes} min: ${stages}).`,
    'Each implementation ran in its own network namespaces on its own bridge; raw runs: `bench/results/*.jsonl`. Rerun as root with `npm run bench` (add `-- --runs 3` for the under-20-minute version).',
    ...notes.map((n) => `Note: ${n}.`),
    '',
    ...tables.map((t) => `${renderMarkdown(t)}\n`),
    ...(targets ? [renderMarkdown(targets), ''] : []),
    ...(cloudTargets.length > 0 ? ['### Goals (issue 9, cloud)', '', ...cloudTargets.map((t) => `- ${t}`), ''] : []),
    ...(png ? ['![client answers around the fault](bench/results/latest.png)', ''] : []),
  ].join('\n'));
  process.stdout.write(`\nraw runs: ${resultsPath}\n${png ? `chart: ${png} (and bench/results/latest.png)\n` : ''}tables: ${join(RESULTS, 'latest.md')}\nmachine: ${machineLine}\ntook ${minutes} min (${stages})\n`);
  return 0;
}

main().then(
  (code) => process.exit(code),
  (err: unknown) => {
    process.stderr.write(`bench failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exit(1);
  },
);
