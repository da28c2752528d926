/**
 * The aws provider passes the shared conformance suite (test/conformance/provider.ts) in each
 * mode against the strict EC2 fake, with a rival provider for a second instance on the same
 * resource. secondary-ip binds addresses locally: it runs inside a network namespace as root.
 */
import { after } from 'node:test';
import { createTopology, netnsSkipReason, type Topology } from '../netns/lib/index.js';
import { providerConformance, type ConformanceSubject } from './provider.js';
import { providerFor, startWorld, MUTATING, VIP } from './aws-subjects.js';
import type { AwsModeName } from '../../providers/aws/index.js';

function subjectFor(mode: AwsModeName) {
  return async (): Promise<ConformanceSubject> => {
    const world = await startWorld(mode);
    const provider = providerFor(world, 'self');
    const rival = providerFor(world, 'rival');
    await provider.validate(new AbortController().signal);
    await rival.validate(new AbortController().signal);
    const base = world.fake.requests.length;
    return {
      provider,
      rival,
      sent: () => world.fake.requests.length - base,
      mutations: () => world.fake.requests.slice(base).filter((r) => MUTATING.has(r.action)).length,
      observe: async () => (world.holderOf() === 'self' ? 'held' : 'not-held'),
      observeHolder: async () => {
        const h = world.holderOf();
        return h === 'self' || h === 'rival' ? h : 'none';
      },
      dispose: async () => {
        await provider.close();
        await rival.close();
        await world.fake.close();
      },
    };
  };
}

providerConformance('aws:eip', subjectFor('eip'));
providerConformance('aws:route', subjectFor('route'));

// secondary-ip: each node's local binding runs in its own namespace of one topology.
const netnsSkip = await netnsSkipReason();
let topology: Promise<Topology> | undefined;
after(async () => {
  await (await topology)?.destroy();
});

function secondaryIpSubject() {
  return async (): Promise<ConformanceSubject> => {
    topology ??= createTopology({ hosts: ['self', 'rival'], ipv6: false });
    const topo = await topology;
    const world = await startWorld('secondary-ip');
    const local = (name: string) => ({ iface: topo.host(name).ifname, components: { localNetns: topo.host(name).ns } });
    const provider = providerFor(world, 'self', local('self'));
    const rival = providerFor(world, 'rival', local('rival'));
    await provider.validate(new AbortController().signal);
    await rival.validate(new AbortController().signal);
    const base = world.fake.requests.length;
    const bound = async (name: string) => (await topo.host(name).addresses()).some((a) => a.address === VIP);
    return {
      provider,
      rival,
      sent: () => world.fake.requests.length - base,
      mutations: () => world.fake.requests.slice(base).filter((r) => MUTATING.has(r.action)).length,
      observe: async () => (world.holderOf() === 'self' && (await bound('self')) ? 'held' : 'not-held'),
      observeHolder: async () => {
        const h = world.holderOf();
        return h === 'self' || h === 'rival' ? h : 'none';
      },
      dispose: async () => {
        await provider.close();
        await rival.close();
        await world.fake.close();
        for (const name of ['self', 'rival']) {
          const h = topo.host(name);
          await h.run(['ip', 'addr', 'del', `${VIP}/24`, 'dev', h.ifname], { check: false });
        }
      },
    };
  };
}

providerConformance('aws:secondary-ip', secondaryIpSubject(), { skip: netnsSkip ? `needs root and ip netns: ${netnsSkip}` : false });
