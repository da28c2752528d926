/**
 * The conformance suite every VipProvider must pass (js-libp2p keeps one compliance suite per
 * interface; ClusterLabs resource agents make every action idempotent). Call it from a test file:
 *
 *   providerConformance('noop', () => ({ provider, observe }));
 *
 * Each case gets a fresh subject from `makeProvider` and disposes it afterwards, also on failure.
 * `observe`, when given, reads the truth without the provider (the interface's addresses, a fake
 * cloud's table): status() must agree with it after every step, including after an abort.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError, type ProviderRequest, type VipProvider, type VipStatus } from '../../src/ports/vip-provider.js';

export interface ConformanceSubject {
  readonly provider: VipProvider;
  /** Whether the VIP is in place, read independently of the provider. */
  readonly observe?: () => Promise<'held' | 'not-held'>;
  /** Runs after each case, also when it failed: release leftovers, stop timers. */
  readonly dispose?: () => Promise<void>;
}

export interface ConformanceOptions {
  /** Per case (default 30 s). */
  readonly timeoutMs?: number;
  /** Skip the whole suite, with the reason printed. */
  readonly skip?: string | false;
}

/** Abort delays (ms) for the mid-flight abort case: before the first command, during, later. */
const ABORT_DELAYS_MS = [0, 1, 5, 20, 60];

export function providerConformance(
  name: string,
  makeProvider: () => Promise<ConformanceSubject> | ConformanceSubject,
  options: ConformanceOptions = {},
): void {
  const timeout = options.timeoutMs ?? 30_000;

  const withSubject = (fn: (s: ConformanceSubject) => Promise<void>) => async () => {
    const subject = await makeProvider();
    try {
      await fn(subject);
    } finally {
      await subject.dispose?.();
    }
  };

  describe(`${name} provider conformance`, { skip: options.skip || false }, () => {
    it('has a kind and validates a working setup', { timeout }, withSubject(async ({ provider }) => {
      assert.equal(typeof provider.kind, 'string');
      assert.ok(provider.kind.length > 0);
      await provider.validate(live());
    }));

    it('release before any acquire succeeds and changes nothing (stop before start is harmless)', { timeout }, withSubject(async (s) => {
      await s.provider.release(request(1));
      await expectStatus(s, 'not-held');
      await s.provider.acquire(request(2));
      await expectStatus(s, 'held');
      await s.provider.release(request(3));
      await expectStatus(s, 'not-held');
    }));

    it('status is held after acquire and not-held after release', { timeout }, withSubject(async (s) => {
      await expectStatus(s, 'not-held');
      await s.provider.acquire(request(1));
      await expectStatus(s, 'held');
      await s.provider.release(request(1));
      await expectStatus(s, 'not-held');
    }));

    it('acquire twice is the same as once: one release undoes it', { timeout }, withSubject(async (s) => {
      await s.provider.acquire(request(1));
      await s.provider.acquire(request(1));
      await expectStatus(s, 'held');
      await s.provider.acquire(request(2)); // a new term while held: still held, nothing doubled
      await expectStatus(s, 'held');
      await s.provider.release(request(2));
      await expectStatus(s, 'not-held');
    }));

    it('release twice succeeds', { timeout }, withSubject(async (s) => {
      await s.provider.acquire(request(1));
      await s.provider.release(request(1));
      await s.provider.release(request(1));
      await expectStatus(s, 'not-held');
    }));

    it('acquire with an already aborted signal rejects with a ProviderError or finishes; status tells the truth', { timeout }, withSubject(async (s) => {
      const controller = new AbortController();
      controller.abort(new Error('superseded before it started'));
      await settle(s.provider.acquire(request(1, controller.signal)));
      await expectTruthful(s);
      await s.provider.release(request(2));
      await expectStatus(s, 'not-held');
      await s.provider.acquire(request(3));
      await expectStatus(s, 'held');
      await s.provider.release(request(3));
    }));

    it('an abort during acquire leaves no state that status lies about, and release cleans up', { timeout }, withSubject(async (s) => {
      for (const [i, delay] of ABORT_DELAYS_MS.entries()) {
        const controller = new AbortController();
        const call = s.provider.acquire(request(10 + i, controller.signal));
        await sleep(delay);
        controller.abort(new Error(`superseded after ${delay} ms`));
        await settle(call);
        await expectTruthful(s);
        await s.provider.release(request(10 + i));
        await expectStatus(s, 'not-held');
      }
    }));

    it('an aborted release rejects or finishes; a later release completes', { timeout }, withSubject(async (s) => {
      await s.provider.acquire(request(1));
      const controller = new AbortController();
      controller.abort(new Error('agent stopping'));
      await settle(s.provider.release(request(2, controller.signal)));
      await expectTruthful(s);
      await s.provider.release(request(3));
      await expectStatus(s, 'not-held');
    }));

    it('calls issued back to back take effect in order', { timeout }, withSubject(async (s) => {
      await Promise.all([s.provider.acquire(request(1)), s.provider.release(request(2))]);
      await expectStatus(s, 'not-held');
      await Promise.all([s.provider.acquire(request(3)), s.provider.release(request(4)), s.provider.acquire(request(5))]);
      await expectStatus(s, 'held');
      await s.provider.release(request(6));
      await expectStatus(s, 'not-held');
    }));
  });
}

function live(): AbortSignal {
  return new AbortController().signal;
}

function request(term: number, signal: AbortSignal = live()): ProviderRequest {
  return { term, reason: `conformance term ${term}`, signal };
}

/** Waits for a call that may fail; a failure must be a ProviderError. */
async function settle(call: Promise<void>): Promise<void> {
  try {
    await call;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `rejections must be ProviderErrors, got ${String(err)}`);
    assert.ok(err.operation.length > 0 && err.subject.length > 0, 'a ProviderError names its operation and subject');
  }
}

/** status() is definite and agrees with the independent observation. */
async function expectTruthful(s: ConformanceSubject): Promise<VipStatus> {
  const { status } = await s.provider.status(live());
  assert.notEqual(status, 'unknown', 'status must be definite in a working setup');
  if (s.observe) assert.equal(status, await s.observe(), 'status() disagrees with what is really there');
  return status;
}

async function expectStatus(s: ConformanceSubject, expected: 'held' | 'not-held'): Promise<void> {
  assert.equal(await expectTruthful(s), expected);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
