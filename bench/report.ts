/**
 * The bench's tables (terminal and markdown) and the check against the issue's targets. Pure:
 * records in, text out.
 */
import type { FlapRecord } from './flap.js';
import type { FootprintRecord } from './footprint.js';
import { IMPL_LABEL, PRIORITY, SETTINGS } from './impls.js';
import type { AdvertId, FailoverScenario, ImplId } from './options.js';
import type { FailoverRecord } from './scenarios.js';
import { ratio, summarize, type Summary } from './stats.js';

export type Table = { readonly title: string; readonly notes: readonly string[]; readonly header: readonly string[]; readonly rows: readonly (readonly string[])[] };

const METRICS = [
  { key: 'takeover', label: 'takeover ms', pick: (r: FailoverRecord) => r.result?.takeoverMs },
  { key: 'outage', label: 'outage ms', pick: (r: FailoverRecord) => r.result?.outageMs },
  { key: 'lost', label: 'answers lost', pick: (r: FailoverRecord) => r.result?.lost },
] as const;

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
  ];
}

export function failoverTables(records: readonly FailoverRecord[], impls: readonly ImplId[], adverts: readonly AdvertId[], scenarios: readonly FailoverScenario[], runs: number): Table[] {
  const tables: Table[] = [];
  const hasKa = impls.includes('keepalived');
  for (const advert of adverts) {
    const header = ['scenario', 'metric', ...impls.flatMap((i) => (i !== 'keepalived' && hasKa ? [IMPL_LABEL[i], '÷ka'] : [IMPL_LABEL[i]]))];
    const rows: string[][] = [];
    for (const scenario of scenarios) {
      const of = (impl: ImplId) => records.filter((r) => r.advert === advert && r.scenario === scenario && r.impl === impl);
      for (const m of METRICS) {
        const row = [rows.length % (METRICS.length + 2) === 0 ? scenario : '', m.label];
        const ka = summarize(of('keepalived').map(m.pick));
        for (const impl of impls) {
          const s = summarize(of(impl).map(m.pick));
          row.push(cell(s));
          if (impl !== 'keepalived' && hasKa) row.push(m.key === 'lost' ? '' : times(ratio(s, ka)));
        }
        rows.push(row);
      }
      const two = ['', 'two nodes answered'];
      const errs = ['', 'failed runs'];
      for (const impl of impls) {
        const rs = of(impl);
        two.push(`${rs.filter((r) => r.result?.twoNodes).length}/${rs.length}`);
        errs.push(`${rs.filter((r) => r.error).length}/${rs.length}`);
        if (impl !== 'keepalived' && hasKa) {
          two.push('');
          errs.push('');
        }
      }
      rows.push(two, errs);
    }
    tables.push({ title: `Failover, ${advert === '1s' ? '1 s' : '100 ms'} adverts`, notes: settingNotes(advert, runs), header, rows });
  }
  return tables;
}

export function flapTable(records: readonly FlapRecord[]): Table {
  const first = records[0];
  const notes = first
    ? [
        `${SETTINGS[first.advert].text}; priorities a ${PRIORITY.a} / b ${PRIORITY.b}`,
        `nftables on a's interface drops a random N % of packets in and out (VRRP, gRPC and the client alike) for ${first.minutes} min per level; implementations run at the same time in separate labs`,
        'master changes: transitions into MASTER by any node during the loss; a lost: times the healthy master left MASTER',
      ]
    : [];
  const rows = records.map((r) => [
    IMPL_LABEL[r.impl],
    `${r.lossPercent} %`,
    r.error ? `error: ${r.error.split('\n')[0]}` : String(r.masterChanges ?? '-'),
    String(r.aLostMaster ?? '-'),
    String(r.clientSwitches ?? '-'),
    String(r.answersFromB ?? '-'),
    r.answeredPercent === undefined ? '-' : `${r.answeredPercent} %`,
  ]);
  return { title: 'Flap test', notes, header: ['implementation', 'loss', 'master changes', 'a lost master', 'client switches', 'answers from b', 'answered'], rows };
}

export function footprintTable(records: readonly FootprintRecord[]): Table {
  const first = records[0];
  const notes = first
    ? [
        `idle (steady master a and backup b, no faults), 100 ms adverts (VRRPv3 for keepalived and vipd LAN), sampled from /proc every second for ${first.seconds} s after a ${6} s settle`,
        'RSS: VmRSS summed over the agent\'s processes (keepalived: parent + VRRP child); CPU: utime+stime (+ reaped helpers) over the window, % of one core',
      ]
    : [];
  const rows: string[][] = [];
  for (const r of records) {
    if (r.error || !r.agents) {
      rows.push([IMPL_LABEL[r.impl], String(r.groups), '-', '-', '-', '-', `error: ${(r.error ?? '').split('\n')[0]}`]);
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
      ]);
    }
  }
  return { title: 'Footprint', notes, header: ['implementation', 'groups', 'node', 'RSS max MiB', 'RSS mean MiB', 'CPU %', 'settled'], rows };
}

/** The issue's targets, each with the measured value and how far off it is. */
export function targetLines(failover: readonly FailoverRecord[], flap: readonly FlapRecord[], footprint: readonly FootprintRecord[], impls: readonly ImplId[], adverts: readonly AdvertId[]): string[] {
  const out: string[] = [];
  const vipds = impls.filter((i) => i !== 'keepalived');
  const med = (impl: ImplId, advert: AdvertId, scenario: FailoverScenario, pick: (r: FailoverRecord) => number | undefined) =>
    summarize(failover.filter((r) => r.impl === impl && r.advert === advert && r.scenario === scenario).map(pick));
  for (const scenario of ['host-death', 'agent-crash'] as const) {
    for (const advert of adverts) {
      const ka = med('keepalived', advert, scenario, (r) => r.result?.takeoverMs);
      for (const impl of vipds) {
        const v = med(impl, advert, scenario, (r) => r.result?.takeoverMs);
        const x = ratio(v, ka);
        if (x === undefined || !v || !ka) continue;
        const by = x <= 0.5 ? '' : `, over by ${fmt(v.median - 0.5 * ka.median)} ms`;
        out.push(`${verdict(x <= 0.5)} ${scenario} ${advert}: ${IMPL_LABEL[impl]} takeover ${fmt(v.median)} ms = ${x.toFixed(2)} × keepalived ${fmt(ka.median)} ms (target ≤ 0.5×${by})`);
      }
    }
  }
  for (const r of flap.filter((x) => x.lossPercent === 10 && x.impl !== 'keepalived')) {
    if (r.error) out.push(`n/a  flap 10 %: ${IMPL_LABEL[r.impl]}: ${r.error.split('\n')[0]}`);
    else out.push(`${verdict(r.masterChanges === 0)} flap 10 % ${r.advert}: ${IMPL_LABEL[r.impl]} ${r.masterChanges} master changes in ${r.minutes} min (target 0)`);
  }
  for (const advert of adverts) {
    for (const impl of vipds) {
      const v = med(impl, advert, 'graceful-stop', (r) => r.result?.outageMs);
      if (!v) continue;
      out.push(`${verdict(v.median <= 50)} graceful stop ${advert}: ${IMPL_LABEL[impl]} outage ${fmt(v.median)} ms (target ≤ 50 ms${v.median > 50 ? `, over by ${fmt(v.median - 50)} ms` : ''})`);
    }
  }
  for (const r of footprint.filter((x) => x.groups === 1 && x.impl !== 'keepalived' && x.agents)) {
    const members = (r.agents ?? []).filter((a) => a.node !== 'w');
    const rss = Math.max(...members.map((a) => a.rssMaxMiB));
    const cpu = Math.max(...members.map((a) => a.cpuPercent));
    out.push(`${verdict(rss <= 80)} RSS idle, 1 group: ${IMPL_LABEL[r.impl]} ${rss.toFixed(1)} MiB (target ≤ 80${rss > 80 ? `, over by ${(rss - 80).toFixed(1)}` : ''})`);
    out.push(`${verdict(cpu <= 1)} CPU idle, 1 group: ${IMPL_LABEL[r.impl]} ${cpu.toFixed(2)} % (target ≤ 1 %${cpu > 1 ? `, over by ${(cpu - 1).toFixed(2)} points` : ''})`);
  }
  return out;
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
