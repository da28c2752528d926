/**
 * The provider conformance suite (test/conformance/provider.ts) for each GCP mode against the
 * strict Compute fake: `provider` is vipd-a, `rival` is vipd-b on the same resource.
 */
import { providerConformance, type ConformanceSubject } from './provider.js';
import { startGcpWorld } from './gcp-world.js';
import type { GcpMode } from '../../providers/gcp/schema.js';

const MODES: readonly GcpMode[] = (process.env['GCP_MODES']?.split(',') as GcpMode[] | undefined) ?? ['alias-ip', 'external-ip', 'route'];

for (const mode of MODES) {
  providerConformance(`gcp ${mode}`, async (): Promise<ConformanceSubject> => {
    const world = await startGcpWorld();
    const provider = world.provider('vipd-a', mode);
    const rival = world.provider('vipd-b', mode);
    return {
      provider,
      rival,
      sent: () => world.fake.requests.length,
      mutations: () => world.mutations(),
      observe: async () => (world.holder(mode) === 'vipd-a' ? 'held' : 'not-held'),
      observeHolder: async () => {
        const h = world.holder(mode);
        return h === 'vipd-a' ? 'self' : h === 'vipd-b' ? 'rival' : 'none';
      },
      dispose: () => world.close(),
    };
  });
}
