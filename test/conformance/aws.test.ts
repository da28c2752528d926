/**
 * The aws provider passes the shared conformance suite (test/conformance/provider.ts) in each
 * mode against the strict EC2 fake, with a rival provider for a second instance on the same
 * resource. secondary-ip binds addresses locally: it runs inside a network namespace as root.
 */
import { providerConformance, type ConformanceSubject } from './provider.js';
import { providerFor, startWorld, MUTATING } from './aws-subjects.js';
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
