/**
 * Where the runtime and the adapters count things (drops by reason, role changes, provider
 * calls). The in-process registry (src/adapters/metrics-registry.ts) implements it; the HTTP API
 * (a later issue) renders that registry in the Prometheus text format.
 */
export type Labels = Readonly<Record<string, string>>;

export interface Metrics {
  /**
   * Adds `by` (default 1) to the counter `name` with `labels`, creating it at 0 first.
   * Never blocks, never throws; labels are copied, so the caller may reuse the object.
   */
  inc(name: string, labels?: Labels, by?: number): void;
  /** Sets the gauge `name` with `labels` to `value`. Idempotent; never blocks, never throws. */
  set(name: string, labels: Labels, value: number): void;
}
