/**
 * deploy/grafana/vipd.json, the Grafana dashboard: every metric its queries name exists
 * (METRIC_NAMES, or a prom-client default metric), it shows the metrics an operator needs
 * (REQUIRED), and the panels and variables are well formed. A renamed or removed metric fails
 * here instead of leaving an empty panel nobody notices.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { METRIC_NAMES } from '../../../src/ports/metrics.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const text = readFileSync(join(root, 'deploy/grafana/vipd.json'), 'utf8');

interface Target { expr?: string }
interface Panel { id?: number; title?: string; type?: string; targets?: Target[]; panels?: Panel[]; fieldConfig?: { defaults?: { mappings?: Mapping[] } } }
interface Mapping { type: string; options: Record<string, { text: string }> }
interface Variable { name: string; type: string; query?: string | { query: string }; definition?: string }
interface Dashboard { uid: string; title: string; schemaVersion: number; panels: Panel[]; templating: { list: Variable[] }; __inputs?: { name: string }[] }
const dash = JSON.parse(text) as Dashboard;

/** prom-client's collectDefaultMetrics() names (node_modules/prom-client/lib/metrics): vipd does not own them, so they are not in METRIC_NAMES. */
const DEFAULT_METRICS = [
  'process_cpu_user_seconds_total', 'process_cpu_system_seconds_total', 'process_cpu_seconds_total', 'process_start_time_seconds',
  'process_resident_memory_bytes', 'process_virtual_memory_bytes', 'process_heap_bytes', 'process_open_fds', 'process_max_fds',
  'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_min_seconds', 'nodejs_eventloop_lag_max_seconds', 'nodejs_eventloop_lag_mean_seconds',
  'nodejs_eventloop_lag_stddev_seconds', 'nodejs_eventloop_lag_p50_seconds', 'nodejs_eventloop_lag_p90_seconds', 'nodejs_eventloop_lag_p99_seconds',
  'nodejs_active_resources', 'nodejs_active_resources_total', 'nodejs_active_handles', 'nodejs_active_handles_total',
  'nodejs_active_requests', 'nodejs_active_requests_total', 'nodejs_heap_size_total_bytes', 'nodejs_heap_size_used_bytes',
  'nodejs_external_memory_bytes', 'nodejs_gc_duration_seconds', 'nodejs_version_info',
];
const KNOWN = new Set<string>([...METRIC_NAMES, ...DEFAULT_METRICS]);

/** The histograms: only these may be queried with a _bucket/_sum/_count suffix (so `vipd_role_count` is not accepted as vipd_role). */
const HISTOGRAMS = new Set(['vipd_check_seconds', 'vipd_provider_api_seconds', 'nodejs_gc_duration_seconds']);

/** What the dashboard must show somewhere (the brief's rows); a dropped panel fails here. */
const REQUIRED = [
  'vipd_role', 'vipd_priority', 'vipd_term', 'vipd_transitions_total', 'vipd_adverts_sent_total', 'vipd_adverts_received_total',
  'vipd_adverts_dropped_total', 'vipd_peer_frames_dropped_total', 'vipd_vrrp_dropped_total', 'vipd_bfd_dropped_total',
  'vipd_membership_messages_dropped_total', 'vipd_members', 'vipd_bfd_session_state', 'vipd_check_up', 'vipd_check_results_total',
  'vipd_check_seconds', 'vipd_provider_calls_total', 'vipd_provider_api_calls_total', 'vipd_provider_api_seconds',
  'vipd_provider_fenced_total', 'vipd_dual_master_total', 'vipd_advert_signatures_total', 'nodejs_eventloop_lag_seconds',
];

/**
 * The metric names in a PromQL expression, histogram suffixes stripped. String literals are cut
 * first: a label value such as job="vipd_agent" is not a metric.
 */
function metricsIn(expr: string): string[] {
  const bare = expr.replace(/"(?:[^"\\]|\\.)*"/g, '""');
  return [...bare.matchAll(/\b(?:vipd|nodejs|process)_[a-z0-9_]+/g)].map(([name]) => {
    const base = name.replace(/_(?:bucket|sum|count)$/, '');
    return HISTOGRAMS.has(base) ? base : name;
  });
}

const unknownIn = (expr: string): string[] => metricsIn(expr).filter((n) => !KNOWN.has(n));

/** Every panel, rows and the panels inside collapsed rows included. */
const allPanels = (list: Panel[]): Panel[] => list.flatMap((p) => [p, ...allPanels(p.panels ?? [])]);
const panels = allPanels(dash.panels);
const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));
const variableQuery = (v: Variable): string => (typeof v.query === 'string' ? v.query : v.query?.query ?? '');
const variables = new Map(dash.templating.list.map((v) => [v.name, v]));

describe('deploy/grafana/vipd.json', () => {
  it('is the vipd dashboard', () => {
    assert.equal(dash.uid, 'vipd-overview');
    assert.equal(dash.title, 'vipd');
    assert.ok(dash.schemaVersion >= 36 && dash.schemaVersion <= 41, `schemaVersion ${dash.schemaVersion}`);
  });

  it('the extractor finds metrics and refuses an unknown one (so the next test can fail)', () => {
    const expr = 'histogram_quantile(0.99, sum by (le) (rate(vipd_check_seconds_bucket{job="vipd_agent"}[5m]))) + vipd_nonexistent_total + vipd_role_count';
    assert.deepEqual(metricsIn(expr), ['vipd_check_seconds', 'vipd_nonexistent_total', 'vipd_role_count']);
    assert.deepEqual(unknownIn(expr), ['vipd_nonexistent_total', 'vipd_role_count']);
  });

  it('queries only metrics that exist', () => {
    assert.ok(exprs.length > 20, `${exprs.length} queries`);
    assert.deepEqual(exprs.filter((e) => e === ''), [], 'every target has an expr');
    const unknown = [...exprs, ...dash.templating.list.map(variableQuery)].flatMap(unknownIn);
    assert.deepEqual([...new Set(unknown)], [], 'not in METRIC_NAMES (src/ports/metrics.ts) nor a prom-client default');
  });

  it('shows every required metric', () => {
    const used = new Set(exprs.flatMap(metricsIn));
    assert.deepEqual(REQUIRED.filter((n) => !used.has(n)), []);
    // The histograms as latencies, not just counts.
    for (const h of ['vipd_check_seconds', 'vipd_provider_api_seconds']) {
      assert.ok(exprs.some((e) => e.includes('histogram_quantile(') && e.includes(`${h}_bucket`)), h);
    }
    // The split-brain stat: more than one Master per group across instances.
    assert.ok(exprs.some((e) => /count by \(group\) \(vipd_role(\{[^}]*\})? == 2\) > 1/.test(e)), 'two-masters query');
  });

  it('names the roles 0-3 in the role panel', () => {
    const role = panels.find((p) => p.targets?.some((t) => /\bvipd_role\{/.test(t.expr ?? '') && !(t.expr ?? '').includes('== 2')));
    const texts = Object.fromEntries(Object.entries(role?.fieldConfig?.defaults?.mappings?.[0]?.options ?? {}).map(([k, v]) => [k, v.text]));
    assert.deepEqual(texts, { 0: 'Initialize', 1: 'Backup', 2: 'Master', 3: 'Fault' });
  });

  it('every panel has a title and a unique id', () => {
    assert.deepEqual(panels.filter((p) => !p.title?.trim()).map((p) => p.id), []);
    const ids = panels.map((p) => p.id);
    assert.ok(ids.every((id) => Number.isInteger(id)), 'integer ids');
    assert.equal(new Set(ids).size, ids.length, `duplicate ids in ${ids.join(',')}`);
  });

  it('its README names only metrics that exist', () => {
    const readme = readFileSync(join(root, 'deploy/grafana/README.md'), 'utf8');
    assert.deepEqual([...new Set(unknownIn(readme.replace(/"/g, '')))], []);
  });

  it('defines every variable it references', () => {
    assert.equal(variables.get('datasource')?.type, 'datasource');
    assert.equal(variableQuery(variables.get('datasource')!), 'prometheus');
    assert.equal(variableQuery(variables.get('instance')!), 'label_values(vipd_role, instance)');
    assert.equal(variableQuery(variables.get('group')!), 'label_values(vipd_role{instance=~"$instance"}, group)');
    // $name and ${name} anywhere outside __inputs; $__rate_interval and the like are Grafana's own.
    const { __inputs: inputs = [], ...rest } = dash;
    const referenced = new Set([...JSON.stringify(rest).matchAll(/\$\{?(\w+)/g)].map((m) => m[1]!).filter((n) => !n.startsWith('__')));
    for (const name of ['instance', 'group', 'datasource']) assert.ok(referenced.has(name), `$${name} is used`);
    const defined = new Set([...variables.keys(), ...inputs.map((i) => i.name)]);
    assert.deepEqual([...referenced].filter((n) => !defined.has(n)), []);
  });
});
