/**
 * The issue-10 targets, each with the value measured in this run, keepalived's from the same run
 * where it has one, and met / MISSED (by how much) / n/a (nothing measured, and why) / not built
 * (the BFD row before vipd accepts `bfd:`). Pure: records in, rows out
 * (test/unit/bench/targets.test.ts). Every latency target is judged on the median of the runs,
 * as the issue's keepalived figures are; the table shows min–max beside it.
 */
import type { ColdStartRecord } from './coldstart.js';
import { coldStartOk } from './coldstart.js';
import type { FlapRecord } from './flap.js';
import type { FootprintRecord } from './footprint.js';
import { IMPL_LABEL } from './impls.js';
import { TARGET_COLD_STARTS, TARGET_FLAP_MINUTES, type AdvertId, type FailoverScenario, type ImplId } from './options.js';
import type { FailoverRecord } from './scenarios.js';
import { summarize, type Summary } from './stats.js';

export type Verdict = 'met' | 'MISSED' | 'n/a' | 'not built';

export interface TargetRow {
  /** The issue's target, in its words. */
  readonly target: string;
  /** Which vipd and which setting. */
  readonly subject: string;
  readonly measured: string;
  /** keepalived's value from the same run, or "" where it has none. */
  readonly keepalived: string;
  readonly verdict: Verdict;
  /** MISSED: by how much; n/a and not built: why. */
  readonly note: string;
}

export interface TargetInput {
  readonly failover: readonly FailoverRecord[];
  readonly flap: readonly FlapRecord[];
  readonly coldStarts: readonly ColdStartRecord[];
  readonly footprint: readonly FootprintRecord[];
  readonly flapMinutes: number;
  readonly coldStartsPerShape: number;
}

const ADVERT_LABEL: Readonly<Record<AdvertId, string>> = { '1s': '1 s adverts', '100ms': '100 ms adverts', bfd: 'BFD row' };
const ms = (n: number) => `${n < 10 ? n.toFixed(1) : n.toFixed(0)} ms`;
const range = (s: Summary, unit = ' ms') => (s.n > 1 ? ` (${s.min.toFixed(s.max < 10 ? 1 : 0)}–${s.max.toFixed(s.max < 10 ? 1 : 0)}${unit}, ${s.n} runs)` : ` (1 run)`);

/** A "≤ limit" target on a summary: met, or MISSED by the excess. */
function atMost(s: Summary | undefined, limit: number, unit: (n: number) => string): { verdict: Verdict; note: string } {
  if (!s) return { verdict: 'n/a', note: 'no run produced a value' };
  return s.median <= limit ? { verdict: 'met', note: '' } : { verdict: 'MISSED', note: `by ${unit(s.median - limit)}` };
}

function failoverRows(inp: TargetInput, scenario: FailoverScenario, impls: readonly ImplId[], target: string, limitMs: number, pick: (r: FailoverRecord) => number | undefined): TargetRow[] {
  const rows: TargetRow[] = [];
  for (const advert of ['100ms', '1s'] as const) {
    const of = (impl: ImplId) => inp.failover.filter((r) => r.impl === impl && r.advert === advert && r.scenario === scenario);
    const ka = summarize(of('keepalived').map(pick));
    for (const impl of impls) {
      const runs = of(impl);
      if (runs.length === 0) continue;
      const s = summarize(runs.map(pick));
      const failed = runs.filter((r) => r.error).length;
      const v = atMost(s, limitMs, ms);
      rows.push({
        target,
        subject: `${IMPL_LABEL[impl]}, ${ADVERT_LABEL[advert]}`,
        measured: s ? `${ms(s.median)}${range(s)}` : '-',
        keepalived: ka ? ms(ka.median) : '',
        verdict: v.verdict,
        note: [v.note, failed > 0 ? `${failed} of ${runs.length} runs failed` : ''].filter(Boolean).join('; '),
      });
    }
  }
  return rows;
}

function flapRows(inp: TargetInput): TargetRow[] {
  const rows: TargetRow[] = [];
  const target = `flap: 0 master changes in ${TARGET_FLAP_MINUTES} min of random loss on the master's link`;
  for (const r of inp.flap.filter((x) => x.impl !== 'keepalived')) {
    const ka = inp.flap.find((x) => x.impl === 'keepalived' && x.advert === r.advert && x.lossPercent === r.lossPercent);
    const kaText = ka?.masterChanges === undefined ? '' : `${ka.masterChanges} (${(ka.masterChanges / ka.minutes).toFixed(1)}/min)`;
    const subject = `${IMPL_LABEL[r.impl]}, ${r.lossPercent} % loss, ${ADVERT_LABEL[r.advert]}`;
    if (r.notBuilt) {
      rows.push({ target, subject, measured: '-', keepalived: kaText, verdict: 'not built', note: r.notBuilt });
      continue;
    }
    if (r.masterChanges === undefined) {
      rows.push({ target, subject, measured: '-', keepalived: kaText, verdict: 'n/a', note: `error: ${(r.error ?? '').split('\n')[0]}` });
      continue;
    }
    const short = r.minutes < TARGET_FLAP_MINUTES;
    const verdict: Verdict = r.masterChanges > 0 ? 'MISSED' : short ? 'n/a' : 'met';
    const note = r.masterChanges > 0 ? `by ${r.masterChanges} change${r.masterChanges === 1 ? '' : 's'}${short ? ` (in a ${r.minutes} min window)` : ''}` : short ? `window ${r.minutes} min, not the target's ${TARGET_FLAP_MINUTES}` : '';
    rows.push({ target, subject, measured: `${r.masterChanges} in ${r.minutes} min`, keepalived: kaText, verdict, note });
  }
  return rows;
}

function coldRows(inp: TargetInput): TargetRow[] {
  const rows: TargetRow[] = [];
  const target = `cold start: exactly one VIP move, ${TARGET_COLD_STARTS} of ${TARGET_COLD_STARTS} starts`;
  const tally = (impl: ImplId, shape: string) => {
    const rs = inp.coldStarts.filter((r) => r.impl === impl && r.shape === shape && r.start > 0);
    return { n: rs.length, ok: rs.filter(coldStartOk).length, moves: rs.map((r) => r.binds?.length ?? 0) };
  };
  const impls = [...new Set(inp.coldStarts.map((r) => r.impl))].filter((i) => i !== 'keepalived');
  for (const shape of ['pair', 'trio'] as const) {
    const ka = tally('keepalived', shape);
    for (const impl of impls) {
      const t = tally(impl, shape);
      const broken = inp.coldStarts.find((r) => r.impl === impl && r.start === 0);
      const subject = `${IMPL_LABEL[impl]}, ${shape}`;
      if (t.n === 0) {
        rows.push({ target, subject, measured: '-', keepalived: '', verdict: 'n/a', note: broken?.error?.split('\n')[0] ?? 'not run' });
        continue;
      }
      const verdict: Verdict = t.ok < t.n ? 'MISSED' : t.n < TARGET_COLD_STARTS ? 'n/a' : 'met';
      const note = t.ok < t.n ? `by ${t.n - t.ok} start${t.n - t.ok === 1 ? '' : 's'} (moves per start: ${t.moves.join(' ')})` : t.n < TARGET_COLD_STARTS ? `${t.n} starts, not the target's ${TARGET_COLD_STARTS}` : '';
      rows.push({ target, subject, measured: `${t.ok} of ${t.n}`, keepalived: ka.n > 0 ? `${ka.ok} of ${ka.n} (moves: ${ka.moves.join(' ')})` : '', verdict, note });
    }
  }
  return rows;
}

function wireRows(inp: TargetInput): TargetRow[] {
  const rows: TargetRow[] = [];
  const impls = [...new Set(inp.failover.filter((r) => r.wire).map((r) => r.impl))];
  for (const [what, pick] of [['VIP bound', (r: FailoverRecord) => r.wire?.boundMs], ['first gratuitous ARP on the wire', (r: FailoverRecord) => r.wire?.garpMs]] as const) {
    for (const impl of impls) {
      const runs = inp.failover.filter((r) => r.impl === impl && r.wire);
      const s = summarize(runs.map(pick));
      const v = atMost(s, 2, ms);
      rows.push({
        target: `decision → ${what} ≤ 2 ms`,
        subject: `${IMPL_LABEL[impl]}, every failover run with a takeover`,
        measured: s ? `${ms(s.median)}${range(s)}` : '-',
        keepalived: '',
        verdict: v.verdict,
        note: [v.note, 'decision by pino\'s whole-ms time: upper bound by < 1 ms'].filter(Boolean).join('; '),
      });
    }
  }
  return rows;
}

function footprintRows(inp: TargetInput): TargetRow[] {
  const rows: TargetRow[] = [];
  const members = (r: FootprintRecord | undefined) => (r?.agents ?? []).filter((a) => a.node !== 'w');
  const find = (impl: ImplId, groups: number) => inp.footprint.find((r) => r.impl === impl && r.groups === groups);
  const worst = (r: FootprintRecord | undefined, pick: (a: { rssMaxMiB: number; cpuPercent: number }) => number) => {
    const m = members(r);
    return m.length === 0 ? undefined : Math.max(...m.map(pick));
  };
  const row = (target: string, impl: ImplId, groups: number, pick: (a: { rssMaxMiB: number; cpuPercent: number }) => number, limit: number, unit: string) => {
    const r = find(impl, groups);
    const v = worst(r, pick);
    const ka = worst(find('keepalived', groups), pick);
    const fmt = (x: number) => `${x.toFixed(unit === 'MiB' ? 1 : 2)} ${unit}`;
    const subject = `${IMPL_LABEL[impl]}, ${groups} group${groups === 1 ? '' : 's'}, busiest member`;
    if (!r) return;
    if (v === undefined) {
      rows.push({ target, subject, measured: '-', keepalived: ka === undefined ? '' : fmt(ka), verdict: 'n/a', note: `error: ${(r.error ?? 'no sample').split('\n')[0]}` });
      return;
    }
    const ok = v <= limit;
    const unsettled = r.converged === false || (r.roleChanges ?? 0) > 0;
    rows.push({ target, subject, measured: fmt(v), keepalived: ka === undefined ? '' : fmt(ka), verdict: ok ? 'met' : 'MISSED', note: [ok ? '' : `by ${fmt(v - limit)}`, unsettled ? 'not settled during the window' : ''].filter(Boolean).join('; ') });
  };
  for (const impl of ['vipd-lan', 'vipd-unicast'] as const) {
    row('idle, 1 group: ≤ 60 MiB RSS', impl, 1, (a) => a.rssMaxMiB, 60, 'MiB');
    row('idle, 1 group: ≤ 0.5 % of a core', impl, 1, (a) => a.cpuPercent, 0.5, '%');
  }
  row('100 groups at 100 ms: unicast ≤ 5 % of a core', 'vipd-unicast', 100, (a) => a.cpuPercent, 5, '%');
  row('100 groups at 100 ms: LAN ≤ 8 % of a core', 'vipd-lan', 100, (a) => a.cpuPercent, 8, '%');
  for (const impl of ['vipd-lan', 'vipd-unicast'] as const) {
    const r = find(impl, 100);
    if (!r) continue;
    const ka = find('keepalived', 100);
    const kaText = ka?.vipsOnOneAtEnd === undefined ? '' : `${ka.vipsOnOneAtStart}/${ka.groups} and ${ka.vipsOnOneAtEnd}/${ka.groups}`;
    const target = '100 groups: every VIP on exactly one node';
    const subject = `${IMPL_LABEL[impl]}, 100 groups, start and end of the window`;
    if (r.vipsOnOneAtStart === undefined || r.vipsOnOneAtEnd === undefined) {
      rows.push({ target, subject, measured: '-', keepalived: kaText, verdict: 'n/a', note: `error: ${(r.error ?? '').split('\n')[0]}` });
      continue;
    }
    const worstCount = Math.min(r.vipsOnOneAtStart, r.vipsOnOneAtEnd);
    rows.push({ target, subject, measured: `${r.vipsOnOneAtStart}/${r.groups} and ${r.vipsOnOneAtEnd}/${r.groups}`, keepalived: kaText, verdict: worstCount === r.groups ? 'met' : 'MISSED', note: worstCount === r.groups ? '' : `by ${r.groups - worstCount} VIPs` });
  }
  return rows;
}

export function evaluateTargets(inp: TargetInput): TargetRow[] {
  return [
    ...failoverRows(inp, 'agent-crash', ['vipd-unicast'], 'agent crash (unicast): takeover ≤ 30 ms', 30, (r) => r.result?.takeoverMs),
    ...failoverRows(inp, 'graceful-stop', ['vipd-lan', 'vipd-unicast'], 'graceful stop (vipd to vipd): client gap ≤ 10 ms', 10, (r) => r.result?.outageMs),
    ...failoverRows(inp, 'host-death', ['vipd-unicast'], 'host death (unicast, with a witness): takeover ≤ 100 ms', 100, (r) => r.result?.takeoverMs),
    ...flapRows(inp),
    ...coldRows(inp),
    ...wireRows(inp),
    ...footprintRows(inp),
  ];
}

/** A one-line summary: how many targets were met, missed, not measured. */
export function targetSummary(rows: readonly TargetRow[]): string {
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  return `${count('met')} met, ${count('MISSED')} MISSED, ${count('n/a')} n/a, ${count('not built')} not built (of ${rows.length})`;
}
