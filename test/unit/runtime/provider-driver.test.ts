/** ProviderDriver: drives a VipProvider toward the election's decision, with retries and aborts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError, type ProviderRequest, type VipProvider } from '../../../src/ports/vip-provider.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { ProviderDriver, type RetryPolicy } from '../../../src/runtime/provider-driver.js';
import { TrackedClock, flush, recordingLogger, type Logged } from './fakes.js';

/** What the next call does: succeed, fail with an error, or hang until aborted. */
type Outcome = 'ok' | 'hang' | Error;

interface Call {
  readonly op: 'acquire' | 'release';
  readonly term: number;
  readonly at: number;
  readonly signal: AbortSignal;
}

class ScriptedProvider implements VipProvider {
  readonly kind = 'scripted';
  readonly calls: Call[] = [];
  constructor(private readonly clock: TrackedClock, readonly script: Outcome[] = []) {}
  async validate(): Promise<void> {}
  async status(): Promise<{ status: 'unknown' }> {
    return { status: 'unknown' };
  }
  acquire(req: ProviderRequest): Promise<void> {
    return this.run('acquire', req);
  }
  release(req: ProviderRequest): Promise<void> {
    return this.run('release', req);
  }
  private run(op: Call['op'], req: ProviderRequest): Promise<void> {
    this.calls.push({ op, term: req.term, at: this.clock.now(), signal: req.signal });
    const next = this.script.shift() ?? 'ok';
    if (next === 'ok') return Promise.resolve();
    if (next === 'hang') {
      return new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason as Error), { once: true }));
    }
    return Promise.reject(next);
  }
}

function setup(script: Outcome[] = [], retry?: RetryPolicy) {
  const clock = new TrackedClock();
  const provider = new ScriptedProvider(clock, script);
  const metrics = new MetricsRegistry();
  const logs: Logged[] = [];
  const driver = new ProviderDriver(provider, 'vip', clock, recordingLogger(logs), metrics, retry);
  const count = (op: string, result: string) => metrics.get('vipd_provider_calls_total', { group: 'vip', op, result });
  return { clock, provider, metrics, logs, driver, count };
}

const held = (term: number) => ({ kind: 'held', term, reason: `test term ${term}` }) as const;
const notHeld = (term: number) => ({ kind: 'not-held', term, reason: `test release ${term}` }) as const;
const gaps = (xs: readonly number[]) => xs.slice(1).map((x, i) => x - (xs[i] ?? 0));
const boom = () => new Error('boom');

describe('ProviderDriver', () => {
  it('retries a failure with backoff 250, 500, 1000, ... capped at 10 s, counting each error', async () => {
    const { clock, provider, driver, count, logs } = setup(Array.from({ length: 8 }, boom));
    driver.want(held(1));
    await clock.advanceTo(60_000);
    assert.deepEqual(gaps(provider.calls.map((c) => c.at)), [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
    assert.equal(provider.calls.length, 9, 'the ninth call succeeds and nothing follows');
    assert.equal(count('acquire', 'error'), 8);
    assert.equal(count('acquire', 'ok'), 1);
    assert.deepEqual(driver.confirmed, held(1));
    assert.deepEqual(logs.filter((l) => l.level === 'error').map((l) => l.fields.retryInMs), [250, 500, 1000, 2000, 4000, 8000, 10_000, 10_000]);
  });

  it('honours a custom retry policy and its cap', async () => {
    const { clock, provider, driver } = setup(Array.from({ length: 5 }, boom), { initialMs: 100, maxMs: 300 });
    driver.want(held(1));
    await clock.advanceTo(10_000);
    assert.deepEqual(gaps(provider.calls.map((c) => c.at)), [100, 200, 300, 300, 300]);
  });

  it('a ProviderError with retryable=false is retried only after maxMs', async () => {
    const err = new ProviderError('associating', 'eipalloc-1 with eni-2', false, { detail: 'UnauthorizedOperation' });
    const { clock, provider, driver, count } = setup([err, new ProviderError('associating', 'eipalloc-1', true)]);
    driver.want(held(1));
    await clock.advanceTo(60_000);
    // The retryable failure after it is the second in a row: 250 * 2 ms.
    assert.deepEqual(provider.calls.map((c) => c.at), [0, 10_000, 10_500]);
    assert.equal(count('acquire', 'error'), 2);
  });

  it('want(not-held) while an acquire is in flight aborts it, then releases', async () => {
    const { clock, provider, driver, count } = setup(['hang']);
    driver.want(held(1));
    await flush();
    const acquire = provider.calls[0];
    assert.equal(acquire?.op, 'acquire');
    assert.equal(acquire?.signal.aborted, false);
    driver.want(notHeld(1));
    assert.equal(acquire?.signal.aborted, true);
    await clock.advanceTo(0);
    assert.deepEqual(provider.calls.map((c) => c.op), ['acquire', 'release']);
    assert.equal(count('acquire', 'aborted'), 1);
    assert.equal(count('release', 'ok'), 1);
    assert.deepEqual(driver.confirmed, notHeld(1));
  });

  it('an aborted call leaves the provider state unknown: the next decision is carried out even if it equals the last confirmed one', async () => {
    const { clock, provider, driver } = setup(['ok', 'hang', 'ok']);
    driver.want(notHeld(1));
    await clock.advanceTo(0);
    driver.want(held(2)); // hangs: it may have bound the VIP before it was aborted
    await clock.advanceTo(1);
    driver.want(notHeld(1));
    await clock.advanceTo(2);
    assert.deepEqual(provider.calls.map((c) => [c.op, c.term]), [['release', 1], ['acquire', 2], ['release', 1]]);
    assert.equal(provider.calls[1]?.signal.aborted, true);
    assert.deepEqual(driver.confirmed, notHeld(1));
  });

  it('the same decision twice makes one call, in flight or already applied', async () => {
    const { clock, provider, driver } = setup();
    driver.want(held(1));
    driver.want(held(1));
    await clock.advanceTo(1000);
    driver.want(held(1));
    await clock.advanceTo(2000);
    assert.equal(provider.calls.length, 1);
    assert.equal(provider.calls[0]?.signal.aborted, false, 'a repeat does not abort the call');
  });

  it('a higher term makes a new acquire, carrying that term', async () => {
    const { clock, provider, driver } = setup();
    driver.want(held(1));
    await clock.advanceTo(100);
    driver.want(held(2));
    await clock.advanceTo(200);
    assert.deepEqual(provider.calls.map((c) => [c.op, c.term, c.at]), [['acquire', 1, 0], ['acquire', 2, 100]]);
    assert.deepEqual(driver.confirmed, held(2));
  });

  it('a new decision during backoff is tried at once and starts the backoff afresh', async () => {
    const { clock, provider, driver } = setup([boom(), boom(), boom()]);
    driver.want(held(1));
    await clock.advanceTo(800); // calls at 0, 250, 750; next retry due at 1750
    driver.want(notHeld(1));
    await clock.advanceTo(800);
    assert.deepEqual(provider.calls.map((c) => [c.op, c.at]), [['acquire', 0], ['acquire', 250], ['acquire', 750], ['release', 800]]);
    await clock.advanceTo(5000);
    assert.equal(provider.calls.length, 4, 'the acquire retry was cancelled');
  });

  it('stop() waits for the call in flight and then stops retrying', async () => {
    const { clock, provider, driver } = setup([boom()]);
    driver.want(held(1));
    await driver.stop();
    assert.equal(provider.calls.length, 1);
    assert.deepEqual(clock.pending(), [], 'no retry left armed');
    driver.want(held(2));
    await clock.advanceTo(60_000);
    assert.equal(provider.calls.length, 1, 'decisions after stop are ignored');
  });

  it('after a failed or aborted acquire, a release of the same term still calls the provider (the acquire may have taken effect)', async () => {
    // Found by the whole-node simulator (LAN seed 66): released at lease expiry, re-acquired in
    // the same term, the acquire failed after binding, and the step-down's release was skipped
    // as "already applied", leaving the VIP on a Backup for 968 ms next to the new master.
    const { clock, provider, driver } = setup(['ok', boom()]);
    driver.want(notHeld(1));
    await clock.advanceTo(10);
    driver.want(held(1));
    await clock.advanceTo(20); // fails; retry due at 270
    driver.want(notHeld(1));
    await clock.advanceTo(30);
    assert.deepEqual(provider.calls.map((c) => [c.op, c.term]), [['release', 1], ['acquire', 1], ['release', 1]]);
    assert.deepEqual(driver.confirmed, notHeld(1));
    const aborted = setup(['ok', 'hang']);
    aborted.driver.want(notHeld(1));
    await aborted.clock.advanceTo(10);
    aborted.driver.want(held(1));
    await aborted.clock.advanceTo(20);
    aborted.driver.want(notHeld(1)); // aborts the hanging acquire
    await aborted.clock.advanceTo(30);
    assert.deepEqual(aborted.provider.calls.map((c) => [c.op, c.term]), [['release', 1], ['acquire', 1], ['release', 1]]);
  });
});
