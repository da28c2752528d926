/**
 * The conformance suite every VipProvider must pass (js-libp2p keeps one compliance suite per
 * interface; ClusterLabs resource agents make every action idempotent). Call it from a test file:
 *
 *   providerConformance('noop', () => ({ provider, observe }));
 *
 * Each case gets a fresh subject from `makeProvider` and disposes it afterwards, also on failure.
 * `observe`, when given, reads the truth without the provider (the interface's addresses, a fake
 * cloud's table): status() must agree with it after every step, including after an abort.
 *
 * Cloud subjects also give a `rival` (a provider for a second node on the same resource) and
 * `sent()` (requests the fake received): then the cases of CLOUD_CASES check taking the
 * resource, the cross-node fence (providers/common/fence.ts), "not sent when not current"
 * (providers/common/cloud-call.ts) and that repeated calls repeat no mutation. A case whose
 * needs the subject lacks is skipped with the reason printed.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ERROR_CLASSES, ProviderError, type ErrorClass, type ProviderRequest, type VipProvider, type VipStatus } from '../../src/ports/vip-provider.js';

export interface ConformanceSubject {
  readonly provider: VipProvider;
  /** Whether the VIP is in place, read independently of the provider. */
  readonly observe?: () => Promise<'held' | 'not-held'>;
  /** Runs after each case, also when it failed: release leftovers, stop timers. */
  readonly dispose?: () => Promise<void>;
  /**
   * The same resource seen from another node: a provider built for a second instance (another
   * node id) against the same fake. Its fence TTL must outlast a case (the default
   * reassert_interval of 10 s gives 30 s).
   */
  readonly rival?: VipProvider;
  /** API requests the fake received so far (every request, reads included). */
  readonly sent?: () => number;
  /**
   * Optional: the requests among sent() that change state (anything but a read). When given,
   * the idempotence cases also compare these.
   */
  readonly mutations?: () => number;
  /** Who holds the resource, read from the fake without either provider. */
  readonly observeHolder?: () => Promise<'self' | 'rival' | 'none'>;
}

/** What a case needs beyond `provider`. */
export type SubjectNeed = 'rival' | 'sent';

/** A case of the suite that needs more than a provider (and can be run alone, e.g. against a broken provider). */
export interface ConformanceCase {
  readonly name: string;
  readonly needs: readonly SubjectNeed[];
  readonly run: (s: ConformanceSubject) => Promise<void>;
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

    for (const c of CLOUD_CASES) {
      it(c.name, { timeout }, async (t) => {
        const subject = await makeProvider();
        try {
          const lacking = missingNeeds(subject, c.needs);
          if (lacking) {
            t.diagnostic(`skipped: ${lacking}`);
            t.skip(lacking);
            return;
          }
          await c.run(subject);
        } finally {
          await subject.dispose?.();
        }
      });
    }
  });
}

/** Why a subject cannot run a case (undefined: it can). */
export function missingNeeds(s: ConformanceSubject, needs: readonly SubjectNeed[]): string | undefined {
  const lacking = needs.filter((n) => s[n] === undefined);
  if (lacking.length === 0) return undefined;
  return `the subject gives no ${lacking.join(' and no ')} (${lacking.map((n) => NEED_TEXT[n]).join('; ')})`;
}

const NEED_TEXT: Record<SubjectNeed, string> = {
  rival: 'a second node on the same resource',
  sent: 'a count of the requests the fake received',
};

/**
 * The cases that need a rival or a request count: what makes a cloud provider safe when two
 * nodes (or one node's old and new decisions) race for one resource.
 */
export const CLOUD_CASES: readonly ConformanceCase[] = [
  {
    name: 'status() returns a StatusReport with a non-empty detail, held or not',
    needs: [],
    run: async (s) => {
      await expectDetail(s.provider, 'before any call');
      await s.provider.acquire(request(1));
      await expectDetail(s.provider, 'while held');
      await s.provider.release(request(1));
      await expectDetail(s.provider, 'after release');
    },
  },
  {
    name: 'acquire takes the resource from the rival (a higher term): self holds, the rival does not',
    needs: ['rival'],
    run: async (s) => {
      const rival = need(s.rival);
      await rival.acquire(fencedAt(1));
      await expectBoth(s, 'rival');
      await s.provider.acquire(fencedAt(2));
      await expectBoth(s, 'self');
      await s.provider.release(request(2));
      await expectBoth(s, 'none');
    },
  },
  {
    name: 'release never takes from another holder: while the rival holds, self releasing changes nothing',
    needs: ['rival'],
    run: async (s) => {
      const rival = need(s.rival);
      await rival.acquire(fencedAt(1));
      await s.provider.release(fencedAt(2));
      await expectBoth(s, 'rival');
      // The old master releasing late, after the rival took the resource from it.
      await s.provider.acquire(fencedAt(3));
      await rival.acquire(fencedAt(4));
      await expectBoth(s, 'rival');
      await s.provider.release(fencedAt(3));
      await expectBoth(s, 'rival');
      await rival.release(request(4));
      await expectBoth(s, 'none');
    },
  },
  {
    name: 'fencing: a lower fenced term is refused while the rival holds a fresh higher one; unfenced (VRRP) it takes',
    needs: ['rival'],
    run: async (s) => {
      const rival = need(s.rival);
      await rival.acquire(fencedAt(7));
      await expectRejection(s.provider.acquire(fencedAt(5)), 'fenced', 'acquire at term 5 while the rival holds term 7');
      await expectBoth(s, 'rival');
      // Releasing what it does not hold must not mark the rival's record released either.
      await s.provider.release(fencedAt(5));
      await expectRejection(s.provider.acquire(fencedAt(5)), 'fenced', 'acquire at term 5 after releasing nothing, while the rival holds term 7');
      await expectBoth(s, 'rival');
      await s.provider.acquire(request(5, live(), { fenced: false }));
      await expectBoth(s, 'self');
      await s.provider.release(request(5));
    },
  },
  {
    name: 'a released fence record fences nobody: the rival released term 7, self takes it at term 5',
    needs: ['rival'],
    run: async (s) => {
      const rival = need(s.rival);
      await rival.acquire(fencedAt(7));
      await rival.release(fencedAt(7));
      await expectBoth(s, 'none');
      await s.provider.acquire(fencedAt(5));
      await expectBoth(s, 'self');
      await s.provider.release(request(5));
    },
  },
  {
    name: 'a request that is no longer current sends nothing and rejects with class fenced',
    needs: ['sent'],
    run: async (s) => {
      const sent = need(s.sent);
      let before = sent();
      await expectRejection(s.provider.acquire(request(1, live(), { isCurrent: () => false })), 'fenced', 'acquire that is not current');
      assert.equal(sent() - before, 0, 'an acquire whose decision is not current sent requests');
      await expectStatus(s, 'not-held');
      await s.provider.acquire(request(2));
      before = sent();
      await expectRejection(s.provider.release(request(3, live(), { isCurrent: () => false })), 'fenced', 'release that is not current');
      assert.equal(sent() - before, 0, 'a release whose decision is not current sent requests');
      await expectStatus(s, 'held');
      // Current for the first check only: it may send one request, never a second.
      await s.provider.release(request(4));
      let checks = 0;
      before = sent();
      await settle(s.provider.acquire(request(5, live(), { fenced: true, isCurrent: () => checks++ === 0 })), 'fenced');
      assert.ok(sent() - before <= 1, `an acquire superseded after its first request sent ${sent() - before} requests`);
      await expectTruthful(s);
      await s.provider.release(request(6));
      await expectStatus(s, 'not-held');
    },
  },
  {
    name: 'acquire when already held (and release when not) repeats no mutation: it sends fewer requests than the first',
    needs: ['sent'],
    run: async (s) => {
      const first = await cost(s, () => s.provider.acquire(fencedAt(1)));
      const again = await cost(s, () => s.provider.acquire(fencedAt(1)));
      const newTerm = await cost(s, () => s.provider.acquire(fencedAt(2)));
      await expectStatus(s, 'held');
      expectCheaper(again, first, 'a second acquire at the same term');
      expectCheaper(newTerm, first, 'an acquire at a new term while held');
      const release = await cost(s, () => s.provider.release(fencedAt(2)));
      const releaseAgain = await cost(s, () => s.provider.release(fencedAt(2)));
      await expectStatus(s, 'not-held');
      expectCheaper(releaseAgain, release, 'a second release');
    },
  },
];

function live(): AbortSignal {
  return new AbortController().signal;
}

function request(term: number, signal: AbortSignal = live(), extra: Pick<ProviderRequest, 'fenced' | 'isCurrent'> = {}): ProviderRequest {
  return { term, reason: `conformance term ${term}`, signal, ...extra };
}

/** A request of a unicast group: its term is ordered across the cluster, so the fence applies. */
function fencedAt(term: number): ProviderRequest {
  return request(term, live(), { fenced: true });
}

function need<T>(x: T | undefined): T {
  if (x === undefined) throw new Error('the case runs only for subjects that have what it needs');
  return x;
}

/** A rejection must be a ProviderError naming its operation, subject and class. */
function expectProviderError(err: unknown, what: string): ProviderError {
  assert.ok(err instanceof ProviderError, `${what}: rejections must be ProviderErrors, got ${String(err)}`);
  assert.ok(err.operation.length > 0 && err.subject.length > 0, `${what}: a ProviderError names its operation and subject`);
  assert.ok(ERROR_CLASSES.includes(err.errorClass), `${what}: unknown error class ${String(err.errorClass)}`);
  return err;
}

/** Waits for a call that may fail; a failure must be a ProviderError (of class `only`, when given). */
async function settle(call: Promise<void>, only?: ErrorClass): Promise<void> {
  try {
    await call;
  } catch (err) {
    const e = expectProviderError(err, 'a call that may fail');
    if (only) assert.equal(e.errorClass, only, `expected class ${only}: ${e.message}`);
  }
}

async function expectRejection(call: Promise<void>, errorClass: ErrorClass, what: string): Promise<void> {
  let outcome: unknown = 'resolved';
  try {
    await call;
  } catch (err) {
    outcome = err;
  }
  assert.notEqual(outcome, 'resolved', `${what} succeeded; it must reject with class ${errorClass}`);
  const e = expectProviderError(outcome, what);
  assert.equal(e.errorClass, errorClass, `${what}: expected class ${errorClass}, got ${e.errorClass} (${e.message})`);
}

async function expectDetail(p: VipProvider, when: string): Promise<void> {
  const report = await p.status(live());
  assert.ok(typeof report.detail === 'string' && report.detail.trim().length > 0, `status() ${when} gave no detail (${JSON.stringify(report)})`);
}

/** Self's and the rival's status agree with who holds it (and with observeHolder, when given). */
async function expectBoth(s: ConformanceSubject, holder: 'self' | 'rival' | 'none'): Promise<void> {
  const rival = need(s.rival);
  const mine = await s.provider.status(live());
  const theirs = await rival.status(live());
  assert.equal(mine.status, holder === 'self' ? 'held' : 'not-held', `self's status (${mine.detail ?? ''}) when ${holder} should hold`);
  assert.equal(theirs.status, holder === 'rival' ? 'held' : 'not-held', `the rival's status (${theirs.detail ?? ''}) when ${holder} should hold`);
  if (s.observeHolder) assert.equal(await s.observeHolder(), holder, 'the fake says another node holds the resource');
  if (s.observe) assert.equal(await s.observe(), holder === 'self' ? 'held' : 'not-held', 'status() disagrees with what is really there');
}

interface Cost {
  readonly sent: number;
  readonly mutations: number | undefined;
}

async function cost(s: ConformanceSubject, call: () => Promise<void>): Promise<Cost> {
  const sent = need(s.sent);
  const before = { sent: sent(), mutations: s.mutations?.() };
  await call();
  return { sent: sent() - before.sent, mutations: before.mutations === undefined ? undefined : (s.mutations?.() ?? 0) - before.mutations };
}

/**
 * The repeated call may read (and refresh the fence record), but not do the move again:
 * it sends strictly fewer requests, and strictly fewer mutating ones, than the first.
 */
function expectCheaper(repeat: Cost, first: Cost, what: string): void {
  assert.ok(repeat.sent < first.sent, `${what} sent ${repeat.sent} requests, the first ${first.sent}: a repeat must not redo the change`);
  if (repeat.mutations !== undefined && first.mutations !== undefined) {
    assert.ok(repeat.mutations < first.mutations, `${what} sent ${repeat.mutations} mutating requests, the first ${first.mutations}`);
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
