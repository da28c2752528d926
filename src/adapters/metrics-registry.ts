/**
 * In-process Metrics: counters and gauges with labels, kept in a map. The HTTP API (a later
 * issue) renders them in the Prometheus text format; tests read them directly.
 */
import type { Labels, Metrics } from '../ports/metrics.js';

function key(name: string, labels: Labels): string {
  const parts = Object.keys(labels).sort().map((k) => `${k}=${JSON.stringify(labels[k])}`);
  return `${name}{${parts.join(',')}}`;
}

export class MetricsRegistry implements Metrics {
  private readonly values = new Map<string, { name: string; labels: Labels; value: number; kind: 'counter' | 'gauge' }>();

  inc(name: string, labels: Labels = {}, by = 1): void {
    const k = key(name, labels);
    const cur = this.values.get(k);
    if (cur) cur.value += by;
    else this.values.set(k, { name, labels: { ...labels }, value: by, kind: 'counter' });
  }

  set(name: string, labels: Labels, value: number): void {
    this.values.set(key(name, labels), { name, labels: { ...labels }, value, kind: 'gauge' });
  }

  /** Current value, 0 when never touched. */
  get(name: string, labels: Labels = {}): number {
    return this.values.get(key(name, labels))?.value ?? 0;
  }

  /** Sum over all label sets of `name` whose labels include `match`. */
  sum(name: string, match: Labels = {}): number {
    let total = 0;
    for (const v of this.values.values()) {
      if (v.name === name && Object.entries(match).every(([k, x]) => v.labels[k] === x)) total += v.value;
    }
    return total;
  }

  entries(): Array<{ name: string; labels: Labels; value: number; kind: 'counter' | 'gauge' }> {
    return [...this.values.values()];
  }
}
