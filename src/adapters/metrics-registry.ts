/**
 * In-process Metrics: counters and gauges with labels, kept in a map. `vipd run` renders them
 * at /metrics through prom-client (prom-exporter.ts); tests and the simulator read them
 * directly. docs/metrics.md lists them.
 */
import type { Labels, MetricName, Metrics } from '../ports/metrics.js';

function key(name: MetricName, labels: Labels): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

/** Upper bounds (seconds) of the histogram buckets: cloud calls take milliseconds to tens of seconds. */
export const HISTOGRAM_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30] as const;

export interface HistogramValue {
  readonly name: MetricName;
  readonly labels: Labels;
  count: number;
  sum: number;
  /** Observations at or below HISTOGRAM_BUCKETS[i] (cumulative, as Prometheus exposes them). */
  readonly buckets: number[];
}

export class MetricsRegistry implements Metrics {
  private readonly values = new Map<string, { name: MetricName; labels: Labels; value: number; kind: 'counter' | 'gauge' }>();
  private readonly histograms = new Map<string, HistogramValue>();

  inc(name: MetricName, labels: Labels = {}, by = 1): void {
    const k = key(name, labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { name, labels: { ...labels }, value: by, kind: 'counter' });
  }

  set(name: MetricName, labels: Labels, value: number): void {
    this.values.set(key(name, labels), { name, labels: { ...labels }, value, kind: 'gauge' });
  }

  observe(name: MetricName, labels: Labels, value: number): void {
    const k = key(name, labels);
    let h = this.histograms.get(k);
    if (!h) {
      h = { name, labels: { ...labels }, count: 0, sum: 0, buckets: HISTOGRAM_BUCKETS.map(() => 0) };
      this.histograms.set(k, h);
    }
    h.count += 1;
    h.sum += value;
    HISTOGRAM_BUCKETS.forEach((le, i) => {
      if (value <= le) h.buckets[i] = (h.buckets[i] ?? 0) + 1;
    });
  }

  /** The histogram `name` with exactly `labels`, undefined when never observed. */
  histogram(name: MetricName, labels: Labels = {}): HistogramValue | undefined {
    return this.histograms.get(key(name, labels));
  }

  histogramEntries(): HistogramValue[] {
    return [...this.histograms.values()];
  }

  /** Current value, 0 when never touched. */
  get(name: MetricName, labels: Labels = {}): number {
    return this.values.get(key(name, labels))?.value ?? 0;
  }

  /** Sum over all label sets of `name` whose labels include `match`. */
  sum(name: MetricName, match: Labels = {}): number {
    let total = 0;
    for (const v of this.values.values()) {
      if (v.name === name && Object.entries(match).every(([k, x]) => v.labels[k] === x)) total += v.value;
    }
    return total;
  }

  entries(): Array<{ name: MetricName; labels: Labels; value: number; kind: 'counter' | 'gauge' }> {
    return [...this.values.values()];
  }
}
