/**
 * 100 members on a LAN with 5 % loss (issue 3 §2): a killed member is declared dead by every
 * live member, and no live member is ever declared dead by anyone (suspect is allowed, dead is
 * not). Over ≥ 200 seeds, each a converged cluster, a kill after 1-1.5 s and the run to
 * detection. A failing seed prints itself and the command that replays it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { detectionRun, seeds } from './sim.js';

const FILE = 'test/sim/membership/large.test.ts';

function property(label: string, params: { suspicionMultiplier?: number }): void {
  it(`${label}: killed member dead everywhere, no live member ever dead`, (t) => {
    const failures: string[] = [];
    const times: number[] = [];
    for (const seed of seeds(200)) {
      const r = detectionRun(seed, 100, { loss: 0.05, params, afterKillMs: 8000 });
      const why: string[] = [];
      if (r.detectionMs === undefined) why.push(`${r.victim} not dead at every live member 8 s after the kill`);
      else times.push(r.detectionMs);
      for (const f of r.falseDeaths.slice(0, 3)) why.push(`${f.observer} declared live ${f.id} dead at ${Math.round(f.at)} ms (${f.reason})`);
      if (why.length > 0) failures.push(`seed ${seed}: ${why.join('; ')}\n  replay: SIM_SEED=${seed} node --import tsx --test ${FILE}`);
    }
    assert.deepEqual(failures, [], `simulation failed:\n${failures.join('\n')}`);
    times.sort((a, b) => a - b);
    const p = (q: number) => Math.round(times[Math.min(times.length - 1, Math.floor(times.length * q))] ?? NaN);
    t.diagnostic(`${label}: ${times.length} seeds, detection p50 ${p(0.5)} ms, p99 ${p(0.99)} ms`);
  });
}

describe('simulator: 100 members, 5 % loss', () => {
  property('LAN preset (suspicion multiplier 1)', {});
  property('memberlist default (suspicion multiplier 4)', { suspicionMultiplier: 4 });
});
