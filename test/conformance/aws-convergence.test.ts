/**
 * The convergence suite (test/conformance/convergence.ts) for each aws mode against the EC2
 * fake: seeded takeovers under throttling, 5xx, hangs, lost responses and stale reads; the
 * cut-off old master racing the new one; moves behind vipd's back repaired by the reconcile
 * loop. One fake per run. secondary-ip binds locally, so it runs in namespaces as root, each
 * run with its own VIP.
 */
import { after } from 'node:test';
import type { AwsModeName } from '../../providers/aws/index.js';
import { createTopology, netnsSkipReason, type Topology } from '../netns/lib/index.js';
import { providerFor, startWorld } from './aws-subjects.js';
import { convergenceSuite, type ConvergencePair, type PairSetup } from './convergence.js';

function pairFor(mode: AwsModeName, topo?: () => Promise<Topology>) {
  return async (seed: number, setup: PairSetup): Promise<ConvergencePair> => {
    const vip = `198.51.100.${50 + (seed % 40)}`;
    const world = await startWorld(mode, { seed, nodes: ['a', 'b'], vip });
    const t = topo ? await topo() : undefined;
    const local = (name: string) => (t ? { iface: t.host(name).ifname, components: { localNetns: t.host(name).ns } } : {});
    const build = (name: string) => providerFor(world, name, { reassertIntervalMs: setup.reassertIntervalMs, requestTimeout: '300ms', ...local(name) });
    const a = build('a');
    const b = build('b');
    return {
      a,
      b,
      holder: async () => {
        const h = world.holderOf();
        return h === 'a' || h === 'b' ? h : 'none';
      },
      inject: (f) => world.fake.inject({ kind: f.kind, ...(f.times !== undefined ? { times: f.times } : {}), ...(f.probability !== undefined ? { probability: f.probability } : {}), ...(f.staleMs !== undefined ? { staleMs: f.staleMs } : {}) }),
      clearFaults: () => world.fake.clearFaults(),
      moveBehindBack: async (to) => world.move(to === 'none' ? undefined : to),
      dispose: async () => {
        await a.close();
        await b.close();
        await world.fake.close();
        for (const name of t ? ['a', 'b'] : []) {
          const h = t!.host(name);
          await h.run(['ip', 'addr', 'del', `${vip}/24`, 'dev', h.ifname], { check: false });
        }
      },
    };
  };
}

convergenceSuite('aws:eip', pairFor('eip'), { concurrency: 4 });
convergenceSuite('aws:route', pairFor('route'), { concurrency: 4 });

const netnsSkip = await netnsSkipReason();
let topology: Promise<Topology> | undefined;
after(async () => {
  await (await topology)?.destroy();
});
convergenceSuite('aws:secondary-ip', pairFor('secondary-ip', () => (topology ??= createTopology({ hosts: ['a', 'b'], ipv6: false }))), {
  concurrency: 2,
  // Ten minutes at 50 runs per fault: `npm test` runs a sample, CONV_FULL=1 (npm run test:convergence) all.
  quick: { runs: 6, raceRuns: 4, concurrency: 3 },
  // Each read also runs `ip` in a namespace (two process spawns through the local provider's
  // spawn gate; on this loaded machine a reconcile pass took up to a second): a longer interval
  // keeps the new master's refreshes inside the fence TTL (3 × interval).
  reassertIntervalMs: 1_000,
  // A repair is two reads (status, then acquire) and the move, each read with an `ip` spawn.
  repairSlackMs: 1_000,
  skip: netnsSkip ? `needs root and ip netns: ${netnsSkip}` : false,
});
