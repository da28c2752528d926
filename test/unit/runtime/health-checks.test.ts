/**
 * HealthChecks (src/runtime/health-checks.ts) on a virtual clock with scripted probes: the first
 * run at once, the interval, a hung probe aborted at its timeout as a failure, no overlapping
 * runs, and what reaches the tracking groups (weight, Fault before the first result and after
 * `fall` failures, cleared after `rise` successes).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import type { HealthProbe, ProbeOutcome } from '../../../src/ports/health-probe.js';
import { HealthChecks, type HealthTarget } from '../../../src/runtime/health-checks.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

/** A probe that answers from a script: each run takes `ms` and returns `ok`, or hangs (undefined). */
function scripted(clock: VirtualClock, plan: Array<{ ok: boolean; ms: number } | 'hang'>): HealthProbe & { runs: number; aborted: number } {
  const p = {
    runs: 0,
    aborted: 0,
    run(signal: AbortSignal): Promise<ProbeOutcome> {
      const step = plan[Math.min(p.runs, plan.length - 1)] ?? 'hang';
      p.runs++;
      return new Promise((resolve) => {
        signal.addEventListener('abort', () => {
          p.aborted++;
          resolve({ ok: true, detail: 'answered after the abort' });
        }, { once: true });
        if (step !== 'hang') clock.schedule(clock.now() + step.ms, () => resolve({ ok: step.ok, detail: step.ok ? 'exit 0' : 'exit 1' }));
      });
    },
  };
  return p;
}

function target(tracks: HealthTarget['tracks']) {
  const calls: string[] = [];
  const t: HealthTarget = {
    group: 'web', tracks,
    setHealthWeight: (w) => calls.push(`weight ${w}`),
    raiseFault: (r, reason) => calls.push(`fault ${r}: ${reason ?? ''}`),
    clearFault: (r) => calls.push(`clear ${r}`),
  };
  return { t, calls };
}

const settle = () => new Promise((r) => setImmediate(r));
async function advance(clock: VirtualClock, to: number): Promise<void> {
  while (clock.now() < to) {
    clock.runUntil(Math.min(to, clock.now() + 10));
    await settle();
  }
}

describe('health checks at run time', () => {
  it('weight 0: Fault before the first result, cleared by a success, raised again after fall failures', async () => {
    const clock = new VirtualClock();
    const probe = scripted(clock, [{ ok: true, ms: 5 }, { ok: false, ms: 5 }, { ok: false, ms: 5 }, { ok: true, ms: 5 }]);
    const { t, calls } = target([{ check: 'app', weight: 0 }]);
    const hc = new HealthChecks({ checks: [{ params: { name: 'app', rise: 1, fall: 2 }, intervalMs: 1000, timeoutMs: 500, probe }], targets: [t], clock, logger: silentLogger, metrics: new MetricsRegistry() });
    hc.start();
    assert.deepEqual(calls, ['fault check:app: check app has not run yet']);
    await advance(clock, 10);
    assert.deepEqual(calls.slice(1), ['clear check:app']);
    await advance(clock, 1010);
    assert.equal(calls.length, 2, 'one failure is not enough (fall 2)');
    await advance(clock, 2010);
    assert.deepEqual(calls.slice(2), ['fault check:app: check app failing (exit 1)']);
    await advance(clock, 3010);
    assert.deepEqual(calls.slice(3), ['clear check:app']);
    assert.equal(probe.runs, 4, 'once at start, then every interval');
    hc.stop();
  });

  it('a hung probe is aborted at its timeout and counts as a failure; the next tick does not overlap a run in flight', async () => {
    const clock = new VirtualClock();
    const probe = scripted(clock, ['hang']);
    const { t, calls } = target([{ check: 'app', weight: -50 }]);
    const metrics = new MetricsRegistry();
    const hc = new HealthChecks({ checks: [{ params: { name: 'app', rise: 1, fall: 1 }, intervalMs: 1000, timeoutMs: 300, probe }], targets: [t], clock, logger: silentLogger, metrics });
    hc.start();
    assert.deepEqual(calls, ['weight -50'], 'not run yet: failing, so the negative weight applies');
    await advance(clock, 310);
    assert.equal(probe.aborted, 1);
    const s = hc.states().get('app');
    assert.equal(s?.status, 'failed');
    assert.match(s?.history.at(-1)?.detail ?? '', /^timed out after 300 ms$/);
    assert.equal(metrics.get('vipd_check_results_total', { check: 'app', result: 'failure' }), 1);
    hc.stop();

    // A probe slower than the interval (timeout = interval) never runs twice at once.
    const slow = scripted(clock, ['hang']);
    const hc2 = new HealthChecks({ checks: [{ params: { name: 'slow', rise: 1, fall: 1 }, intervalMs: 100, timeoutMs: 100, probe: slow }], targets: [], clock, logger: silentLogger, metrics });
    hc2.start();
    await advance(clock, clock.now() + 1000);
    assert.ok(slow.runs <= 10 && slow.runs >= 5, `runs ${slow.runs}`);
    hc2.stop();
  });

  it('positive and negative weights add up across checks; only changes are sent', async () => {
    const clock = new VirtualClock();
    const up = scripted(clock, [{ ok: true, ms: 1 }]);
    const down = scripted(clock, [{ ok: false, ms: 1 }]);
    const { t, calls } = target([{ check: 'up', weight: 20 }, { check: 'down', weight: -30 }]);
    const hc = new HealthChecks({
      checks: [
        { params: { name: 'up', rise: 1, fall: 1 }, intervalMs: 500, timeoutMs: 100, probe: up },
        { params: { name: 'down', rise: 1, fall: 1 }, intervalMs: 500, timeoutMs: 100, probe: down },
      ],
      targets: [t], clock, logger: silentLogger, metrics: new MetricsRegistry(),
    });
    hc.start();
    await advance(clock, 3000);
    assert.deepEqual(calls, ['weight -30', 'weight -10'], 'both unknown: -30; then up OK: +20 - 30; unchanged after that');
    hc.stop();
    const runs = up.runs;
    await advance(clock, 5000);
    assert.equal(up.runs, runs, 'stopped: no more runs');
  });
});
