/**
 * Convergence under faults, and the race of a cut-off old master (issue 9, acceptance: "under
 * each injected fault the pair converges to the right owner in 100 % of ≥ 50 seeded runs per
 * fault"; "race test"). Two providers on one resource (two nodes against one fake cloud), each
 * driven by the real ProviderDriver (src/runtime/provider-driver.ts) on the real clock with
 * short retry and reassert intervals; a seeded PRNG decides the timing of each run (when the
 * fault starts, how long before the takeover, which node hears of it first, how long the fault
 * lasts, how many requests or which share of them it hits). Call it from a test file:
 *
 *   convergenceSuite('aws:eip', (seed, setup) => makeEipPair(seed, setup));
 *
 * A failed run prints its seed; `CONV_SEED=N` runs only that seed (replays the decisions; the
 * interleaving of real time may differ), `CONV_RUNS=N` lowers the run count while developing,
 * `CONV_FAULTS=hang,stale-read` picks fault kinds.
 *
 * What a run checks (the holder is read from the fake, never through the providers):
 * - the holder is always one of a, b, none (a cloud address has one holder; an answer outside
 *   that set is reported as impossible);
 * - fault runs: a holds at term T0; the election moves to b at T1 > T0 (b wants held, a wants
 *   not-held) with the fault active (it ends after a seeded 0.1–1 s, or once b has held for
 *   `stayMs`); within `convergeTimeoutMs` b holds and both drivers confirmed their decision;
 *   from the first moment b holds after the move, the holder never changes again, until one
 *   reassert interval after the fault ended (no flapping);
 * - race runs: a is cut off: its driver keeps wanting held at the old term T0 (fenced) and is
 *   told so again and again, while b holds T1: the resource ends on b and stays there past the
 *   fence TTL; a move made behind vipd's back (to a, or to nobody) is repaired by b's reconcile
 *   within reassert_interval (plus `repairSlackMs` for the requests themselves);
 * - the same race under stale reads (eventual consistency, as EC2 documents for Describe*),
 *   at most one reassert interval old: the cut-off master now and then reads "I hold it" after
 *   b took over; what it writes then (its fence record) must not unfence b. One record shared
 *   by all nodes fails this (the stale refresh replaces b's higher term, and a fresh read then
 *   finds a's own record); one record per node passes (test/fakes/memory-cloud.ts).
 */
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { VipProvider } from '../../src/ports/vip-provider.js';
import type { Desired, ProviderDriver, RetryPolicy } from '../../src/runtime/provider-driver.js';
import { FENCE_TTL_FACTOR } from '../../providers/common/fence.js';
import { Rng } from '../sim/rng.js';
import { failOn, readEnv, runAll, SAMPLE_MS, summary, withRun } from './convergence-run.js';

/** The faults every fake injects (issue 9 "what must exist" 7). */
export const FAULT_KINDS = ['throttle', 'server-error', 'hang', 'lost-response', 'stale-read'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

/**
 * One injected fault. Which requests it hits:
 * - throttle: any request is refused as throttled (EC2 RequestLimitExceeded, HTTP 429), not applied;
 * - server-error: any request fails with a 5xx, not applied;
 * - hang: any request gets no answer until the client gives up (its request timeout), not applied;
 * - lost-response: a mutating request is applied, but its answer is lost (the connection drops or a 5xx);
 * - stale-read: a read answers from the state as it was `staleMs` ago (eventual consistency).
 * `times` and `probability` combine: each matching request is hit with `probability` (default 1),
 * until `times` requests were hit (default: until clearFaults()).
 */
export interface FaultSpec {
  readonly kind: FaultKind;
  readonly times?: number;
  readonly probability?: number;
  /** stale-read: how old the answers are (ms). */
  readonly staleMs?: number;
}

export type PairHolder = 'a' | 'b' | 'none';

/** Two nodes' providers on one resource of one fake, with the fake's controls. */
export interface ConvergencePair {
  readonly a: VipProvider;
  readonly b: VipProvider;
  /** Who holds the resource, read from the fake (not through a provider). */
  holder(): Promise<PairHolder>;
  /** Starts a fault; several may be active. */
  inject(fault: FaultSpec): void;
  clearFaults(): void;
  /** Moves the resource as an operator would (console, CLI), leaving vipd's fence record as it is. */
  moveBehindBack(to: PairHolder): Promise<void>;
  dispose(): Promise<void>;
}

/** What the suite tells makePair. */
export interface PairSetup {
  readonly seed: number;
  /**
   * The drivers' reassert interval: build the providers with the same one, so their fence
   * records outlive FENCE_TTL_FACTOR × it (providers/common/fence.ts). Requests should time out
   * well within a run too (a `hang` costs one request timeout): about 300 ms suits.
   */
  readonly reassertIntervalMs: number;
}

export type MakePair = (seed: number, setup: PairSetup) => Promise<ConvergencePair> | ConvergencePair;

export interface ConvergenceOptions {
  /** Seeded runs per fault kind (default 50; the environment's CONV_RUNS may lower it). */
  readonly runs?: number;
  /** Race runs (default 10; CONV_RUNS may lower it). */
  readonly raceRuns?: number;
  /**
   * Runs per fault kind and race runs in `npm test` for a suite whose runs are slow (seconds
   * each: GCP's operations, secondary-ip's `ip` spawns), so the whole test command stays inside
   * CI's budget. `npm run test:convergence` (CONV_FULL=1) always runs `runs` / `raceRuns`.
   */
  readonly quick?: { readonly runs: number; readonly raceRuns: number; readonly concurrency?: number };
  /** Runs of one kind that run at once (default 8): each is mostly waiting on timers. */
  readonly concurrency?: number;
  /** Fault kinds to run (default all). */
  readonly faults?: readonly FaultKind[];
  /** The drivers' reassert interval (default 200 ms). */
  readonly reassertIntervalMs?: number;
  /** The drivers' retry policy (default 20 ms doubling to 200 ms). */
  readonly retry?: RetryPolicy;
  /** ProviderRequest.fenced for both drivers (default true: unicast groups). The race runs need it. */
  readonly fenced?: boolean;
  /** How long a run may take to reach its owner (default 10 s). */
  readonly convergeTimeoutMs?: number;
  /** How long the owner must then stay put (default 2 × reassert interval; race runs 4 ×). */
  readonly stayMs?: number;
  /** A behind-the-back move is repaired within reassert interval + this (default 400 ms). */
  readonly repairSlackMs?: number;
  /** First seed (default 1): runs use seeds first, first + 1, ... */
  readonly firstSeed?: number;
  /** Run the race under stale reads too (default true). */
  readonly staleRace?: boolean;
  /** Skip the whole suite, with the reason printed. */
  readonly skip?: string | false;
}

/** The options a run uses, after defaults and the environment. */
export interface RunOptions {
  readonly reassertIntervalMs: number;
  readonly retry: RetryPolicy;
  readonly fenced: boolean;
  readonly convergeTimeoutMs: number;
  readonly stayMs: number;
  readonly repairSlackMs: number;
}

/** What one run saw; `failure` says what went wrong (undefined: the run passed). */
export interface RunReport {
  readonly seed: number;
  readonly plan: string;
  readonly failure?: string;
  /** Holder changes, ms since the run started: "12 a", "340 b", ... */
  readonly timeline: readonly string[];
  /** The last log lines of both drivers and providers, for a failure. */
  readonly log: readonly string[];
}

export function runOptions(o: ConvergenceOptions = {}): RunOptions {
  const reassertIntervalMs = o.reassertIntervalMs ?? 200;
  return {
    reassertIntervalMs,
    retry: o.retry ?? { initialMs: 20, maxMs: 200 },
    fenced: o.fenced ?? true,
    convergeTimeoutMs: o.convergeTimeoutMs ?? 10_000,
    stayMs: o.stayMs ?? 2 * reassertIntervalMs,
    repairSlackMs: o.repairSlackMs ?? 400,
  };
}

export function convergenceSuite(name: string, makePair: MakePair, o: ConvergenceOptions = {}): void {
  const ro = runOptions(o);
  const env = readEnv();
  const quick = env.full ? undefined : o.quick;
  const concurrency = env.concurrency ?? quick?.concurrency ?? o.concurrency ?? 8;
  const seeds = (runs: number) =>
    env.seed !== undefined ? [env.seed] : Array.from({ length: Math.min(runs, env.runs ?? runs) }, (_, i) => (o.firstSeed ?? 1) + i);
  const kinds = (o.faults ?? FAULT_KINDS).filter((k) => !env.faults || env.faults.includes(k));
  // Generous: a case is a batch of runs; a run that hangs is reported by its own timeout first.
  const caseTimeout = (runs: number) => 60_000 + Math.ceil(runs / concurrency) * (ro.convergeTimeoutMs + 8 * ro.reassertIntervalMs);

  describe(`${name} convergence`, { skip: o.skip || false }, () => {
    for (const kind of kinds) {
      const list = seeds(quick ? quick.runs : o.runs ?? 50);
      it(`under ${kind}: the owner moves to the new master and stays, in ${list.length} seeded runs`, { timeout: caseTimeout(list.length) }, async (t) => {
        const reports = await runAll(list, concurrency, (seed) => faultRun(makePair, kind, seed, ro));
        t.diagnostic(summary(reports));
        failOn(reports, name, kind);
      });
    }
    const race = seeds(quick ? quick.raceRuns : o.raceRuns ?? 10);
    const raceSkip = ro.fenced ? false : 'the race needs fenced terms (unicast groups)';
    it(`race: a cut-off old master keeps acquiring at its old term; the new master keeps the resource and repairs moves behind its back, in ${race.length} seeded runs`, { timeout: caseTimeout(race.length) * 2, skip: raceSkip }, async (t) => {
      const reports = await runAll(race, concurrency, (seed) => raceRun(makePair, seed, ro));
      t.diagnostic(summary(reports));
      failOn(reports, name, 'race');
    });
    it(`race under stale reads: what the cut-off master writes while it reads "I hold it" never lets it take the resource back, in ${race.length} seeded runs`, { timeout: caseTimeout(race.length) * 2, skip: raceSkip || o.staleRace === false && 'staleRace: false' }, async (t) => {
      const reports = await runAll(race, concurrency, (seed) => raceRun(makePair, seed, ro, true));
      t.diagnostic(summary(reports));
      failOn(reports, name, 'race-stale');
    });
  });
}

/** One seeded run of the takeover under `kind`. Never throws: the report says what failed. */
export async function faultRun(makePair: MakePair, kind: FaultKind, seed: number, ro: RunOptions): Promise<RunReport> {
  const rng = new Rng(seed * 7919 + FAULT_KINDS.indexOf(kind));
  const t0 = rng.int(1, 20);
  const t1 = t0 + rng.int(1, 3);
  const fault: FaultSpec = {
    kind,
    ...(rng.chance(0.5) ? { times: rng.int(1, 4) } : { probability: rng.pick([0.2, 0.35, 0.5]) }),
    ...(kind === 'stale-read' ? { staleMs: rng.int(20, 2 * ro.reassertIntervalMs) } : {}),
  };
  const injectOffsetMs = rng.int(-60, 60); // < 0: the fault starts before the move
  const skewMs = rng.int(0, 40);
  const firstToHear = rng.pick(['a', 'b'] as const);
  const faultWindowMs = rng.int(100, 1_000);
  const settleMs = rng.int(0, ro.reassertIntervalMs);
  const plan = `T0=${t0} T1=${t1} fault=${JSON.stringify(fault)} inject=${injectOffsetMs}ms-from-move ${firstToHear}-hears-first skew=${skewMs}ms fault-window=${faultWindowMs}ms after-a-holds=${settleMs}ms`;

  return withRun(makePair, seed, plan, ro, async (run) => {
    run.want('a', held(t0, 'a wins the first election'));
    run.want('b', notHeld(t0, 'b is backup'));
    await run.until('a holds at T0', () => run.is('a') && confirmed(run.drivers.a, 'held', t0), ro.convergeTimeoutMs);
    await sleep(settleMs);

    // The fault lasts faultWindowMs, or until b has held the resource for stayMs.
    const endFault = new AbortController();
    const inject = async (): Promise<void> => {
      run.pair.inject(fault);
      run.mark(`inject ${fault.kind}`);
      await sleep(faultWindowMs, undefined, { signal: endFault.signal }).catch(() => undefined);
      run.pair.clearFaults();
      run.mark('faults cleared');
    };
    const move = async (): Promise<void> => {
      run.mark(`move to b at T1=${t1}`);
      const b = () => run.want('b', held(t1, 'b is the new master'));
      const a = () => run.want('a', notHeld(t1, 'a heard a higher term'));
      (firstToHear === 'b' ? b : a)();
      await sleep(skewMs);
      (firstToHear === 'b' ? a : b)();
      // When b hears first, both drivers want the resource during the skew: two masters acting
      // in the same instant, which the agent's leases forbid (docs/leases.md) and no fence can
      // order, since reads may be stale and the record is not written atomically with the
      // association (providers/common/fence.ts). So a may still win the resource back during
      // the skew (seen once: a's reconcile read a 301 ms stale "not-held" 5 ms after b
      // acquired). Once a has been told, it must never take it again.
      if (firstToHear === 'b') await run.lockFromNow('b', 'after a was told to release');
    };
    // A correct pair never takes the resource back from b once b has it after the move (a
    // release needs a's own association; an old acquire is aborted or not current).
    if (firstToHear === 'a') run.lockOnce('b', 'after b first held it');
    let faultDone: Promise<void>;
    if (injectOffsetMs < 0) {
      faultDone = inject();
      await sleep(-injectOffsetMs);
      await move();
    } else {
      await move();
      await sleep(Math.max(0, injectOffsetMs - skewMs));
      faultDone = inject();
    }
    await run.until('b holds at T1, confirmed by both drivers', () => run.is('b') && confirmed(run.drivers.b, 'held', t1) && confirmed(run.drivers.a, 'not-held', t1), ro.convergeTimeoutMs);
    await run.stays('b', ro.stayMs, 'after converging');
    endFault.abort();
    await faultDone;
    await run.stays('b', ro.reassertIntervalMs, 'after the faults were cleared');
  });
}

/** One seeded race run: a cut-off old master against a new one, and moves behind their backs. */
/**
 * One seeded race run: a cut-off old master against a new one, and moves behind their backs.
 * With `staleReads`, reads answer from an older state (a seeded share of them, seeded
 * staleness) while the cut-off master keeps acquiring: it then reads "I hold it" now and then
 * after the new master took over, and whatever it writes on that belief (its fence record)
 * must not let it take the resource back.
 */
export async function raceRun(makePair: MakePair, seed: number, ro: RunOptions, staleReads = false): Promise<RunReport> {
  const rng = new Rng(seed * 104_729 + (staleReads ? 2 : 1));
  const t0 = rng.int(1, 20);
  const t1 = t0 + rng.int(1, 3);
  // Its election re-decides more often than the driver's own fenced re-check (once per reassert
  // interval), to widen every window in which an old call could land.
  const hammerMs = rng.int(Math.max(5, ro.reassertIntervalMs / 4), ro.reassertIntervalMs / 2);
  const moves = rng.shuffle(['a', 'none'] as const);
  const afterMoveMs = moves.map(() => rng.int(0, ro.reassertIntervalMs));
  const stale: FaultSpec | undefined = staleReads
    ? // Reads staler than TTL − reassert would make a live record look expired: no fence survives that.
      { kind: 'stale-read', probability: rng.pick([0.35, 0.5, 0.75]), staleMs: rng.int(ro.reassertIntervalMs / 2, ro.reassertIntervalMs) }
    : undefined;
  const plan = `T0=${t0} T1=${t1} a-retries-every=${hammerMs}ms behind-back=${moves.join(',')} at +${afterMoveMs.join(',+')}ms${stale ? ` fault=${JSON.stringify(stale)} until the moves` : ''}`;

  return withRun(makePair, seed, plan, ro, async (run) => {
    const oldTerm = held(t0, 'a: still master, cut off from the others');
    run.want('a', oldTerm);
    run.want('b', notHeld(t0, 'b is backup'));
    await run.until('a holds at T0', () => run.is('a') && confirmed(run.drivers.a, 'held', t0), ro.convergeTimeoutMs);

    if (stale) {
      run.pair.inject(stale);
      run.mark('inject stale-read');
      // Every stale answer shows a holding from now on (none from before a took it): what a
      // reads after b's takeover is "I hold it, with only my record", or the truth.
      await sleep((stale.staleMs ?? 0) + 2 * SAMPLE_MS);
    }
    run.mark(`b takes over at T1=${t1}; a never hears of it`);
    run.want('b', held(t1, 'b is the new master'));
    // The cut-off master "keeps sending what it likes": its election says held at T0 again and
    // again, and each time the driver tries at once (the same decision, its retries reset).
    const hammer = setInterval(() => run.want('a', oldTerm), hammerMs);
    try {
      run.lockOnce('b', stale ? 'while the cut-off master keeps acquiring (reads stale)' : 'while the cut-off master keeps acquiring');
      await run.until('b holds at T1', () => run.is('b') && confirmed(run.drivers.b, 'held', t1), ro.convergeTimeoutMs);
      // Past the fence TTL: b's reconcile must keep its record fresh, or a would take it back.
      await run.stays('b', Math.max(ro.stayMs, (FENCE_TTL_FACTOR + 1) * ro.reassertIntervalMs), 'while the cut-off master keeps acquiring');
      if (stale) {
        run.pair.clearFaults();
        run.mark('faults cleared');
      }
      for (const [i, to] of moves.entries()) {
        await sleep(afterMoveMs[i] ?? 0);
        run.lockOnce(undefined, '');
        run.mark(`moved behind vipd's back to ${to}`);
        await run.pair.moveBehindBack(to);
        await run.until(`b's reconcile repairs the move to ${to}`, () => run.is('b'), ro.reassertIntervalMs + ro.repairSlackMs);
        run.lockOnce('b', `after repairing the move to ${to}`);
        await run.stays('b', ro.stayMs, `after repairing the move to ${to}`);
      }
    } finally {
      clearInterval(hammer);
    }
  });
}

// ---------------------------------------------------------------------------------------------

const held = (term: number, reason: string): Desired => ({ kind: 'held', term, reason });
const notHeld = (term: number, reason: string): Desired => ({ kind: 'not-held', term, reason });

function confirmed(d: ProviderDriver, kind: Desired['kind'], term: number): boolean {
  const c = d.confirmed;
  return c !== undefined && c.kind === kind && c.term === term;
}
