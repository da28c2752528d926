/**
 * The local inputs of issue 10 in the seeded simulator (docs/membership.md "Inputs"): 100
 * members, 5 % loss. A process crash seen by three members' crash verdicts, and a host death
 * seen by three members' BFD sessions, is dead at every live member within the bound below
 * (virtual time), and no live member is ever declared dead; inputs that misfire at live
 * members (BFD Down on loss, a crash verdict through a firewall that rejects one path) kill
 * nobody. A failing seed prints itself and the command that replays it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type InputModel, detectionRun, seeds, soakRun } from './sim.js';

const FILE = 'test/sim/membership/inputs.test.ts';

function property(label: string, inputs: InputModel, boundMs: number): void {
  it(`${label}: dead everywhere within ${boundMs} ms, no live member ever dead`, (t) => {
    const failures: string[] = [];
    const times: number[] = [];
    for (const seed of seeds(20, 500)) {
      const r = detectionRun(seed, 100, { loss: 0.05, inputs, afterKillMs: 8000 });
      const why: string[] = [];
      if (r.detectionMs === undefined || r.detectionMs > boundMs) why.push(`${r.victim} dead everywhere after ${r.detectionMs === undefined ? 'more than 8000' : Math.round(r.detectionMs)} ms`);
      if (r.detectionMs !== undefined) times.push(r.detectionMs);
      for (const f of r.falseDeaths.slice(0, 3)) why.push(`${f.observer} declared live ${f.id} dead at ${Math.round(f.at)} ms (${f.reason})`);
      if (why.length > 0) failures.push(`seed ${seed}: ${why.join('; ')}\n  replay: SIM_SEED=${seed} node --import tsx --test ${FILE}`);
    }
    assert.deepEqual(failures, [], `simulation failed:\n${failures.join('\n')}`);
    times.sort((a, b) => a - b);
    t.diagnostic(`${label}: ${times.length} seeds, detection p50 ${Math.round(times[Math.floor(times.length / 2)] ?? NaN)} ms, max ${Math.round(times.at(-1) ?? NaN)} ms`);
  });
}

describe('simulator: inputs to the failure detector, 100 members, 5 % loss', () => {
  property('process crash, crash verdicts at 3 members', { gonePeers: 3 }, 1000);
  property('host death, BFD sessions at 3 members', { bfdPeers: 3 }, 1500);

  it('misfiring inputs at live members (2 BFD Downs a second, 5 false crash verdicts in 15 s) kill nobody', () => {
    for (const seed of seeds(2, 600)) {
      const r = soakRun(seed, 100, 15_000, { loss: 0.05, bfdDownsPerSec: 2, falseGones: 5 });
      const why = r.falseDeaths.slice(0, 3).map((f) => `${f.observer} declared live ${f.id} dead at ${Math.round(f.at)} ms (${f.reason})`);
      assert.deepEqual(why, [], `seed ${seed}\n  replay: SIM_SEED=${seed} node --import tsx --test ${FILE}`);
    }
  });
});
