/** ProviderDriver: drives a VipProvider toward the election's decision, with retries and aborts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError, type ErrorClass, type ProviderRequest, type StatusReport, type VipProvider } from '../../../src/ports/vip-provider.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { ProviderDriver, retryDelayMs, type DriverOptions, type RetryPolicy } from '../../../src/runtime/provider-driver.js';
import { Rng } from '../../sim/rng.js';
import { TrackedClock, flush, recordingLogger, type Logged } from './fakes.js';

/** What the next call does: succeed, fail with an error, or hang until aborted. */
type Outcome = 'ok' | 'hang' | Error;

interface Call {
  readonly op: 'acquire' | 'release';
  readonly term: number;
  readonly at: number;
  readonly signal: AbortSignal;
  readonly reason: string;
  readonly fenced: boolean | undefined;
  readonly isCurrent: (() => boolean) | undefined;
}

class ScriptedProvider implements VipProvider {
  readonly kind = 'scripted';
  readonly calls: Call[] = [];
  /** When status() was called. */
  readonly statusCalls: number[] = [];
  /** What status() answers; 'hang' waits for the abort; a number: answers held after that many ms. */
  report: StatusReport | 'hang' = { status: 'unknown' };
  /** Status calls still running. */
  statusInflight = 0;
  constructor(private readonly clock: TrackedClock, readonly script: Outcome[] = []) {}
  async validate(): Promise<void> {}
  async status(signal: AbortSignal): Promise<StatusReport> {
    this.statusCalls.push(this.clock.now());
    const r = this.report;
    if (r !== 'hang') return r;
    this.statusInflight += 1;
    try {
      return await new Promise((_, reject) => signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true }));
    } finally {
      this.statusInflight -= 1;
    }
  }
  acquire(req: ProviderRequest): Promise<void> {
    return this.run('acquire', req);
  }
  release(req: ProviderRequest): Promise<void> {
    return this.run('release', req);
  }
  private run(op: Call['op'], req: ProviderRequest): Promise<void> {
    this.calls.push({ op, term: req.term, at: this.clock.now(), signal: req.signal, reason: req.reason, fenced: req.fenced, isCurrent: req.isCurrent });
    const next = this.script.shift() ?? 'ok';
    if (next === 'ok') return Promise.resolve();
    if (next === 'hang') {
      return new Promise((_, reject) => req.signal.addEventListener('abort', () => reject(req.signal.reason as Error), { once: true }));
    }
    return Promise.reject(next);
  }
}

/** Jitter off (random 0: each retry waits the full step) unless `options.random` says otherwise. */
function setup(script: Outcome[] = [], retry?: RetryPolicy, options: DriverOptions = {}) {
  const clock = new TrackedClock();
  const provider = new ScriptedProvider(clock, script);
  const metrics = new MetricsRegistry();
  const logs: Logged[] = [];
  const driver = new ProviderDriver(provider, 'vip', clock, recordingLogger(logs), metrics, retry, undefined, { random: () => 0, ...options });
  const count = (op: string, result: string) => metrics.get('vipd_provider_calls_total', { group: 'vip', op, result });
  const reconciled = (result: string) => metrics.get('vipd_provider_reconcile_total', { group: 'vip', result });
  return { clock, provider, metrics, logs, driver, count, reconciled };
}

const held = (term: number) => ({ kind: 'held', term, reason: `test term ${term}` }) as const;
const notHeld = (term: number) => ({ kind: 'not-held', term, reason: `test release ${term}` }) as const;
const gaps = (xs: readonly number[]) => xs.slice(1).map((x, i) => x - (xs[i] ?? 0));
const boom = () => new Error('boom');
/** The calls that carry out decisions and their retries, without the reconcile loop's. */
const decided = (p: ScriptedProvider) => p.calls.filter((c) => c.reason !== 'reassert');

describe('ProviderDriver', () => {
  it('retries a failure with backoff 250, 500, 1000, ... capped at 10 s, counting each error', async () => {
    const { clock, provider, driver, count, logs } = setup(Array.from({ length: 8 }, boom));
    driver.want(held(1));
    // The ninth call succeeds at 35,750 ms; the reconcile loop's first pass would be at 45,750.
    await clock.advanceTo(45_000);
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
    assert.deepEqual(decided(provider).map((c) => c.at), [0, 10_000, 10_500]);
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

  it('every request carries fenced (off by default) and isCurrent', async () => {
    const plain = setup();
    plain.driver.want(held(1));
    await plain.clock.advanceTo(0);
    assert.equal(plain.provider.calls[0]?.fenced, false);
    assert.equal(plain.provider.calls[0]?.isCurrent?.(), true);
    const unicast = setup([], undefined, { fenced: true });
    unicast.driver.want(held(1));
    unicast.driver.want(notHeld(1));
    await unicast.clock.advanceTo(0);
    assert.deepEqual(unicast.provider.calls.map((c) => [c.op, c.fenced]), [['acquire', true], ['release', true]]);
  });

  it('isCurrent turns false when the decision is superseded, and after halt; the same decision again stays current', async () => {
    const { clock, provider, driver } = setup(['hang', 'hang', 'ok']);
    driver.want(held(1));
    await flush();
    const first = provider.calls[0];
    assert.equal(first?.isCurrent?.(), true);
    // The core says "release" twice for one step-down (ReleaseVip, then the Backup entry):
    // one decision, so the call already made for it keeps serving it.
    driver.want({ kind: 'held', term: 1, reason: 'said again' });
    assert.equal(first?.isCurrent?.(), true, 'the same kind and term is the same decision');
    driver.want(held(2)); // same kind: not aborted, but no longer current
    assert.equal(first?.signal.aborted, false);
    assert.equal(first?.isCurrent?.(), false, 'a higher term supersedes it');
    driver.want(notHeld(2)); // aborts the term-1 acquire; the release runs after it
    await clock.advanceTo(0);
    const release = provider.calls.find((c) => c.op === 'release');
    assert.equal(release?.isCurrent?.(), true);
    driver.halt();
    assert.equal(release?.isCurrent?.(), false, 'a halted driver serves no decision');
  });

  it('a release stays current while the latest decision is any release (a step-down says release twice, at the held and the adopted term)', async () => {
    const { clock, provider, driver } = setup(['hang', 'ok']);
    driver.want(notHeld(1));
    await flush();
    driver.want(notHeld(2));
    assert.equal(provider.calls[0]?.isCurrent?.(), true, 'cutting it short would stretch the release past R (docs/leases.md)');
    driver.want(held(3));
    assert.equal(provider.calls[0]?.isCurrent?.(), false, 'an acquire supersedes it');
    assert.equal(provider.calls[0]?.signal.aborted, true);
    await clock.advanceTo(0);
    assert.deepEqual(driver.confirmed, held(3));
  });

  it('reconcile: a move made behind our back is repaired within one reassert interval, with a warning naming what status saw', async () => {
    const { clock, provider, driver, logs, reconciled, count } = setup([], undefined, { reassertIntervalMs: 2000, fenced: true });
    provider.report = { status: 'held' };
    driver.want(held(3));
    await clock.advanceTo(1000);
    assert.deepEqual(provider.statusCalls, [], 'no reconcile before the interval');
    await clock.advanceTo(2000);
    assert.deepEqual(provider.statusCalls, [2000]);
    assert.equal(reconciled('ok'), 1, 'held: re-asserted anyway (refreshes the fence record)');
    assert.deepEqual(provider.calls.map((c) => [c.op, c.term, c.reason, c.at]), [['acquire', 3, 'test term 3', 0], ['acquire', 3, 'reassert', 2000]]);
    // Someone moves the address to another instance.
    provider.report = { status: 'not-held', holder: 'i-0b', detail: 'eipalloc-1 is associated with eni-0b' };
    await clock.advanceTo(2500);
    await clock.advanceTo(4000);
    assert.equal(reconciled('repaired'), 1);
    assert.deepEqual(provider.calls.at(-1) && [provider.calls.at(-1)?.op, provider.calls.at(-1)?.term, provider.calls.at(-1)?.reason, provider.calls.at(-1)?.at], ['acquire', 3, 'reassert', 4000]);
    assert.equal(provider.calls.at(-1)?.fenced, true);
    const warn = logs.find((l) => l.level === 'warn' && /status is not-held/.test(l.msg));
    assert.ok(warn, 'a warning says what was seen');
    assert.match(warn.msg, /i-0b/);
    assert.match(warn.msg, /eipalloc-1 is associated with eni-0b/);
    assert.equal(warn.fields.holder, 'i-0b');
    provider.report = { status: 'unknown', detail: 'DescribeAddresses timed out' };
    await clock.advanceTo(6000);
    assert.equal(reconciled('unknown'), 1);
    assert.equal(count('acquire', 'ok'), 4);
    assert.deepEqual(driver.confirmed, held(3));
  });

  it('reconcile: no pass while the confirmed decision is not-held (a backup), nor after stop', async () => {
    const { clock, provider, driver } = setup([], undefined, { reassertIntervalMs: 1000 });
    driver.want(notHeld(1));
    await clock.advanceTo(30_000);
    assert.deepEqual(provider.statusCalls, []);
    assert.equal(provider.calls.length, 1);
    assert.deepEqual(clock.pending(), [], 'no reconcile timer armed for a backup');
    driver.want(held(2));
    await clock.advanceTo(31_000);
    assert.deepEqual(provider.statusCalls, [31_000]);
    await driver.stop();
    assert.deepEqual(clock.pending(), [], 'stop cancels the loop');
    await clock.advanceTo(60_000);
    assert.deepEqual(provider.statusCalls, [31_000]);
  });

  it('reconcile: a new decision ends the loop; a release during a pass aborts it', async () => {
    const { clock, provider, driver, reconciled } = setup([], undefined, { reassertIntervalMs: 1000 });
    provider.report = { status: 'held' };
    driver.want(held(1));
    await clock.advanceTo(500);
    driver.want(notHeld(1));
    await clock.advanceTo(10_000);
    assert.deepEqual(provider.statusCalls, [], 'the stepped-down master does not reconcile');
    driver.want(held(2));
    await clock.advanceTo(10_000);
    provider.report = 'hang';
    await clock.advanceTo(11_000);
    assert.deepEqual(provider.statusCalls, [11_000]);
    driver.want(notHeld(2));
    await clock.advanceTo(11_001);
    assert.equal(provider.statusInflight, 0, 'the pass was aborted');
    assert.deepEqual(provider.calls.map((c) => [c.op, c.term]), [['acquire', 1], ['release', 1], ['acquire', 2], ['release', 2]]);
    assert.equal(reconciled('ok') + reconciled('repaired') + reconciled('error'), 0, 'an aborted pass counts nothing');
    assert.deepEqual(driver.confirmed, notHeld(2));
  });

  it('reconcile: never overlaps a call in flight', async () => {
    const { clock, provider, driver } = setup(['ok', 'hang'], undefined, { reassertIntervalMs: 1000 });
    provider.report = { status: 'not-held' };
    driver.want(held(1));
    await clock.advanceTo(1000); // pass 1: not held; its re-acquire hangs
    await clock.advanceTo(5000);
    assert.deepEqual(provider.statusCalls, [1000], 'no second pass while its acquire is in flight');
    assert.equal(provider.calls.length, 2);
  });

  it('reconcile: a failed re-acquire is counted and takes the normal retry path; the loop resumes after it', async () => {
    const { clock, provider, driver, reconciled } = setup(['ok', boom(), 'ok'], undefined, { reassertIntervalMs: 1000 });
    provider.report = { status: 'held' };
    driver.want(held(1));
    await clock.advanceTo(1000); // pass: acquire fails, retry in 250 ms
    assert.equal(reconciled('error'), 1);
    assert.equal(driver.confirmed, undefined, 'a failed acquire leaves the state unknown');
    await clock.advanceTo(1250);
    assert.deepEqual(provider.calls.map((c) => [c.reason, c.at]), [['test term 1', 0], ['reassert', 1000], ['test term 1', 1250]]);
    await clock.advanceTo(2250);
    assert.deepEqual(provider.statusCalls, [1000, 2250], 'the loop resumes one interval after the retry succeeded');
    assert.equal(reconciled('ok'), 1);
  });

  it('a fenced refusal is not retried with backoff; the decision is re-checked once per reassert interval; a new decision runs at once', async () => {
    const refusal = () => new ProviderError('associating', 'eipalloc-1', 'fenced', { detail: 'node-b holds it at term 9' });
    const { clock, provider, driver, count, logs } = setup([refusal(), refusal()], undefined, { reassertIntervalMs: 5000, fenced: true });
    driver.want(held(3));
    await clock.advanceTo(4999);
    assert.equal(provider.calls.length, 1, 'no retry within the interval');
    assert.equal(count('acquire', 'fenced'), 1);
    assert.equal(count('acquire', 'error'), 0);
    assert.ok(logs.some((l) => l.level === 'warn' && /refused by the fence/.test(l.msg) && /node-b holds it at term 9/.test(l.msg)));
    assert.ok(!logs.some((l) => l.level === 'error'), 'a refusal is not an error');
    await clock.advanceTo(5000);
    assert.equal(provider.calls.length, 2, 're-checked after one interval (the holder\'s record may have gone stale)');
    assert.equal(logs.filter((l) => /refused by the fence/.test(l.msg) && l.level === 'warn').length, 1, 'one warning per decision');
    assert.equal(count('acquire', 'fenced'), 2);
    await clock.advanceTo(7000);
    driver.want(held(4));
    await clock.advanceTo(7000);
    assert.deepEqual(provider.calls.map((c) => [c.term, c.at]), [[3, 0], [3, 5000], [4, 7000]]);
    assert.deepEqual(driver.confirmed, held(4));
  });

  it('backoff by error class: throttled, transient and unclassified fast with jitter, auth/not-found/invalid every maxMs', async () => {
    const policy = { initialMs: 100, maxMs: 5000 };
    const rng = new Rng(7);
    for (const cls of ['throttled', 'transient', undefined] as const) {
      for (let n = 1; n <= 10; n++) {
        const step = Math.min(5000, 100 * 2 ** (n - 1));
        const d = retryDelayMs(policy, cls, n, () => rng.next());
        assert.ok(d > step / 2 && d <= step, `${cls ?? 'unclassified'} failure ${n}: ${d} in (${step / 2}, ${step}]`);
      }
    }
    for (const cls of ['auth', 'not-found', 'invalid'] as const) assert.equal(retryDelayMs(policy, cls, 1, () => 0.5), 5000);
    // In the driver: the jitter spreads the retries, and a class that needs a fix waits maxMs.
    const err = (c: ErrorClass) => new ProviderError('associating', 'eipalloc-1', c);
    const r = new Rng(11);
    const { clock, provider, driver } = setup([err('throttled'), err('transient'), err('throttled'), err('auth'), err('not-found'), err('invalid')], policy, { random: () => r.next() });
    driver.want(held(1));
    await clock.advanceTo(30_000);
    const g = gaps(decided(provider).map((c) => c.at));
    assert.equal(g.length, 6);
    const [a, b, c, ...slow] = g;
    assert.ok(a !== undefined && a > 50 && a <= 100, `first retry ${a}`);
    assert.ok(b !== undefined && b > 100 && b <= 200, `second retry ${b}`);
    assert.ok(c !== undefined && c > 200 && c <= 400, `third retry ${c}`);
    assert.ok(a !== 100 || b !== 200, 'jittered, not the bare steps');
    assert.deepEqual(slow, [5000, 5000, 5000]);
  });
});
