/**
 * The run harness of the convergence suite (convergence.ts): builds the pair and its two
 * ProviderDrivers, samples the holder every few milliseconds into a timeline, waits for
 * conditions with a bound, checks that the holder stays put, and turns all of it into a
 * RunReport (with the seed, the plan and the last log lines) instead of throwing. Also the
 * batch runner and the environment knobs (CONV_SEED, CONV_RUNS, CONV_FAULTS).
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { VipProvider } from '../../src/ports/vip-provider.js';
import { ProviderDriver, type Desired } from '../../src/runtime/provider-driver.js';
import { recordingLogger, type LogLine } from '../fakes/recording-logger.js';
import { FENCE_TTL_FACTOR } from '../../providers/common/fence.js';
import { Rng } from '../sim/rng.js';
import { FAULT_KINDS, type ConvergencePair, type MakePair, type PairHolder, type RunOptions, type RunReport } from './convergence.js';

class RunFailure extends Error {}

export interface Run {
  readonly pair: ConvergencePair;
  readonly drivers: { readonly a: ProviderDriver; readonly b: ProviderDriver };
  want(node: 'a' | 'b', d: Desired): void;
  /** Whether the last sample of the holder is `h`. */
  is(h: PairHolder): boolean;
  /** Waits (sampling) until `cond` holds; fails the run after `timeoutMs`. */
  until(what: string, cond: () => boolean, timeoutMs: number): Promise<void>;
  /** The holder must be `h` at every sample for `ms`. */
  stays(h: PairHolder, ms: number, when: string): Promise<void>;
  /** From the first sample taken after this call that is `h` on, every sample must be `h` (undefined: no longer). */
  lockOnce(h: PairHolder | undefined, when: string): void;
  /** Takes a fresh sample; from it on (or from the first sample that is `h`), every sample must be `h`. */
  lockFromNow(h: PairHolder, when: string): Promise<void>;
  mark(event: string): void;
}

/** How often the holder is read (ms). */
export const SAMPLE_MS = 5;
const VALID_HOLDERS: ReadonlySet<string> = new Set<PairHolder>(['a', 'b', 'none']);

export async function withRun(makePair: MakePair, seed: number, plan: string, ro: RunOptions, body: (run: Run) => Promise<void>): Promise<RunReport> {
  const started = performance.now();
  const timeline: string[] = [];
  const lines: LogLine[] = [];
  const at = () => Math.round(performance.now() - started);
  let pair: ConvergencePair | undefined;
  let failure: string | undefined;
  let sampler: Promise<void> | undefined;
  let sampling = true;
  const drivers: { a?: ProviderDriver; b?: ProviderDriver } = {};
  try {
    pair = await makePair(seed, { seed, reassertIntervalMs: ro.reassertIntervalMs });
    const p = pair;
    const metrics = new MetricsRegistry();
    const jitter = new Rng(seed * 31 + 7);
    const driverFor = (node: 'a' | 'b', provider: VipProvider) =>
      new ProviderDriver(provider, 'vip', systemClock, recordingLogger(lines, { node }), metrics, ro.retry, undefined, {
        fenced: ro.fenced,
        reassertIntervalMs: ro.reassertIntervalMs,
        random: () => jitter.next(),
      });
    const lastAcquired: Record<'a' | 'b', number | undefined> = { a: undefined, b: undefined };
    const d = { a: driverFor('a', timed(p.a, (t) => (lastAcquired.a = t))), b: driverFor('b', timed(p.b, (t) => (lastAcquired.b = t))) };
    const ttlMs = FENCE_TTL_FACTOR * ro.reassertIntervalMs;
    /** A flap whose holder had not re-asserted for about a fence TTL: its record may have expired. */
    const starved = (h: PairHolder): string => {
      if (h === 'none' || lastAcquired[h] === undefined) return '';
      const since = Math.round(performance.now() - (lastAcquired[h] ?? 0));
      return since > ttlMs - ro.reassertIntervalMs
        ? ` (${h}'s last acquire finished ${since} ms before, near the fence TTL of ${ttlMs} ms: its fence record may have expired because ${h} was too slow to re-assert; if the machine is overloaded, raise reassertIntervalMs)`
        : '';
    };
    Object.assign(drivers, d);

    let last: PairHolder | undefined;
    let impossible: string | undefined;
    let lock: { holder: PairHolder; when: string; reached: boolean } | undefined;
    const sample = async (): Promise<void> => {
      const h: unknown = await p.holder();
      if (typeof h !== 'string' || !VALID_HOLDERS.has(h)) {
        impossible ??= `the fake reported an impossible holder ${JSON.stringify(h)} at ${at()} ms`;
        return;
      }
      if (h !== last) timeline.push(`${at()} ${h}`);
      last = h as PairHolder;
      if (lock && h === lock.holder) lock.reached = true;
      else if (lock?.reached) impossible ??= `flapped ${lock.when}: the holder went from ${lock.holder} to ${h} at ${at()} ms${starved(lock.holder)}`;
    };
    await sample();
    sampler = (async () => {
      while (sampling) {
        await sample();
        await sleep(SAMPLE_MS);
      }
    })();
    const check = (): void => {
      if (impossible) throw new RunFailure(impossible);
    };
    const run: Run = {
      pair: p,
      drivers: d,
      want: (node, desired) => d[node].want(desired),
      is: (h) => last === h,
      until: async (what, cond, timeoutMs) => {
        const deadline = performance.now() + timeoutMs;
        for (;;) {
          await sample(); // fresh: the condition never sees a holder from before the last step
          check();
          if (cond()) return;
          if (performance.now() > deadline) throw new RunFailure(`not converged within ${timeoutMs} ms: ${what} (holder ${last ?? '?'}, a confirmed ${describeDesired(d.a.confirmed)}, b confirmed ${describeDesired(d.b.confirmed)})`);
          await sleep(SAMPLE_MS);
        }
      },
      stays: async (h, ms, when) => {
        const from = timeline.length;
        const end = performance.now() + ms;
        while (performance.now() < end) {
          await sample();
          check();
          if (last !== h) throw new RunFailure(`flapped ${when}: holder ${last ?? '?'} instead of ${h} (${timeline.slice(from).join(', ')})${starved(h)}`);
          await sleep(SAMPLE_MS);
        }
        check();
        if (last !== h) throw new RunFailure(`flapped ${when}: holder ${last ?? '?'} instead of ${h}${starved(h)}`);
      },
      lockOnce: (h, when) => {
        // Not `last === h`: the last sample may predate a move that already happened.
        lock = h === undefined ? undefined : { holder: h, when, reached: false };
      },
      lockFromNow: async (h, when) => {
        await sample();
        lock = { holder: h, when, reached: last === h };
      },
      mark: (event) => timeline.push(`${at()} [${event}]`),
    };
    await body(run);
  } catch (err) {
    failure = err instanceof RunFailure ? err.message : `the run threw: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`;
  } finally {
    sampling = false;
    await sampler;
    drivers.a?.halt();
    drivers.b?.halt();
    try {
      await pair?.dispose();
    } catch (err) {
      failure ??= `dispose failed: ${String(err)}`;
    }
  }
  const log = failure ? lines.slice(-40).map((l) => `${String(l.fields['node'] ?? '')} ${l.level} ${l.msg}`) : [];
  return { seed, plan, timeline, log, ...(failure !== undefined ? { failure } : {}) };
}

/** The provider, noting when each acquire succeeded. */
function timed(p: VipProvider, acquired: (at: number) => void): VipProvider {
  return {
    kind: p.kind,
    validate: (signal) => p.validate(signal),
    status: (signal) => p.status(signal),
    acquire: async (req) => {
      await p.acquire(req);
      acquired(performance.now());
    },
    release: (req) => p.release(req),
    close: async () => p.close?.(),
  };
}

function describeDesired(d: Desired | undefined): string {
  return d ? `${d.kind}@${d.term}` : 'nothing';
}

/** Runs `run` for every seed, `concurrency` at a time; stops starting new runs after a failure. */
export async function runAll(seeds: readonly number[], concurrency: number, run: (seed: number) => Promise<RunReport>): Promise<RunReport[]> {
  const reports: RunReport[] = [];
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < seeds.length) {
      const seed = seeds[next++] as number;
      const r = await run(seed);
      reports.push(r);
      if (r.failure) failed = true;
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, concurrency) }, worker));
  return reports.sort((x, y) => x.seed - y.seed);
}

export function summary(reports: readonly RunReport[]): string {
  const failed = reports.filter((r) => r.failure).length;
  return `${reports.length - failed}/${reports.length} runs converged${failed ? `; failed seeds ${reports.filter((r) => r.failure).map((r) => r.seed).join(', ')}` : ''}`;
}

export function failOn(reports: readonly RunReport[], name: string, what: string): void {
  const bad = reports.find((r) => r.failure);
  if (!bad) return;
  assert.fail([
    `${name} ${what}: seed ${bad.seed} failed: ${bad.failure}`,
    `  plan: ${bad.plan}`,
    `  holder timeline (ms): ${bad.timeline.join(', ')}`,
    `  replay: CONV_SEED=${bad.seed}${what.startsWith('race') ? '' : ` CONV_FAULTS=${what}`} node --import tsx --test <this test file>`,
    '  last log lines:',
    ...bad.log.map((l) => `    ${l}`),
  ].join('\n'));
}

export interface Env {
  /** CONV_FULL=1: every suite runs its full counts (`npm run test:convergence`). */
  readonly full: boolean;
  /** CONV_CONCURRENCY=N: runs at once, overriding the suite's choice (an idle machine takes more). */
  readonly concurrency?: number;
  readonly seed?: number;
  readonly runs?: number;
  readonly faults?: readonly string[];
}

export function readEnv(): Env {
  const int = (name: string): number | undefined => {
    const v = process.env[name];
    if (v === undefined || v === '') return undefined;
    const n = Number(v);
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`${name}=${v}: expected a whole number`);
    return n;
  };
  const seed = int('CONV_SEED');
  const runs = int('CONV_RUNS');
  const faults = process.env['CONV_FAULTS']?.split(',').map((f) => f.trim()).filter(Boolean);
  for (const f of faults ?? []) {
    if (!(FAULT_KINDS as readonly string[]).includes(f)) throw new Error(`CONV_FAULTS: unknown fault ${f} (known: ${FAULT_KINDS.join(', ')})`);
  }
  const full = process.env['CONV_FULL'] === '1';
  const concurrency = int('CONV_CONCURRENCY');
  return { full, ...(concurrency ? { concurrency } : {}), ...(seed !== undefined ? { seed } : {}), ...(runs !== undefined ? { runs } : {}), ...(faults ? { faults } : {}) };
}
