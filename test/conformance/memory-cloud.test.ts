/**
 * The conformance and convergence suites against the in-memory shared cloud
 * (test/fakes/memory-cloud.ts): a correct cloud provider passes both; each deliberately broken
 * variant fails the case or the run that guards the rule it breaks (a suite that cannot fail
 * is a defect).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { MemoryCloud, MemoryCloudProvider, type MemoryCloudMutant } from '../fakes/memory-cloud.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { Rng } from '../sim/rng.js';
import { convergenceSuite, faultRun, raceRun, runOptions, type ConvergencePair, type PairSetup } from './convergence.js';
import { CLOUD_CASES, providerConformance, type ConformanceSubject } from './provider.js';

function provider(cloud: MemoryCloud, node: string, reassertIntervalMs: number, seed: number, mutant?: MemoryCloudMutant): MemoryCloudProvider {
  const rng = new Rng(seed);
  return new MemoryCloudProvider({
    cloud, node, clock: systemClock, metrics: new MetricsRegistry(), logger: silentLogger, reassertIntervalMs,
    random: () => rng.next(), ...(mutant ? { mutant } : {}),
  });
}

function subject(mutant?: MemoryCloudMutant): ConformanceSubject {
  const cloud = new MemoryCloud({ seed: 1 });
  const holderIs = (): 'self' | 'rival' | 'none' => (cloud.holder() === 'self' ? 'self' : cloud.holder() === 'rival' ? 'rival' : 'none');
  return {
    provider: provider(cloud, 'self', 10_000, 1, mutant),
    rival: provider(cloud, 'rival', 10_000, 2, mutant),
    sent: () => cloud.sent,
    mutations: () => cloud.mutations,
    observe: async () => (cloud.holder() === 'self' ? 'held' : 'not-held'),
    observeHolder: async () => holderIs(),
  };
}

function pair(mutant?: MemoryCloudMutant) {
  return (seed: number, setup: PairSetup): ConvergencePair => {
    const cloud = new MemoryCloud({ seed });
    return {
      a: provider(cloud, 'a', setup.reassertIntervalMs, seed * 2, mutant),
      b: provider(cloud, 'b', setup.reassertIntervalMs, seed * 2 + 1, mutant),
      holder: async () => {
        const h = cloud.holder();
        return h === 'a' || h === 'b' ? h : 'none';
      },
      inject: (f) => cloud.inject(f),
      clearFaults: () => cloud.clearFaults(),
      moveBehindBack: async (to) => cloud.moveBehindBack(to === 'none' ? undefined : to),
      dispose: async () => cloud.clearFaults(),
    };
  };
}

providerConformance('memory-cloud', () => subject());
convergenceSuite('memory-cloud', pair());

describe('the suites catch broken providers', () => {
  const caseNamed = (prefix: string) => {
    const c = CLOUD_CASES.find((x) => x.name.startsWith(prefix));
    assert.ok(c, `no conformance case starts with "${prefix}"`);
    return c;
  };
  const mustFailCase: readonly [MemoryCloudMutant, string][] = [
    ['no-fence', 'fencing:'],
    ['release-any', 'release never takes'],
    ['ignore-current', 'a request that is no longer current'],
    ['always-move', 'acquire when already held'],
    ['trusts-memory', 'acquire takes the resource'],
  ];
  for (const [mutant, prefix] of mustFailCase) {
    it(`${mutant}: the conformance case "${prefix}…" fails`, async () => {
      await assert.rejects(caseNamed(prefix).run(subject(mutant)), assert.AssertionError);
    });
  }

  const ro = runOptions();
  it('no-fence: the race run fails (the cut-off master takes the resource back)', async () => {
    const r = await raceRun(pair('no-fence'), 1, ro);
    assert.match(r.failure ?? 'passed', /flapped/);
  });
  it('a driver that does not fence (fenced: false, as for VRRP groups): the race run fails', async () => {
    const r = await raceRun(pair(), 1, { ...ro, fenced: false });
    assert.match(r.failure ?? 'passed', /flapped/);
  });
  it('trusts-memory: the race run fails (b never sees the move behind its back)', async () => {
    const r = await raceRun(pair('trusts-memory'), 1, ro);
    assert.match(r.failure ?? 'passed', /repairs the move/);
  });
  it('shared-fence: the race under stale reads fails (a stale "I hold it" refresh replaces the new master\'s record)', async () => {
    const reports = await Promise.all([1, 2, 3, 4, 5, 6].map((seed) => raceRun(pair('shared-fence'), seed, ro, true)));
    assert.ok(reports.some((r) => r.failure?.includes('flapped')), reports.map((r) => r.failure ?? 'passed').join('\n'));
  });
  it('a fake that reports two holders fails the run (impossible by construction for one cloud address)', async () => {
    const r = await faultRun((seed, setup) => {
      const p = pair()(seed, setup);
      let reads = 0;
      return { ...p, holder: async () => (++reads === 20 ? ('both' as 'a') : p.holder()) };
    }, 'throttle', 1, ro);
    assert.match(r.failure ?? 'passed', /impossible holder "both"/);
  });
  it('release-any: a takeover where b hears first fails (a releases b\'s association)', async () => {
    const seeds = [1, 2, 3, 4, 5, 6, 7, 8];
    const reports = await Promise.all(seeds.map((seed) => faultRun(pair('release-any'), 'throttle', seed, ro)));
    assert.ok(reports.some((r) => r.failure?.includes('flapped')), reports.map((r) => r.failure ?? 'passed').join('\n'));
  });
});
