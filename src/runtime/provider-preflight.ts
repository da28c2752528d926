/**
 * Start-up preflight of one group's provider (docs/providers.md "Start-up preflight"; issue 9
 * "What must exist" 6): validate() checks credentials, resources and permissions and warms what
 * a takeover needs. A group whose provider fails it must not take the VIP, but nothing else
 * stops: the group is held in Fault (the election core's fault input, as for a link that is
 * down) with the error as its reason, the error is logged once with its hint, and validate()
 * is retried with backoff until it passes; then the fault clears and the group elects.
 */
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { ProviderError, type VipProvider } from '../ports/vip-provider.js';

export interface PreflightPolicy {
  /** First retry after a failure; doubles on each failure. */
  readonly initialMs: number;
  readonly maxMs: number;
  /** A validate() that has not settled by then is aborted and counts as a failure. */
  readonly attemptTimeoutMs: number;
  /**
   * How long start() waits for the first attempt. One slow provider must not hold up the other
   * groups: past this the group is in Fault ("still validating") and start() goes on.
   */
  readonly startWaitMs: number;
}

export const DEFAULT_PREFLIGHT_POLICY: PreflightPolicy = { initialMs: 1_000, maxMs: 30_000, attemptTimeoutMs: 60_000, startWaitMs: 5_000 };

/** What the preflight needs from the group: the election's fault input (InstanceRunner). */
export interface FaultInput {
  raiseFault(resource: string, reason: string): void;
  clearFault(resource: string): void;
}

export interface PreflightOptions {
  readonly provider: VipProvider;
  readonly group: string;
  readonly target: FaultInput;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly policy?: PreflightPolicy;
}

export class ProviderPreflight {
  /** The fault's resource name, e.g. "provider aws:eip". */
  readonly resource: string;
  private readonly policy: PreflightPolicy;
  private failures = 0;
  private faulted = false;
  private passed = false;
  private stopped = false;
  private lastMessage: string | undefined;
  private controller: AbortController | undefined;
  private cancelTimer: (() => void) | undefined;

  constructor(private readonly opts: PreflightOptions) {
    this.resource = `provider ${opts.provider.kind}`;
    this.policy = opts.policy ?? DEFAULT_PREFLIGHT_POLICY;
  }

  /** Whether validate() has passed. */
  get ready(): boolean {
    return this.passed;
  }

  /**
   * Runs the first validate(); resolves once it settled (the group is then ready or in Fault)
   * or after `startWaitMs` (in Fault, still validating). Never rejects. `signal` aborts the
   * start (the agent is stopping before it ran).
   */
  start(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.resolve();
    signal?.addEventListener('abort', () => this.stop(), { once: true });
    const first = this.attempt();
    return new Promise<void>((resolve) => {
      const cancel = this.opts.clock.schedule(this.opts.clock.now() + this.policy.startWaitMs, () => {
        if (!this.passed && !this.faulted && !this.stopped) {
          this.fault(`provider ${this.opts.provider.kind} is still validating after ${this.policy.startWaitMs} ms`);
          this.opts.logger.warn({ provider: this.opts.provider.kind }, `group ${this.opts.group}: provider ${this.opts.provider.kind} validate() has not finished after ${this.policy.startWaitMs} ms; the group stays in Fault until it passes`);
        }
        resolve();
      });
      void first.then(() => {
        cancel();
        resolve();
      });
    });
  }

  /** Stops retrying and aborts a validate() in flight. Idempotent. */
  stop(): void {
    this.stopped = true;
    this.cancelTimer?.();
    this.cancelTimer = undefined;
    this.controller?.abort(new Error('stopping'));
  }

  private async attempt(): Promise<void> {
    if (this.stopped) return;
    const { provider, clock } = this.opts;
    const controller = new AbortController();
    this.controller = controller;
    const cancelTimeout = clock.schedule(clock.now() + this.policy.attemptTimeoutMs, () => controller.abort(new Error(`validate() timed out after ${this.policy.attemptTimeoutMs} ms`)));
    try {
      await provider.validate(controller.signal);
      if (controller.signal.aborted) throw controller.signal.reason;
      if (this.stopped) return;
      this.pass();
    } catch (err) {
      if (this.stopped) return;
      this.fail(err);
    } finally {
      cancelTimeout();
      if (this.controller === controller) this.controller = undefined;
    }
  }

  private pass(): void {
    const { group, provider, logger, metrics } = this.opts;
    this.passed = true;
    metrics.inc('vipd_provider_preflight_total', { group, result: 'ok' });
    if (!this.faulted) return;
    this.faulted = false;
    logger.info({ provider: provider.kind, attempts: this.failures + 1 }, `group ${group}: provider ${provider.kind} passed validate() after ${this.failures} failed attempt(s); leaving Fault`);
    this.opts.target.clearFault(this.resource);
  }

  private fail(err: unknown): void {
    const { group, provider, logger, metrics, clock } = this.opts;
    this.failures += 1;
    metrics.inc('vipd_provider_preflight_total', { group, result: 'error' });
    const delay = Math.min(this.policy.maxMs, this.policy.initialMs * 2 ** (this.failures - 1));
    const message = err instanceof Error ? err.message : String(err);
    const hint = err instanceof ProviderError ? err.hint : undefined;
    this.fault(`provider ${provider.kind} not ready: ${message}`);
    // Logged once, and again only when the reason changes: a permission missing for an hour is
    // one error line, not 120 (the status keeps saying why).
    const fields = { err, provider: provider.kind, attempt: this.failures, retryInMs: delay, ...(hint !== undefined ? { hint } : {}), ...(err instanceof ProviderError ? { errorClass: err.errorClass } : {}) };
    const line = `group ${group}: provider ${provider.kind} failed validate(): ${message}; the group stays in Fault, retrying in ${delay} ms`;
    if (this.lastMessage === undefined) logger.error(fields, line);
    else if (this.lastMessage !== message) logger.warn(fields, line);
    else logger.debug(fields, line);
    this.lastMessage = message;
    this.cancelTimer = clock.schedule(clock.now() + delay, () => {
      this.cancelTimer = undefined;
      void this.attempt();
    });
  }

  private fault(reason: string): void {
    this.faulted = true;
    this.opts.target.raiseFault(this.resource, reason);
  }
}
