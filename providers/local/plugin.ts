/** The `local` provider for the registry (src/app/providers.ts): its mapping and its factory. */
import type { ProviderPlugin } from '../common/plugin.js';
import { createLocalProvider } from './index.js';
import { localSchema } from './schema.js';

export const localPlugin: ProviderPlugin<typeof localSchema> = {
  type: 'local',
  schema: localSchema,
  create: (options, group, deps) => {
    const provider = createLocalProvider(
      {
        interface: group.interface,
        vips: group.vips,
        ...options,
        // Another host answering for our VIP (a dual master) is reported loudly, and counted;
        // the provider does not fight it (metallb: announcing never decides).
        onConflict: (c) => {
          deps.metrics.inc('vipd_vip_conflicts_total', { group: group.name, address: c.address });
          deps.logger.warn({ conflict: c }, `another host (${c.mac}) answers for VIP ${c.address} on ${c.interface}`);
        },
      },
      { logger: deps.logger, clock: deps.clock },
    );
    // The provider logged why; the metric makes a fleet's slow takeovers findable.
    if (provider.counters.toolFallbacks > 0) deps.metrics.inc('vipd_local_tool_fallbacks_total', { group: group.name });
    return provider;
  },
};
