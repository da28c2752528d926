/**
 * The crash verdict's glue (src/runtime/crash-verdict.ts): the voter drops promises only on a
 * verdict that follows a break of our own stream, with that break as the cutoff.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { CrashVerdicts } from '../../../src/runtime/crash-verdict.js';
import { LeaseVoter } from '../../../src/runtime/lease-voter.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { TrackedClock } from './fakes.js';

async function setup() {
  const clock = new TrackedClock();
  const metrics = new MetricsRegistry();
  const voter = new LeaseVoter('w', clock, silentLogger, metrics);
  await clock.advanceTo(10_000); // past the restart quiet period
  const verdicts = new CrashVerdicts({ voter, groups: () => [], live: () => true, now: () => clock.now(), logger: silentLogger });
  const dropped = () => metrics.get('vipd_lease_crash_dropped_total', { group: 'web' });
  return { clock, voter, verdicts, dropped };
}

describe('crash verdicts: the voter cutoff', () => {
  it('a verdict after our stream broke drops the promise granted before the break', async () => {
    const { clock, voter, verdicts, dropped } = await setup();
    assert.deepEqual(voter.decide('web', 'm', 1, 10, undefined, 'A'), { granted: true });
    await clock.advanceTo(10_010);
    verdicts.streamBroke('m');
    verdicts.gone('A', 'm');
    assert.equal(dropped(), 1);
    assert.deepEqual(voter.decide('web', 'b', 2, 10, undefined, 'B'), { granted: true }, 'free for another master');
  });

  it('no break on record, a stream up since the break, or a grant after the break: nothing dropped', async () => {
    const { clock, voter, verdicts, dropped } = await setup();
    voter.decide('web', 'm', 1, 10, undefined, 'A');
    verdicts.gone('A', 'm');
    verdicts.streamBroke('m');
    verdicts.streamUp('m');
    verdicts.gone('A', 'm');
    verdicts.streamBroke('m');
    await clock.advanceTo(10_020);
    voter.decide('web', 'm', 1, 10, undefined, 'A'); // renewed after the break (a restarted process)
    verdicts.gone('A', 'm');
    verdicts.gone('A', undefined);
    assert.equal(dropped(), 0);
  });
});
