/**
 * Drives one group's VipProvider toward what the election decided. The election never waits
 * for a provider: it states the desired outcome and this driver applies it, one call at a time,
 * aborting a call the election has superseded and retrying failures with capped backoff,
 * logging and counting each one: a failed cloud call is retried and reported, never dropped.
 * A master keeps asserting: a failed acquire is retried for as long as it stays master.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { ProviderError, type VipProvider } from '../ports/vip-provider.js';
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

export class ProviderDriver {
  private desired: Desired | undefined;
  private applied: Desired | undefined;
  private inflight: { desired: Desired; controller: AbortController; done: Promise<void> } | undefined;
  private cancelRetry: (() => void) | undefined;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly provider: VipProvider,
    private readonly group: string,
    private readonly clock: Clock,
    private readonly logger: Logger,
    private readonly metrics: Metrics,
    private readonly retry: RetryPolicy = defaultRetry,
    /** Called when the provider confirmed a decision (leases relinquish on a release). */
    private readonly onApplied?: (d: Desired) => void,
  ) {}

  /** The election's latest decision. Supersedes (and aborts) an in-flight call for the opposite. */
  want(d: Desired): void {
    if (this.stopped) return;
    this.desired = d;
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
    await this.idle();
    this.stopped = true;
    this.cancelRetry?.();
    this.cancelRetry = undefined;
  }

  /** A crash: abort the call in flight and never call the provider again. */
  halt(): void {
    this.stopped = true;
    this.inflight?.controller.abort(new Error('halted'));
    this.cancelRetry?.();
    this.cancelRetry = undefined;
  }

  private kick(): void {
    const d = this.desired;
    if (this.inflight || this.cancelRetry || !d) return;
    if (this.applied && this.applied.kind === d.kind && this.applied.term === d.term) return;
    const controller = new AbortController();
    const op = d.kind === 'held' ? 'acquire' : 'release';
    const done = this.call(op, d, controller).finally(() => {
      this.inflight = undefined;
      if (!this.stopped) this.kick();
    });
    this.inflight = { desired: d, controller, done };
  }

  private async call(op: 'acquire' | 'release', d: Desired, controller: AbortController): Promise<void> {
    const req = { term: d.term, reason: d.reason, signal: controller.signal };
    // Once a call starts, what the provider holds is unknown until one succeeds: a failed or
    // aborted acquire may have bound the VIP, so the next decision must call it again even if
    // it equals the last one confirmed (found by the simulator, docs/architecture.md).
    this.applied = undefined;
    try {
      await (op === 'acquire' ? this.provider.acquire(req) : this.provider.release(req));
      this.applied = d;
      this.failures = 0;
      this.onApplied?.(d);
      this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'ok' });
    } catch (err) {
      if (controller.signal.aborted) {
        this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'aborted' });
        return;
      }
      this.failures += 1;
      const retryable = err instanceof ProviderError ? err.retryable : true;
      // A non-retryable error (say, a permission) may still be fixed from outside: retry slowly.
      const delay = retryable
        ? Math.min(this.retry.maxMs, this.retry.initialMs * 2 ** (this.failures - 1))
        : this.retry.maxMs;
      this.metrics.inc('vipd_provider_calls_total', { group: this.group, op, result: 'error' });
      this.logger.error(
        { err, op, term: d.term, attempt: this.failures, retryInMs: delay, retryable },
        `${this.provider.kind} provider ${op} failed (attempt ${this.failures}); retrying in ${delay} ms`,
      );
      if (this.stopped) return;
      this.cancelRetry = this.clock.schedule(this.clock.now() + delay, () => {
        this.cancelRetry = undefined;
        this.kick();
      });
    }
  }
}
