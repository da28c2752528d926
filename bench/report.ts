/**
 * The bench's tables (terminal and markdown) and the check against the targets. Pure:
 * records in, text out.
 */
import { COLD_SHAPES, COLD_SPREAD_MS, coldStartOk, type ColdStartRecord } from './coldstart.js';
import { flapAdvertMs, type FlapRecord } from './flap.js';
import type { FootprintRecord } from './footprint.js';
import { IMPL_LABEL, PRIORITY, SETTINGS } from './impls.js';
import { rowImpls, type AdvertId, type FailoverScenario, type ImplId } from './options.js';
import type { FailoverRecord } from './scenarios.js';
import { ratio, summarize, type Summary } from './stats.js';
import { targetSummary, type TargetRow } from './targets.js';

export type Table = { readonly title: string; readonly notes: readonly string[]; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };

const METRICS = [
  { key: 'takeover', label: 'takeover ms', pick: (r: FailoverRecord) => r.result?.takeoverMs },
  { key: 'outage', label: 'outage ms', pick: (r: FailoverRecord) => r.result?.outageMs },
  { key: 'lost', label: 'answers lost', pick: (r: FailoverRecord) => r.result?.lost },
  { key: 'bound', label: 'decision → VIP bound ms', pick: (r: FailoverRecord) => r.wire?.boundMs, digits: 1 },
  { key: 'garp', label: 'decision → gARP ms', pick: (r: FailoverRecord) => r.wire?.garpMs, digits: 1 },
] as const;

/** A row setting's name in titles. */
export function advertTitle(advert: AdvertId): string {
  return advert === '1s' ? '1 s adverts' : advert === '100ms' ? '100 ms adverts' : 'same detection speed (keepalived 20 ms adverts, vipd BFD 20 ms × 3)';
}

export const fmt = (n: number | undefined, digits = 0) => (n === undefined ? '-' : n.toFixed(digits));
/** median (min-max) */
export const cell = (s: Summary | undefined, digits = 0) => (s ? `${fmt(s.median, digits)} (${fmt(s.min, digits)}-${fmt(s.max, digits)})` : '-');
export const times = (x: number | undefined) => (x === undefined ? '-' : `${x.toFixed(2)}×`);
/** A target line's first word: met, MISSED, or n/a when nothing was measured. */
export const verdict = (ok: boolean | undefined) => (ok === undefined ? 'n/a ' : ok ? 'met ' : 'MISSED');

function settingNotes(advert: AdvertId, runs: number): string[] {
  return [
    SETTINGS[advert].text,
    `priorities a ${PRIORITY.a} (first master) / b ${PRIORITY.b}, preempt on; vipd unicast: members a, b + witness w, quorum majority; provider local (VIP bound, gratuitous ARP)`,
    `${runs} runs per cell, implementations alternating run by run; client: one UDP request to the VIP every 10 ms; cells: median (min-max); ÷ka = vipd median ÷ keepalived median`,
    'decision → VIP bound / gARP: b\'s log line that issues AcquireVip (pino time, whole ms) to the VIP\'s RTM_NEWADDR (ip monitor) and b\'s first outgoing gratuitous ARP (tcpdump), real-time clock (bench/wire.ts); keepalived logs whole seconds: none',
    'baseline gap: the longest gap between answers in the second before the fault (what "no gap" measures on this machine now)',
  ];
}

export function failoverTables(records: readonly FailoverRecord[], allImpls: readonly ImplId[], adverts: readonly AdvertId[], scenarios: readonly FailoverScenario[], runs: number): Table[] {
  const tables: Table[] = [];
  const hasKa = allImpls.includes('keepalived');
  for (const advert of adverts) {
    const impls = rowImpls(advert, allImpls);
    const header = ['scenario', 'metric', ...impls.flatMap((i) => (i !== 'keepalived' && hasKa ? [IMPL_LABEL[i], '÷ka'] : [IMPL_LABEL[i]]))];
    const rows: string[][] = [];
    for (const scenario of scenarios) {
      const of = (impl: ImplId) => records.filter((r) => r.advert === advert && r.scenario === scenario && r.impl === impl);
      for (const m of METRICS) {
        const row = [rows.length % (METRICS.length + 3) === 0 ? scenario : '', m.label];
        const ka = summarize(of('keepalived').map(m.pick));
        for (const impl of impls) {
          const s = summarize(of(impl).map(m.pick));
          row.push(cell(s, 'digits' in m ? m.digits : 0));
          if (impl !== 'keepalived' && hasKa) row.push(m.key === 'takeover' || m.key === 'outage' ? times(ratio(s, ka)) : '');
        }
        rows.push(row);
      }
      const two = ['', 'two nodes answered'];
      const errs = ['', 'failed runs'];
      const base = ['', 'baseline gap ms'];
      for (const impl of impls) {
        const rs = of(impl);
        const nb = rs.find((r) => r.notBuilt);
        two.push(nb ? 'not built' : `${rs.filter((r) => r.result?.twoNodes).length}/${rs.length}`);
        errs.push(nb ? 'not built' : `${rs.filter((r) => r.error).length}/${rs.length}`);
        base.push(cell(summarize(rs.map((r) => r.baselineGapMs))));
        if (impl !== 'keepalived' && hasKa) {
          two.push('');
          errs.push('');
          base.push('');
        }
      }
      rows.push(base, two, errs);
    }
    const notBuilt = records.find((r) => r.advert === advert && r.notBuilt)?.notBuilt;
    tables.push({ title: `Failover, ${advertTitle(advert)}`, notes: [...settingNotes(advert, runs), ...(notBuilt ? [`vipd unicast with BFD: not built — ${notBuilt}`] : [])], header, rows });
  }
  return tables;
}

export function flapTable(records: readonly FlapRecord[]): Table {
  const first = records[0];
  const notes = first
    ? [
        ...[...new Set(records.map((r) => r.advert))].map((a) => SETTINGS[a].text),
        `priorities a ${PRIORITY.a} / b ${PRIORITY.b}; nftables on a's interface drops a random N % of packets in and out (VRRP, BFD, gRPC and the client alike) for ${first.minutes} min; every row, implementation and loss level at the same time, each in its own lab`,
        'master changes: transitions into MASTER by any node during the loss; a lost: times the healthy master left MASTER; load: the 1-minute load average at the end (2 CPUs)',
      ]
    : [];
  const rows = records.map((r) => [
    `${IMPL_LABEL[r.impl]}, ${flapAdvertMs(r)} ms adverts${r.advert === 'bfd' && r.impl !== 'keepalived' ? ' + BFD' : ''}`,
    `${r.lossPercent} %`,
    r.notBuilt ? 'not built' : r.error ? `error: ${r.error.split('\n')[0]}` : String(r.masterChanges ?? '-'),
    String(r.aLostMaster ?? '-'),
    String(r.clientSwitches ?? '-'),
    String(r.answersFromB ?? '-'),
    r.answeredPercent === undefined ? '-' : `${r.answeredPercent} %`,
    r.loadAvg === undefined ? '-' : r.loadAvg.toFixed(1),
  ]);
  return { title: 'Flap test', notes, header: ['implementation', 'loss', 'master changes', 'a lost master', 'client switches', 'answers from b', 'answered', 'load'], rows };
}

export function coldStartTable(records: readonly ColdStartRecord[]): Table {
  const impls = [...new Set(records.map((r) => r.impl))];
  const rows: string[][] = [];
  for (const shape of COLD_SHAPES) {
    for (const impl of impls) {
      const rs = records.filter((r) => r.impl === impl && r.shape === shape && r.start > 0);
      const broken = records.find((r) => r.impl === impl && r.start === 0);
      if (rs.length === 0) {
        if (broken && shape === 'pair') rows.push([IMPL_LABEL[impl], shape, '-', '-', '-', `error: ${(broken.error ?? '').split('\n')[0]}`]);
        continue;
      }
      const moves = rs.map((r) => r.binds?.length ?? 0);
      const first = rs.map((r) => r.binds?.[0]?.[0] ?? '-');
      rows.push([
        IMPL_LABEL[impl],
        shape,
        `${rs.filter(coldStartOk).length}/${rs.length}`,
        moves.join(' '),
        first.join(' '),
        cell(summarize(rs.map((r) => r.settledMs))),
      ]);
    }
  }
  return {
    title: 'Cold starts',
    notes: [
      `100 ms adverts, priorities a ${PRIORITY.a} > b ${PRIORITY.b} > c ${PRIORITY.c}, preempt on; the nodes start in a random order, each within ${COLD_SPREAD_MS / 1000} s of the first; pair a, b (vipd unicast + witness w); trio a, b, c (vipd unicast: three members, no witness)`,
      'VIP moves: binds of the VIP on any node (RTM_NEWADDR in each node\'s namespace); right = bound once, on a, and on a alone at the end; implementations at the same time, each in its own lab',
    ],
    header: ['implementation', 'shape', 'one move', 'moves per start', 'first holder per start', 'settled ms'],
    rows,
  };
}

export function targetsTable(rows: readonly TargetRow[]): Table {
  return {
    title: 'Targets (issue 10)',
    notes: [
      'measured in this run; keepalived: the same measurement of keepalived in the same run, where it has one; latency targets on the median of the runs (min–max beside it)',
      targetSummary(rows),
    ],
    header: ['target', 'vipd', 'measured', 'keepalived', 'verdict', 'by / why'],
    rows: rows.map((r) => [r.target, r.subject, r.measured, r.keepalived, r.verdict, r.note]),
  };
}

export function footprintTable(records: readonly FootprintRecord[]): Table {
  const first = records[0];
  const notes = first
    ? [
        `idle (steady master a and backup b, no faults), 100 ms adverts (VRRPv3 for keepalived and vipd LAN), sampled from /proc every second for ${first.seconds} s after a ${6} s settle`,
        'RSS: VmRSS summed over the agent\'s processes (keepalived: parent + VRRP child); CPU: utime+stime (+ reaped helpers) over the window, % of one core',
        '1 group: the implementations at the same time (beside the flap and cold-start cells: CPU time, not wall time, is measured); 100 groups: one implementation at a time, alone',
      ]
    : [];
  const rows: string[][] = [];
  for (const r of records) {
    if (r.error || !r.agents) {
      rows.push([IMPL_LABEL[r.impl], String(r.groups), '-', '-', '-', '-', `error: ${(r.error ?? '').split('\n')[0]}`, '-']);
      continue;
    }
    for (const a of r.agents) {
      rows.push([
        IMPL_LABEL[r.impl],
        String(r.groups),
        a.node === 'w' ? 'w (witness)' : a.node,
        a.rssMaxMiB.toFixed(1),
        a.rssMeanMiB.toFixed(1),
        a.cpuPercent.toFixed(2),
        r.converged && r.roleChanges === 0 ? 'yes' : `no: a ${r.vipsOnA}/${r.groups}, b ${r.vipsOnB}/${r.groups} VIPs, ${r.roleChanges} role changes`,
        r.vipsOnOneAtStart === undefined ? '-' : `${r.vipsOnOneAtStart}/${r.groups}, ${r.vipsOnOneAtEnd}/${r.groups}`,
      ]);
    }
  }
  return { title: 'Footprint', notes, header: ['implementation', 'groups', 'node', 'RSS max MiB', 'RSS mean MiB', 'CPU %', 'settled', 'VIPs on one node (start, end)'], rows };
}

export function renderText(t: Table): string {
  const all = [t.header, ...t.rows];
  const widths = t.header.map((_, i) => Math.max(...all.map((r) => [...(r[i] ?? '')].length)));
  const line = (r: readonly string[]) => r.map((c, i) => (i < 2 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join('  ').trimEnd();
  return [t.title, ...t.notes.map((n) => `  ${n}`), '', line(t.header), widths.map((w) => '-'.repeat(w)).join('  '), ...t.rows.map(line)].join('\n');
}

export function renderMarkdown(t: Table): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  return [
    `### ${t.title}`,
    '',
    ...t.notes.map((n) => `- ${esc(n)}`),
    '',
    `| ${t.header.map(esc).join(' | ')} |`,
    `|${t.header.map((_, i) => (i < 2 ? '---' : '---:')).join('|')}|`,
    ...t.rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}
