/**
 * `/metrics` (docs/api.md): the in-process registry rendered in the Prometheus text format by
 * prom-client, with prom-client's process and Node.js metrics (nodejs_eventloop_lag_seconds is
 * the event-loop lag). Counters and gauges are copied into a fresh prom-client registry at each
 * scrape, because their label sets are only known as they are used; histograms are observed
 * into prom-client as they happen (it keeps their buckets). Every name in METRIC_NAMES has its
 * HELP and TYPE lines from the first scrape, sampled or not, so a dashboard can name it at once.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { METRIC_NAMES, type Labels, type MetricName } from '../ports/metrics.js';
import { HISTOGRAM_BUCKETS, MetricsRegistry } from './metrics-registry.js';

/** The Prometheus type of a metric, by the naming rule docs/metrics.md follows. */
export function metricKind(name: MetricName): 'counter' | 'gauge' | 'histogram' {
  if (name.endsWith('_total')) return 'counter';
  if (name.endsWith('_seconds')) return 'histogram';
  return 'gauge';
}

const help = (name: MetricName) => `vipd ${name.replace(/^vipd_/, '').replaceAll('_', ' ')} (docs/metrics.md)`;

/** Every label in `names`, missing ones as "" (Prometheus treats an empty label as absent). */
function filled(labels: Labels, names: readonly string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, labels[n] ?? '']));
}

export class PromMetrics extends MetricsRegistry {
  private readonly persistent = new Registry();
  private readonly promHistograms = new Map<MetricName, { h: Histogram; labelNames: string[] }>();

  constructor() {
    super();
    collectDefaultMetrics({ register: this.persistent });
  }

  override observe(name: MetricName, labels: Labels, value: number): void {
    super.observe(name, labels, value);
    try {
      let entry = this.promHistograms.get(name);
      if (!entry) {
        const labelNames = Object.keys(labels).sort();
        entry = { h: new Histogram({ name, help: help(name), labelNames, buckets: [...HISTOGRAM_BUCKETS], registers: [this.persistent] }), labelNames };
        this.promHistograms.set(name, entry);
      }
      entry.h.observe(filled(labels, entry.labelNames), value);
    } catch {
      // Metrics never throw (src/ports/metrics.ts); the in-process copy above still has it.
    }
  }

  /** The text format and its content type, for the HTTP response. */
  async render(): Promise<{ contentType: string; body: string }> {
    const fresh = new Registry();
    const entries = this.entries();
    for (const name of METRIC_NAMES) {
      const kind = metricKind(name);
      if (kind === 'histogram') {
        if (!this.promHistograms.has(name)) new Histogram({ name, help: help(name), buckets: [...HISTOGRAM_BUCKETS], registers: [fresh] });
        continue;
      }
      const samples = entries.filter((e) => e.name === name);
      const labelNames = [...new Set(samples.flatMap((s) => Object.keys(s.labels)))].sort();
      const metric = kind === 'counter'
        ? new Counter({ name, help: help(name), labelNames, registers: [fresh] })
        : new Gauge({ name, help: help(name), labelNames, registers: [fresh] });
      for (const s of samples) {
        const l = filled(s.labels, labelNames);
        if (metric instanceof Counter) metric.inc(l, Math.max(0, s.value));
        else metric.set(l, s.value);
      }
    }
    const merged = Registry.merge([this.persistent, fresh]);
    return { contentType: merged.contentType, body: await merged.metrics() };
  }
}
