/**
 * Waiting for Compute operations: mutations return an Operation that is PENDING or RUNNING and
 * later DONE, with error.errors[] when it failed (the API does not throw for a failed
 * operation: https://cloud.google.com/compute/docs/api/how-tos/api-requests-responses#handling_api_responses).
 * We poll zoneOperations.get / globalOperations.get with short, growing pauses on the injected
 * clock (no fixed sleeps; 10 ms, then ×1.6 up to 500 ms): an operation that takes 100 ms is seen
 * done within ~40 ms of it.
 * Each poll is one cloudCall, so polls are fenced, timed and retried like every request.
 */
import type { Clock } from '../../src/ports/clock.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { CallRequest } from '../common/cloud-call.js';
import { classifyFailure, type CallTarget } from './classify.js';
import type { ComputeApi, Operation, PendingOperation } from './compute.js';

/** First pause, growth and cap of the polls. */
export const POLL = { firstMs: 10, factor: 1.6, maxMs: 500, deadlineMs: 120_000 } as const;

/** A DONE operation that carries errors, in the shape the classifier reads (status + reason). */
export class OperationFailedError extends Error {
  override readonly name = 'OperationFailedError';
  readonly status: number | undefined;
  readonly reason: string | undefined;
  constructor(op: Operation, what: string) {
    const first = op.error?.errors?.[0];
    super(`${what}: operation ${op.name ?? ''} failed: ${first?.code ?? ''} ${first?.message ?? op.httpErrorMessage ?? ''}`.trim());
    this.status = typeof op.httpErrorStatusCode === 'number' && op.httpErrorStatusCode > 0 ? op.httpErrorStatusCode : undefined;
    this.reason = first?.code ?? undefined;
  }
}

/** Waits until `op` is DONE; rejects with a classified ProviderError when it failed. */
export async function waitOperation(api: ComputeApi, clock: Clock, op: PendingOperation, target: CallTarget, req: CallRequest): Promise<Operation> {
  const started = clock.now();
  let pause: number = POLL.firstMs;
  for (;;) {
    // No poll at once: an operation is never DONE in the same instant it was answered.
    await sleep(clock, pause, req.signal);
    pause = Math.min(POLL.maxMs, pause * POLL.factor);
    const answer = await api.getOperation(op, req);
    if (String(answer.status) === 'DONE') {
      if (answer.error?.errors?.length) {
        const failure = new OperationFailedError(answer, op.what);
        const c = classifyFailure({ ...(failure.status !== undefined ? { status: failure.status } : {}), ...(failure.reason !== undefined ? { reason: failure.reason } : {}), message: failure.message }, target);
        throw new ProviderError('waiting for', `operation ${op.name} (${op.what})`, c.errorClass, { cause: failure, detail: c.detail, ...(c.hint !== undefined ? { hint: c.hint } : {}) });
      }
      return answer;
    }
    if (clock.now() - started + pause > POLL.deadlineMs) {
      throw new ProviderError('waiting for', `operation ${op.name} (${op.what})`, 'transient', { detail: `still ${String(answer.status)} after ${Math.round(clock.now() - started)} ms` });
    }
  }
}

/**
 * Waits for every operation this provider started and has not seen DONE (an aborted call's
 * operation still lands on the server), including those of mutations whose answer never came
 * (listed by target). Their outcome does not matter, only that they are over.
 */
export async function settleOperations(api: ComputeApi, clock: Clock, req: CallRequest): Promise<void> {
  for (const [key, target] of [...api.unsure]) {
    for (const op of await api.unfinishedOperations(target, req)) api.inflight.set(`${op.zone ?? 'global'}/${op.name}`, op);
    api.unsure.delete(key);
  }
  const ops = [...api.inflight.values()];
  await Promise.all(ops.map(async (op) => {
    try {
      await waitOperation(api, clock, op, { permission: op.zone !== undefined ? 'compute.zoneOperations.get' : 'compute.globalOperations.get', resource: `operation ${op.name}` }, req);
    } catch (err) {
      if (err instanceof ProviderError && (err.errorClass === 'fenced' || err.retryable)) throw err;
      // It failed or is gone (404): over either way.
    }
    api.inflight.delete(`${op.zone ?? 'global'}/${op.name}`);
  }));
}

/** A pause on the clock that ends early on abort (the next poll then refuses: cloudCall). */
function sleep(clock: Clock, ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const onAbort = (): void => {
      cancel();
      resolve();
    };
    const cancel = clock.schedule(clock.now() + ms, () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
