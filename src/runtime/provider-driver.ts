/**
 * Drives one group's VipProvider toward what the election decided. The election never waits
 * for a provider: it states the desired outcome and this driver applies it, one call at a time,
 * aborting a call the election has superseded and retrying failures with capped backoff,
 * logging and counting each one: a failed cloud call is retried and reported, never dropped.
 * A master keeps asserting: a failed acquire is retried for as long as it stays master, and
 * while the provider confirms the VIP held, the reconcile loop re-reads it every
 * reassert interval and re-acquires (docs/providers.md "Reconcile loop"; issue 9: a move made
 * behind vipd's back is repaired within reassert_interval).
 *
 * Every request carries `fenced` (the group's terms are ordered across the cluster) and
 * `isCurrent()`: true while the decision it serves is still the driver's latest (for a release:
 * while the latest is any release) and the driver runs. A provider asks it right before it sends anything (providers/common/cloud-call.ts), so
 * a superseded decision never reaches the cloud (keepalived #100, #950).
 */
import type { Audit } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { ProviderError, type ErrorClass, type ProviderRequest, type StatusReport, type VipProvider } from '../ports/vip-provider.js';
import type { Metrics } from '../ports/metrics.js';

export interface Desired {
  readonly kind: 'held' | 'not-held';
  readonly term: number;
  readonly reason: string;
}

export interface RetryPolicy {
  readonly initialMs: number;
  readonly maxMs: number;
}

export const defaultRetry: RetryPolicy = { initialMs: 250, maxMs: 10_000 };

/** Group setting `reassert_interval` (docs/providers.md "Reconcile loop"). */
export const DEFAULT_REASSERT_INTERVAL_MS = 10_000;

export interface DriverOptions {
  /** ProviderRequest.fenced on every call: true for unicast groups (cluster-ordered terms). Default false. */
  readonly fenced?: boolean;
  /** While the VIP is confirmed held: re-read and re-assert it this often (default 10 s). */
  readonly reassertIntervalMs?: number;
  /** Uniform in [0, 1), for the retry jitter; injected so tests replay. Default Math.random. */
  readonly random?: () => number;
  /** Every call's outcome as an event (issue 11 §6 audit log). */
  readonly audit?: Audit;
}

/** Outcome of one reconcile pass (label `result` of vipd_provider_reconcile_total). */
export type ReconcileResult = 'ok' | 'repaired' | 'unknown' | 'error';

/**
 * How long to wait before retrying a decision after its `failures`-th failure in a row.
 * Throttled, transient and unclassified failures (a plain Error, a reset) back off
 * exponentially from `initialMs`, capped at `maxMs`, with "equal jitter" (AWS Architecture
 * Blog, "Exponential Backoff And Jitter"): between half the step and the step, so retries of
 * nodes that failed together spread out without losing the backoff. Auth, not-found and invalid
 * need a fix from outside (a permission, the config): retried only every `maxMs`.
 */
export function retryDelayMs(policy: RetryPolicy, errorClass: ErrorClass | undefined, failures: number, random: () => number): number {
  if (errorClass === 'auth' || errorClass === 'not-found' || errorClass === 'invalid') return policy.maxMs;
  const step = Math.min(policy.maxMs, policy.initialMs * 2 ** Math.max(0, failures - 1));
  return step - (step / 2) * random();
}

interface Inflight {
  readonly desired: Desired;
  readonly controller: AbortController;
  readonly done: Promise<void>;
}

export class ProviderDriver {
  private desired: Desired | undefined;
  /** Bumped on every new decision: a call serves the decision whose number it captured. */
  private decision = 0;
  private applied: Desired | undefined;
  private inflight: Inflight | undefined;
  private cancelRetry: (() => void) | undefined;
  private cancelReconcile: (() => void) | undefined;
  private failures = 0;
  /** The last decision a fenced refusal was logged for. */
  private refusedDecision: number | undefined;
  /** stop() began: no new reconcile pass. */
  private stopping = false;
  private stopped = false;
  private readonly fenced: boolean;
  private readonly reassertIntervalMs: number;
  private readonly random: () => number;
  private readonly audit: Audit | undefined;

  constructor(
    private readonly provider: VipProvider,
    private readonly group: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly retry: RetryPolicy = defaultRetry,
    /** Called when the provider confirmed a decision (leases relinquish on a release). */
    private readonly onApplied?: (d: Desired) => void,
    options: DriverOptions = {},
  ) {
    this.fenced = options.fenced ?? false;
    this.reassertIntervalMs = options.reassertIntervalMs ?? DEFAULT_REASSERT_INTERVAL_MS;
    this.random = options.random ?? Math.random;
    this.audit = options.audit;
  }

  /**
   * The election's latest decision. Supersedes (and aborts) an in-flight call for the opposite.
   * The same decision again (kind and term) keeps serving the calls already made for it.
   */
  want(d: Desired): void {
    if (this.stopped) return;
    if (!this.desired || !sameDecision(this.desired, d)) {
      this.desired = d;
      this.decision += 1;
      this.cancelReconcile?.();
      this.cancelReconcile = undefined;
    }
    if (this.inflight && this.inflight.desired.kind !== d.kind) this.inflight.controller.abort(new Error(`superseded: ${d.reason}`));
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.failures = 0;
    this.kick();
  }

  /** What the provider last confirmed (undefined until the first success and while a call runs). */
  get confirmed(): Desired | undefined {
    return this.applied;
  }

  /** Waits for the current call and the few it chains to (a decision that arrived meanwhile). */
  async idle(): Promise<void> {
    for (let i = 0; i < 3 && this.inflight; i++) await this.inflight.done;
  }

  /** Waits for the current call (and any it chains to) to finish; then stops retrying. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.cancelReconcile?.();
    this.cancelReconcile = undefined;
    await this.idle();
    this.stopped = true;
    this.cancelTimers();
  }

  /** A crash: abort the call in flight and never call the provider again. */
  halt(): void {
    this.stopping = true;
    this.stopped = true;
    this.inflight?.controller.abort(new Error('halted'));
    this.cancelTimers();
  }

  private cancelTimers(): void {
    this.cancelRetry?.();
    this.cancelRetry = undefined;
    this.cancelReconcile?.();
    this.cancelReconcile = undefined;
  }

  /**
   * Whether a call made for `decision` may still be sent. A release stays current while the
   * latest decision is any release: it makes the same change, and cutting it short for a newer
   * term would stretch the release past the bound R the leases count on (docs/leases.md; a
   * step-down says release at the held term, then at the adopted one, in one step).
   */
  private isCurrent(decision: number, op: 'acquire' | 'release'): boolean {
    if (this.stopped) return false;
    return this.decision === decision || (op === 'release' && this.desired?.kind === 'not-held');
  }

  private kick(): void {
    const d = this.desired;
    if (this.inflight || this.cancelRetry || !d) return;
    if (this.applied && sameDecision(this.applied, d)) return this.armReconcile();
    const op = d.kind === 'held' ? 'acquire' : 'release';
    this.run(d, (controller) => this.call(op, d, this.decision, controller, d.reason).then(() => undefined));
  }

  /** Makes `work` the call in flight; when it ends, the next step (a newer decision, a reconcile). */
  private run(d: Desired, work: (controller: AbortController) => Promise<void>): void {
    const controller = new AbortController();
    const done = work(controller).finally(() => {
      this.inflight = undefined;
      if (!this.stopped) this.kick();
    });
    this.inflight = { desired: d, controller, done };
  }

  /** Resolves true when the provider confirmed `d`. */
  private async call(op: 'acquire' | 'release', d: Desired, decision: number, controller: AbortController, reason: string): Promise<boolean> {
    const req: ProviderRequest = {
      term: d.term, reason, signal: controller.signal, fenced: this.fenced, isCurrent: () => this.isCurrent(decision, op),
    };
    // Once a call starts, what the provider holds is unknown until one succeeds: a failed or
    // aborted acquire may have bound the VIP, so the next decision must call it again even if
    // it equals the last one confirmed (found by the simulator, docs/architecture.md).
    this.applied = undefined;
    const started = this.clock.now();
    const audit = (outcome: 'ok' | 'error' | 'aborted' | 'fenced', err?: unknown) => this.audit?.record({
      type: 'provider', group: this.group, op, outcome, term: d.term, ms: Math.round(this.clock.now() - started),
      ...(err !== undefined ? { error: err instanceof Error ? err.message : String(err) } : {}),
    });
    try {
      await (op === 'acquire' ? this.provider.acquire(req) : this.provider.release(req));
      this.applied = d;
      this.failures = 0;
      this.onApplied?.(d);
      this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'ok' });
      audit('ok');
      return true;
    } catch (err) {
      if (controller.signal.aborted || !this.isCurrent(decision, op)) {
        // Superseded (a newer decision runs next) or stopped: nothing to retry.
        this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'aborted' });
        audit('aborted');
        return false;
      }
      const errorClass = err instanceof ProviderError ? err.errorClass : undefined;
      if (errorClass === 'fenced') {
        audit('fenced', err);
        this.refused(op, d, err);
        return false;
      }
      this.failures += 1;
      const delay = retryDelayMs(this.retry, errorClass, this.failures, this.random);
      this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'error' });
      audit('error', err);
      this.logger.error(
        { err, op, term: d.term, attempt: this.failures, retryInMs: Math.round(delay), errorClass: errorClass ?? 'unclassified' },
        `${this.provider.kind} provider ${op} failed (attempt ${this.failures}); retrying in ${Math.round(delay)} ms`,
      );
      this.scheduleRetry(delay);
      return false;
    }
  }

  /**
   * The provider refused to send: a node with a higher, fresh term holds the resource
   * (providers/common/fence.ts). Not retried with backoff: the election will most likely hear
   * that master and decide again. But that master may be dead while we never heard its term
   * (we were cut off when it took over): its record goes stale after FENCE_TTL_FACTOR
   * reassert intervals, so the decision is re-checked once per reassert interval, or the VIP
   * would stay on nobody.
   */
  private refused(op: 'acquire' | 'release', d: Desired, err: unknown): void {
    this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'fenced' });
    // One warning per decision; the re-checks that are refused again are counted, at debug.
    const first = this.refusedDecision !== this.decision;
    this.refusedDecision = this.decision;
    this.logger[first ? 'warn' : 'debug'](
      { err, op, term: d.term, recheckInMs: this.reassertIntervalMs },
      `${this.provider.kind} provider ${op} at term ${d.term} refused by the fence (${err instanceof Error ? err.message : String(err)}); not retrying, re-checking in ${this.reassertIntervalMs} ms unless a newer decision comes first`,
    );
    this.scheduleRetry(this.reassertIntervalMs);
  }

  private scheduleRetry(delay: number): void {
    if (this.stopped) return;
    this.cancelRetry = this.clock.schedule(this.clock.now() + delay, () => {
      this.cancelRetry = undefined;
      this.kick();
    });
  }

  /** While the confirmed decision is held and nothing else is pending: the next reconcile pass. */
  private armReconcile(): void {
    const a = this.applied;
    if (this.stopping || this.cancelReconcile || this.inflight || this.cancelRetry || a?.kind !== 'held') return;
    const decision = this.decision;
    this.cancelReconcile = this.clock.schedule(this.clock.now() + this.reassertIntervalMs, () => {
      this.cancelReconcile = undefined;
      const d = this.desired;
      // Only the confirmed, still-current held decision is re-asserted; never over another call.
      if (this.stopping || this.inflight || this.cancelRetry || !d || !this.isCurrent(decision, 'acquire') || d.kind !== 'held') return;
      if (!this.applied || !sameDecision(this.applied, d)) return;
      this.run(d, (controller) => this.reconcile(d, decision, controller));
    });
  }

  /**
   * One reconcile pass: read the provider's state; when it is not held, say what was seen; then
   * acquire again with the same term (idempotent when held, and it refreshes the cloud fence
   * record). A failed acquire goes the normal retry path.
   */
  private async reconcile(d: Desired, decision: number, controller: AbortController): Promise<void> {
    let report: StatusReport;
    try {
      report = await this.provider.status(controller.signal);
    } catch (err) {
      // status() must not throw (src/ports/vip-provider.ts); if it does, re-assert anyway.
      report = { status: 'unknown', detail: `status failed: ${err instanceof Error ? err.message : String(err)}` };
    }
    if (controller.signal.aborted || !this.isCurrent(decision, 'acquire')) return;
    const seen = `${report.status}${report.holder ? ` (holder ${report.holder})` : ''}${report.detail ? `: ${report.detail}` : ''}`;
    if (report.status !== 'held') {
      this.logger.warn(
        { term: d.term, status: report.status, holder: report.holder, detail: report.detail },
        `${this.provider.kind} provider: VIP should be held at term ${d.term} but status is ${seen}; re-acquiring`,
      );
    } else {
      this.logger.debug({ term: d.term }, `${this.provider.kind} provider: reconcile found ${seen}; re-asserting`);
    }
    const ok = await this.call('acquire', d, decision, controller, 'reassert');
    if (!ok && (controller.signal.aborted || !this.isCurrent(decision, 'acquire'))) return;
    const result: ReconcileResult = !ok ? 'error' : report.status === 'held' ? 'ok' : report.status === 'not-held' ? 'repaired' : 'unknown';
    this.metrics.inc('vipd_provider_reconcile_total', { group: this.group, result });
  }
}

function sameDecision(a: Desired, b: Desired): boolean {
  return a.kind === b.kind && a.term === b.term;
}
