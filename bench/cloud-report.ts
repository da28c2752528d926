/**
 * The cloud phase's table and its check against issue 9's goals. Pure: records in, text out.
 * Goals: decision → first request ≤ 20 ms (in every run: "the first request leaves within
 * 20 ms of the decision"); fault → first AssociateAddress ≤ 0.1 × keepalived with the CLI
 * (medians, the same runs).
 */
import type { CloudTimes } from './cloud-measure.js';
import { CLOUD_SCENARIOS, CLOUD_SIDE_LABEL, CLOUD_SIDES, type CloudRecord, type CloudScenario, type CloudSide } from './cloud-record.js';
import { cell, fmt, times, verdict, type Table } from './report.js';
import { ratio, summarize, type Summary } from './stats.js';

export const DECISION_GOAL_MS = 20;
export const FAULT_GOAL_RATIO = 0.1;

const METRICS: ReadonlyArray<{ label: string; pick: (t: CloudTimes) => number | undefined; goal?: string; digits?: number }> = [
  { label: 'fault → first request', pick: (t) => t.firstRequestMs },
  { label: 'fault → AssociateAddress', pick: (t) => t.firstAssociateMs, goal: `vipd ≤ ${FAULT_GOAL_RATIO}× ka` },
  { label: 'fault → address on b', pick: (t) => t.visibleMs },
  { label: 'fault → b master', pick: (t) => t.masterMs },
  { label: 'fault → b decides to take it', pick: (t) => t.decisionMs },
  { label: 'decision → first request', pick: (t) => t.decisionToRequestMs, goal: `vipd ≤ ${DECISION_GOAL_MS} ms`, digits: 1 },
  { label: 'decision → AssociateAddress', pick: (t) => t.decisionToAssociateMs, digits: 1 },
];

function of(records: readonly CloudRecord[], impl: CloudSide, scenario: CloudScenario): CloudRecord[] {
  return records.filter((r) => r.impl === impl && r.scenario === scenario);
}

function summary(records: readonly CloudRecord[], impl: CloudSide, scenario: CloudScenario, pick: (t: CloudTimes) => number | undefined): Summary | undefined {
  return summarize(of(records, impl, scenario).filter((r) => !r.error && r.times).map((r) => pick(r.times as CloudTimes)));
}

export function cloudTable(records: readonly CloudRecord[], runs: number): Table {
  const sides = CLOUD_SIDES.filter((s) => records.some((r) => r.impl === s));
  const both = sides.length === 2;
  const latency = records[0]?.latencyMs;
  const header = ['scenario', 'metric', ...sides.map((s) => CLOUD_SIDE_LABEL[s]), ...(both ? ['÷ka'] : []), 'goal'];
  const rows: string[][] = [];
  for (const scenario of CLOUD_SCENARIOS) {
    if (!records.some((r) => r.scenario === scenario)) continue;
    METRICS.forEach((m, i) => {
      const s = sides.map((side) => summary(records, side, scenario, m.pick));
      rows.push([i === 0 ? scenario : '', m.label, ...s.map((x) => cell(x, m.digits ?? 0)), ...(both ? [times(ratio(s[1], s[0]))] : []), m.goal ?? '']);
    });
    rows.push(['', 'requests after the fault (a / b)', ...sides.map((side) => {
      const rs = of(records, side, scenario).filter((r) => r.times);
      const med = (node: string) => fmt(summarize(rs.map((r) => r.times?.requestsAfter[node] ?? 0))?.median);
      return `${med('a')} / ${med('b')}`;
    }), ...(both ? [''] : []), '']);
    rows.push(['', 'new connections by b after the fault', ...sides.map((side) => {
      const rs = of(records, side, scenario).filter((r) => r.connectionsAfterFault);
      return fmt(summarize(rs.map((r) => r.connectionsAfterFault?.b))?.median);
    }), ...(both ? [''] : []), '']);
    rows.push(['', 'bench event-loop delay p99 / max', ...sides.map((side) => {
      const rs = of(records, side, scenario).filter((r) => r.benchLoopDelayMs);
      if (rs.length === 0) return '-';
      return `${fmt(summarize(rs.map((r) => r.benchLoopDelayMs?.p99))?.median, 1)} / ${fmt(Math.max(...rs.map((r) => r.benchLoopDelayMs?.max ?? 0)), 1)}`;
    }), ...(both ? [''] : []), '']);
    rows.push(['', 'failed runs', ...sides.map((side) => {
      const rs = of(records, side, scenario);
      return `${rs.filter((r) => r.error).length}/${rs.length}`;
    }), ...(both ? [''] : []), '']);
  }
  return {
    title: `Cloud failover: Elastic IP, 100 ms adverts, EC2 API latency ${latency ?? '-'} ms`,
    notes: [
      'keepalived 2.2.7 VRRPv3 with unicast_peer, notify_master runs Debian\'s aws CLI: `aws ec2 associate-address --allocation-id … --network-interface-id … --allow-reassociation --endpoint-url … --region …`',
      'vipd unicast (members a, b + witness w, quorum majority) with `provider: { type: aws, mode: eip }` (SDK v3, validated and warm before the fault; a fenced takeover reads the address and writes its fence tag before AssociateAddress: DescribeAddresses, CreateTags, AssociateAddress)',
      `both against the same strict EC2 fake (test/fakes/ec2) in the bench process, ${latency ?? '-'} ms added to every request; each node reaches it at 127.0.0.1 inside its own namespace and signs with its own key`,
      'agent-crash: SIGKILL of a\'s agent (keepalived: both processes); graceful-stop: SIGTERM; times from the fault to the request\'s arrival at the fake, and to the fake\'s state showing the address on b\'s ENI',
      'decision: vipd b\'s log line that issues AcquireVip — "lease granted by 2 of 3 voters: taking the VIP", after the role change once the voters\' promises to a lapse or a relinquishes (docs/leases.md) — by its own time (pino, ±1 ms on the bench\'s clock); keepalived b\'s "Entering MASTER STATE" line (notify_master starts then) as it reached the bench',
      'the fake runs in the bench process: a request\'s arrival can be read late by up to the bench\'s event-loop delay (row "bench event-loop delay": median of the runs\' p99, and the largest delay seen), so every time is an upper bound by about that much',
      `${runs} runs per cell, the sides alternating run by run; cells: median (min-max); ÷ka = vipd median ÷ keepalived median`,
    ],
    header,
    rows,
  };
}

/** The issue's two goals for the cloud phase, each met or missed with the margin. */
export function cloudTargetLines(records: readonly CloudRecord[]): string[] {
  const out: string[] = [];
  for (const scenario of CLOUD_SCENARIOS) {
    const v = summary(records, 'vipd-unicast', scenario, (t) => t.firstAssociateMs);
    const ka = summary(records, 'keepalived', scenario, (t) => t.firstAssociateMs);
    const x = ratio(v, ka);
    if (v && ka && x !== undefined) {
      const by = x <= FAULT_GOAL_RATIO ? '' : `, over by ${fmt(v.median - FAULT_GOAL_RATIO * ka.median)} ms`;
      out.push(`${verdict(x <= FAULT_GOAL_RATIO)} cloud ${scenario}: vipd fault → AssociateAddress ${fmt(v.median)} ms = ${x.toFixed(2)} × keepalived + CLI ${fmt(ka.median)} ms (goal ≤ ${FAULT_GOAL_RATIO}×${by})`);
    }
    const d = summary(records, 'vipd-unicast', scenario, (t) => t.decisionToRequestMs);
    if (d) {
      out.push(`${verdict(d.max <= DECISION_GOAL_MS)} cloud ${scenario}: vipd decision → first request median ${fmt(d.median, 1)} ms, max ${fmt(d.max, 1)} ms over ${d.n} runs (goal ≤ ${DECISION_GOAL_MS} ms in every run${d.max > DECISION_GOAL_MS ? `, over by ${fmt(d.max - DECISION_GOAL_MS, 1)} ms` : ''})`);
    }
  }
  return out;
}
