/**
 * In-process Metrics: counters and gauges with labels, kept in a map. Nothing exports them yet
 * (no metrics endpoint: the HTTP API of a later issue will render them in the Prometheus text
 * format); tests and the simulator read them directly. docs/metrics.md lists them.
 */
import type { Labels, MetricName, Metrics } from '../ports/metrics.js';

function key(name: MetricName, labels: Labels): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

export class MetricsRegistry implements Metrics {
  private readonly values = new Map<string, { name: MetricName; labels: Labels; value: number; kind: 'counter' | 'gauge' }>();

  inc(name: MetricName, labels: Labels = {}, by = 1): void {
    const k = key(name, labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { name, labels: { ...labels }, value: by, kind: 'counter' });
  }

  set(name: MetricName, labels: Labels, value: number): void {
    this.values.set(key(name, labels), { name, labels: { ...labels }, value, kind: 'gauge' });
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
