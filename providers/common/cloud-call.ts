/**
 * One cloud API action, done the way every cloud provider does it (docs/providers.md
 * "Calls, retries and timeouts"):
 * - not sent at all when the decision is no longer current (ProviderRequest.isCurrent) or the
 *   request is aborted: a superseded takeover must not reach the cloud (keepalived #100);
 * - each attempt has its own timeout (the AWS SDK sets none by default) and is aborted with the
 *   request's signal; either ends the attempt then, even if it ignores its signal;
 * - throttled and transient failures are retried with capped exponential backoff and full
 *   jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"), under an overall deadline;
 *   other classes fail at once, with the provider's hint;
 * - every attempt is timed and counted: vipd_provider_api_calls_total{outcome} and the
 *   vipd_provider_api_seconds histogram; a call not sent counts vipd_provider_fenced_total.
 * SDK-level retries should be off (maxAttempts 1, retry: 0) so this is the one retry loop.
 */
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Metrics } from '../../src/ports/metrics.js';
import { ProviderError, isRetryable, type ErrorClass } from '../../src/ports/vip-provider.js';
import type { FenceReason } from './fence.js';

export interface CallPolicy {
  /** One attempt's timeout. */
  readonly attemptTimeoutMs: number;
  /** No new attempt starts after this long since the first. */
  readonly deadlineMs: number;
  readonly initialBackoffMs: number;
  readonly maxBackoffMs: number;
}

/**
 * Takeovers retry fast: the first retry after at most 50 ms. EC2 and Compute answer mutations
 * in well under 2 s when healthy, so 5 s per attempt only cuts off a hung connection.
 */
export const DEFAULT_CALL_POLICY: CallPolicy = { attemptTimeoutMs: 5_000, deadlineMs: 30_000, initialBackoffMs: 50, maxBackoffMs: 2_000 };

/** What the provider's classifier says about a failure. */
export interface Classified {
  readonly errorClass: ErrorClass;
  readonly detail: string;
  readonly hint?: string;
}

export interface CallContext {
  readonly group: string;
  /** VipProvider.kind, e.g. "aws:eip". */
  readonly provider: string;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly logger: Logger;
  readonly policy?: CallPolicy;
  /** Uniform in [0, 1); injected so tests replay. */
  readonly random?: () => number;
  readonly classify: (err: unknown) => Classified;
}

export interface CallRequest {
  readonly signal: AbortSignal;
  readonly isCurrent?: () => boolean;
}

/** Counts and builds the refusal for a call that must not be sent. */
export function fenced(ctx: CallContext, reason: FenceReason, action: string, subject: string, detail: string): ProviderError {
  ctx.metrics.inc('vipd_provider_fenced_total', { group: ctx.group, provider: ctx.provider, reason });
  return new ProviderError(action, subject, 'fenced', { detail });
}

/**
 * Runs `attempt` (one API request, aborted through the signal it is given) until it succeeds,
 * fails with a class that is not retried, or the deadline passes.
 */
export async function cloudCall<T>(
  ctx: CallContext,
  action: string,
  subject: string,
  req: CallRequest,
  attempt: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const policy = ctx.policy ?? DEFAULT_CALL_POLICY;
  const random = ctx.random ?? Math.random;
  const started = ctx.clock.now();
  const labels = { group: ctx.group, provider: ctx.provider, action };
  for (let n = 1; ; n++) {
    if (req.signal.aborted) throw fenced(ctx, 'superseded', action, subject, `not sent: ${reasonText(req.signal)}`);
    if (req.isCurrent && !req.isCurrent()) throw fenced(ctx, 'superseded', action, subject, 'not sent: a newer decision replaced this one');
    const t0 = ctx.clock.now();
    const controller = new AbortController();
    const onAbort = (): void => controller.abort(req.signal.reason);
    req.signal.addEventListener('abort', onAbort, { once: true });
    const cancelTimer = ctx.clock.schedule(t0 + policy.attemptTimeoutMs, () => controller.abort(new Error(`timed out after ${policy.attemptTimeoutMs} ms`)));
    let failure: Classified;
    let cause: unknown;
    try {
      // Raced with the attempt's own signal: an attempt that ignores its signal must not hold
      // the call (and the driver, which runs one call at a time) past the timeout or an abort.
      const out = await untilAborted(attempt(controller.signal), controller.signal);
      ctx.metrics.inc('vipd_provider_api_calls_total', { ...labels, outcome: 'ok' });
      ctx.metrics.observe('vipd_provider_api_seconds', labels, (ctx.clock.now() - t0) / 1000);
      return out;
    } catch (err) {
      ctx.metrics.observe('vipd_provider_api_seconds', labels, (ctx.clock.now() - t0) / 1000);
      if (req.signal.aborted) {
        ctx.metrics.inc('vipd_provider_api_calls_total', { ...labels, outcome: 'aborted' });
        throw new ProviderError(action, subject, 'fenced', { cause: err, detail: `aborted: ${reasonText(req.signal)}` });
      }
      failure = controller.signal.aborted
        ? { errorClass: 'transient', detail: reasonText(controller.signal) }
        : ctx.classify(err);
      cause = err;
    } finally {
      cancelTimer();
      req.signal.removeEventListener('abort', onAbort);
    }
    ctx.metrics.inc('vipd_provider_api_calls_total', { ...labels, outcome: failure.errorClass });
    const elapsed = ctx.clock.now() - started;
    const backoff = Math.min(policy.maxBackoffMs, policy.initialBackoffMs * 2 ** (n - 1)) * random();
    if (!isRetryable(failure.errorClass) || elapsed + backoff >= policy.deadlineMs) {
      throw new ProviderError(action, subject, failure.errorClass, {
        cause,
        detail: `${failure.detail}${isRetryable(failure.errorClass) ? ` (gave up after ${n} attempts in ${Math.round(elapsed)} ms)` : ''}`,
        ...(failure.hint !== undefined ? { hint: failure.hint } : {}),
      });
    }
    ctx.logger.warn({ action, subject, attempt: n, errorClass: failure.errorClass, retryInMs: Math.round(backoff) }, `${ctx.provider} ${action} ${subject}: ${failure.detail}; retrying`);
    await pause(ctx.clock, backoff, req.signal);
  }
}

/** `p`, or a rejection with the signal's reason as soon as it is aborted. */
function untilAborted<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    if (signal.aborted) onAbort();
    else signal.addEventListener('abort', onAbort, { once: true });
    p.then(
      (v) => {
        signal.removeEventListener('abort', onAbort);
        resolve(v);
      },
      (e: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(e);
      },
    );
  });
}

function reasonText(signal: AbortSignal): string {
  const r: unknown = signal.reason;
  return r instanceof Error ? r.message : String(r ?? 'aborted');
}

/** Waits `ms` on the clock; resolves early when aborted (the loop then refuses the next attempt). */
function pause(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const cancel = clock.schedule(clock.now() + ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    const onAbort = (): void => {
      cancel();
      resolve();
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
