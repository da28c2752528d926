/** cloudCall: one cloud API action, fenced by isCurrent, timed, counted, retried by class. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../../src/adapters/metrics-registry.js';
import { ProviderError, type ErrorClass } from '../../../../src/ports/vip-provider.js';
import { cloudCall, type CallContext, type CallPolicy, type Classified } from '../../../../providers/common/cloud-call.js';
import { Rng } from '../../../sim/rng.js';
import { TrackedClock, flush, recordingLogger, type Logged } from '../../runtime/fakes.js';

const POLICY: CallPolicy = { attemptTimeoutMs: 1000, deadlineMs: 5000, initialBackoffMs: 50, maxBackoffMs: 400 };

/** An error the fake "SDK" throws; the classifier reads its code. */
class ApiError extends Error {
  constructor(readonly code: ErrorClass) {
    super(`api said ${code}`);
  }
}

const classify = (err: unknown): Classified => {
  if (err instanceof ApiError) {
    return { errorClass: err.code, detail: err.message, ...(err.code === 'auth' ? { hint: 'grant ec2:AssociateAddress' } : {}) };
  }
  return { errorClass: 'transient', detail: String(err) };
};

function setup(seed = 1, policy = POLICY) {
  const clock = new TrackedClock();
  const metrics = new MetricsRegistry();
  const logs: Logged[] = [];
  const rng = new Rng(seed);
  const draws: number[] = [];
  const ctx: CallContext = {
    group: 'vip', provider: 'aws:eip', clock, metrics, logger: recordingLogger(logs), policy, classify,
    random: () => {
      const x = rng.next();
      draws.push(x);
      return x;
    },
  };
  const labels = { group: 'vip', provider: 'aws:eip', action: 'AssociateAddress' };
  const outcome = (o: string) => metrics.get('vipd_provider_api_calls_total', { ...labels, outcome: o });
  const refused = (reason: string) => metrics.get('vipd_provider_fenced_total', { group: 'vip', provider: 'aws:eip', reason });
  return { clock, metrics, logs, ctx, draws, labels, outcome, refused };
}

const live = () => new AbortController().signal;

/** Runs the call to completion on the virtual clock; resolves to its value or its error. */
async function run<T>(clock: TrackedClock, p: Promise<T>, until = 60_000): Promise<T | ProviderError> {
  const settled = p.then((v) => v, (e: unknown) => e as ProviderError);
  await clock.advanceTo(until);
  return settled;
}

describe('cloudCall', () => {
  it('sends nothing when the decision is no longer current, counted as superseded', async () => {
    const { ctx, refused, outcome, clock } = setup();
    let sent = 0;
    const err = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live(), isCurrent: () => false }, async () => void sent++));
    assert.ok(err instanceof ProviderError);
    assert.equal(err.errorClass, 'fenced');
    assert.match(err.message, /not sent: a newer decision replaced this one/);
    assert.equal(sent, 0);
    assert.equal(refused('superseded'), 1);
    assert.equal(outcome('ok'), 0);
  });

  it('sends nothing for an aborted request, counted as superseded', async () => {
    const { ctx, refused, clock } = setup();
    const c = new AbortController();
    c.abort(new Error('stepped down'));
    let sent = 0;
    const err = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: c.signal }, async () => void sent++));
    assert.ok(err instanceof ProviderError);
    assert.equal(err.errorClass, 'fenced');
    assert.match(err.message, /not sent: stepped down/);
    assert.equal(sent, 0);
    assert.equal(refused('superseded'), 1);
  });

  it('retries throttled and transient failures with capped exponential backoff and full jitter, asking isCurrent before each attempt', async () => {
    const { ctx, clock, draws, outcome, logs } = setup(42);
    const at: number[] = [];
    const script: ErrorClass[] = ['throttled', 'transient', 'throttled', 'transient', 'throttled'];
    let asked = 0;
    const out = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live(), isCurrent: () => (asked++, true) }, async () => {
      at.push(clock.now());
      const next = script.shift();
      if (next) throw new ApiError(next);
      return 'associated';
    }));
    assert.equal(out, 'associated');
    assert.equal(asked, 6, 'isCurrent is asked before every attempt');
    // Backoff n: min(400, 50 * 2^(n-1)) * random.
    const expected = draws.map((r, i) => Math.min(400, 50 * 2 ** i) * r);
    const gaps = at.slice(1).map((t, i) => t - (at[i] ?? 0));
    assert.equal(gaps.length, 5);
    gaps.forEach((g, i) => assert.ok(Math.abs(g - (expected[i] ?? -1)) < 1e-9, `gap ${i}: ${g} vs ${expected[i]}`));
    assert.equal(outcome('throttled'), 3);
    assert.equal(outcome('transient'), 2);
    assert.equal(outcome('ok'), 1);
    assert.equal(logs.filter((l) => l.level === 'warn').length, 5, 'each retry is logged');
  });

  it('stops retrying when the next attempt would start after the deadline, and says so', async () => {
    const { ctx, clock, outcome } = setup(3, { ...POLICY, deadlineMs: 2000 });
    const at: number[] = [];
    const err = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live() }, async () => {
      at.push(clock.now());
      throw new ApiError('transient');
    }));
    assert.ok(err instanceof ProviderError);
    assert.equal(err.errorClass, 'transient');
    assert.match(err.message, new RegExp(`gave up after ${at.length} attempts`));
    assert.ok((at.at(-1) ?? Infinity) < 2000, 'no attempt starts after the deadline');
    assert.ok(at.length >= 5, `kept retrying until near the deadline (${at.length} attempts)`);
    assert.equal(outcome('transient'), at.length);
  });

  it('does not retry auth, not-found or invalid, and keeps the classifier\'s hint', async () => {
    for (const cls of ['auth', 'not-found', 'invalid'] as const) {
      const { ctx, clock, outcome } = setup();
      let sent = 0;
      const err = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live() }, async () => {
        sent++;
        throw new ApiError(cls);
      }));
      assert.ok(err instanceof ProviderError);
      assert.equal(err.errorClass, cls);
      assert.equal(sent, 1, `${cls} is not retried`);
      assert.equal(outcome(cls), 1);
      assert.equal(err.hint, cls === 'auth' ? 'grant ec2:AssociateAddress' : undefined);
      if (cls === 'auth') assert.match(err.message, /\(grant ec2:AssociateAddress\)/);
      assert.doesNotMatch(err.message, /gave up/);
      assert.ok(err.cause instanceof ApiError, 'the SDK error is the cause');
    }
  });

  it('a per-attempt timeout aborts the attempt\'s signal and counts as transient; the retry succeeds', async () => {
    const { ctx, clock, outcome } = setup();
    const signals: AbortSignal[] = [];
    const out = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live() }, (signal) => {
      signals.push(signal);
      if (signals.length > 1) return Promise.resolve('ok');
      return new Promise<string>((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    }));
    assert.equal(out, 'ok');
    assert.equal(signals[0]?.aborted, true);
    assert.match(String((signals[0]?.reason as Error).message), /timed out after 1000 ms/);
    assert.equal(signals[1]?.aborted, false);
    assert.equal(outcome('transient'), 1);
  });

  it('an attempt that ignores its signal still ends at the timeout (the driver is never stuck behind it)', async () => {
    const { ctx, clock } = setup(5, { ...POLICY, deadlineMs: 1 });
    let settledAt: number | undefined;
    const p = cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live() }, () => new Promise<never>(() => undefined));
    void p.catch(() => (settledAt = clock.now()));
    await clock.advanceTo(10_000);
    await flush();
    assert.equal(settledAt, 1000);
  });

  it('an abort during an attempt ends it at once (counted aborted, class fenced); an abort during backoff sends nothing more', async () => {
    const { ctx, clock, outcome, refused } = setup();
    const c = new AbortController();
    const p = cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: c.signal }, () => new Promise<never>(() => undefined));
    const settled = p.then(() => undefined, (e: unknown) => e);
    await clock.advanceTo(100);
    c.abort(new Error('superseded: stepped down'));
    await flush();
    const err = await settled;
    assert.ok(err instanceof ProviderError);
    assert.equal(err.errorClass, 'fenced');
    assert.match(err.message, /aborted: superseded: stepped down/);
    assert.equal(outcome('aborted'), 1);
    assert.equal(refused('superseded'), 0, 'it was sent: not a refusal');

    const b = setup(9);
    const c2 = new AbortController();
    let sent = 0;
    const p2 = cloudCall(b.ctx, 'AssociateAddress', 'eipalloc-1', { signal: c2.signal }, async () => {
      sent++;
      throw new ApiError('throttled');
    }).then(() => undefined, (e: unknown) => e);
    await flush(); // first attempt failed; backing off
    c2.abort(new Error('halted'));
    await b.clock.advanceTo(10_000);
    const err2 = await p2;
    assert.ok(err2 instanceof ProviderError);
    assert.equal(err2.errorClass, 'fenced');
    assert.equal(sent, 1);
    assert.equal(b.refused('superseded'), 1);
  });

  it('isCurrent turning false between attempts stops the retries before the next request', async () => {
    const { ctx, clock, refused } = setup();
    let current = true;
    let sent = 0;
    const err = await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live(), isCurrent: () => current }, async () => {
      sent++;
      current = false; // a newer decision arrives while this attempt fails
      throw new ApiError('transient');
    }));
    assert.ok(err instanceof ProviderError);
    assert.equal(err.errorClass, 'fenced');
    assert.equal(sent, 1);
    assert.equal(refused('superseded'), 1);
  });

  it('observes every attempt in vipd_provider_api_seconds with the action\'s labels', async () => {
    const { ctx, clock, metrics, labels } = setup();
    let n = 0;
    await run(clock, cloudCall(ctx, 'AssociateAddress', 'eipalloc-1', { signal: live() }, (signal) => new Promise<string>((resolve, reject) => {
      n++;
      // First attempt: fails after 30 ms; second: succeeds after 250 ms.
      const ms = n === 1 ? 30 : 250;
      const cancel = clock.schedule(clock.now() + ms, () => (n === 1 ? reject(new ApiError('throttled')) : resolve('ok')));
      signal.addEventListener('abort', cancel, { once: true });
    })));
    const h = metrics.histogram('vipd_provider_api_seconds', labels);
    assert.ok(h);
    assert.equal(h.count, 2);
    assert.ok(Math.abs(h.sum - 0.28) < 1e-9, `sum ${h.sum}`);
    assert.equal(metrics.get('vipd_provider_api_calls_total', { ...labels, outcome: 'ok' }), 1);
    assert.equal(metrics.get('vipd_provider_api_calls_total', { ...labels, outcome: 'throttled' }), 1);
  });
});
