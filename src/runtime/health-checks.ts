/**
 * Runs the health checks and feeds their verdicts to the groups that track them (issue 11 §1,
 * docs/health-checks.md). Each check runs at once at start and then every `intervalMs` from the
 * start of its previous run; a run never overlaps the previous one (a slow check skips a tick,
 * counted). A run that has not answered by `timeoutMs` is aborted (an `exec` probe kills its
 * process group) and counts as a failure. Results go through the pure state of
 * src/core/health/check.ts; the groups' weights and faults come from src/core/health/weights.ts
 * and reach each election as HealthWeightChanged, FaultRaised and FaultCleared. Nothing here
 * blocks the event loop: probes are asynchronous and the election only hears their outcome.
 */
import { initialCheck, stepCheck, type CheckParams, type CheckResult, type CheckState } from '../core/health/check.js';
import { checkFault, trackedHealth, type Track } from '../core/health/weights.js';
import type { Clock } from '../ports/clock.js';
import type { HealthProbe } from '../ports/health-probe.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { Audit } from '../ports/audit.js';

export interface HealthCheckSpec {
  readonly params: CheckParams;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly probe: HealthProbe;
}

/** What a tracking group's election offers (InstanceRunner). */
export interface HealthTarget {
  readonly group: string;
  readonly tracks: readonly Track[];
  setHealthWeight(weight: number): void;
  raiseFault(resource: string, reason?: string): void;
  clearFault(resource: string): void;
}

export interface HealthChecksOptions {
  readonly checks: readonly HealthCheckSpec[];
  targets: readonly HealthTarget[];
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** Status changes as events (src/runtime/event-log.ts). */
  readonly audit?: Audit;
}

interface Running {
  readonly spec: HealthCheckSpec;
  state: CheckState;
  cancelTimer?: () => void;
  inflight?: AbortController;
}

export class HealthChecks {
  private readonly checks = new Map<string, Running>();
  private readonly applied = new Map<string, { weight: number; faults: ReadonlySet<string> }>();
  private stopped = false;

  constructor(private readonly opts: HealthChecksOptions) {
    for (const spec of opts.checks) this.checks.set(spec.params.name, { spec, state: initialCheck(spec.params) });
  }

  /** Applies the initial verdicts (a check not run yet is not OK), then runs every check. */
  start(): void {
    this.apply();
    for (const c of this.checks.values()) this.tick(c);
  }

  /** Cancels every timer and aborts every run in flight. */
  stop(): void {
    this.stopped = true;
    for (const c of this.checks.values()) {
      c.cancelTimer?.();
      c.inflight?.abort(new Error('stopping'));
    }
  }

  /** Every check's state, for status (vipctl, the API). */
  states(): ReadonlyMap<string, CheckState> {
    return new Map([...this.checks].map(([name, c]) => [name, c.state]));
  }

  private tick(c: Running): void {
    if (this.stopped) return;
    const { clock } = this.opts;
    const started = clock.now();
    c.cancelTimer = clock.schedule(started + c.spec.intervalMs, () => this.tick(c));
    if (c.inflight) {
      // The previous run is still going (it has until its timeout): never two at once.
      this.opts.metrics.inc('vipd_check_skipped_total', { check: c.spec.params.name });
      return;
    }
    void this.runOnce(c, started);
  }

  private async runOnce(c: Running, started: number): Promise<void> {
    const { clock, metrics } = this.opts;
    const name = c.spec.params.name;
    const controller = new AbortController();
    c.inflight = controller;
    const timeout = c.spec.timeoutMs;
    const cancelTimeout = clock.schedule(started + timeout, () => controller.abort(new Error(`timed out after ${timeout} ms`)));
    let outcome: { ok: boolean; detail: string; value?: number };
    try {
      outcome = await c.spec.probe.run(controller.signal);
      if (controller.signal.aborted) outcome = { ok: false, detail: abortDetail(controller.signal) };
    } catch (err) {
      outcome = { ok: false, detail: controller.signal.aborted ? abortDetail(controller.signal) : err instanceof Error ? err.message : String(err) };
    } finally {
      cancelTimeout();
      c.inflight = undefined;
    }
    if (this.stopped) return;
    const at = clock.now();
    const result: CheckResult = { ...outcome, at, durationMs: at - started };
    metrics.inc('vipd_check_results_total', { check: name, result: outcome.ok ? 'success' : 'failure' });
    metrics.observe('vipd_check_seconds', { check: name }, result.durationMs / 1000);
    const r = stepCheck(c.state, result);
    c.state = r.state;
    if (r.changed) {
      const level = r.changed.to === 'ok' ? 'info' : 'warn';
      this.opts.logger[level]({ check: name, from: r.changed.from, to: r.changed.to, detail: outcome.detail }, `check ${name}: ${r.changed.from} -> ${r.changed.to} (${outcome.detail})`);
      metrics.set('vipd_check_up', { check: name }, r.changed.to === 'ok' ? 1 : 0);
      this.opts.audit?.record({ type: 'check', check: name, status: r.changed.to, detail: outcome.detail });
    }
    this.apply();
  }

  /** Each target's weight and faults from the checks' states now; only changes are sent. */
  /**
   * A reload added or removed groups: `targets` replaces the list; the groups in `fresh` are new
   * runners (a changed group is a new one), so what they were told is forgotten and told again.
   */
  setTargets(targets: readonly HealthTarget[], fresh: readonly string[] = []): void {
    this.opts.targets = targets;
    const names = new Set(targets.map((t) => t.group));
    for (const g of [...this.applied.keys()]) if (!names.has(g) || fresh.includes(g)) this.applied.delete(g);
    if (!this.stopped) this.apply();
  }

  private apply(): void {
    const states = this.states();
    for (const t of this.opts.targets) {
      const h = trackedHealth(t.tracks, states);
      const before = this.applied.get(t.group) ?? { weight: 0, faults: new Set<string>() };
      const faults = new Set(h.faults);
      for (const f of faults) {
        if (before.faults.has(f)) continue;
        const check = t.tracks.find((k) => checkFault(k.check) === f)?.check ?? '';
        const last = states.get(check)?.history.at(-1);
        t.raiseFault(f, last ? `check ${check} failing (${last.detail})` : `check ${check} has not run yet`);
      }
      for (const f of before.faults) if (!faults.has(f)) t.clearFault(f);
      if (h.weight !== before.weight) t.setHealthWeight(h.weight);
      this.applied.set(t.group, { weight: h.weight, faults });
    }
  }
}

function abortDetail(signal: AbortSignal): string {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason.message : 'aborted';
}
