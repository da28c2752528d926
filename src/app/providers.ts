/** Builds each group's VipProvider from its configuration (providers act; they never decide). */
import type { GroupConfig } from '../config/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { VipProvider } from '../ports/vip-provider.js';
import { NoopProvider } from '../../providers/noop/index.js';
import { createLocalProvider } from '../../providers/local/index.js';
import { vipText } from './from-config.js';
import type { Metrics } from '../ports/metrics.js';

export function makeProvider(g: GroupConfig, deps: { clock: Clock; logger: Logger; metrics: Metrics }): VipProvider {
  const logger = deps.logger.child({ group: g.name, provider: g.provider.type });
  const p = g.provider;
  switch (p.type) {
    case 'noop':
      return new NoopProvider(vipText(g), logger, deps.clock);
    case 'local':
      return createLocalProvider(
        {
          interface: g.interface,
          vips: g.vips,
          ...(p.label !== undefined ? { label: p.label } : {}),
          announce: {
            ...(p.garpRepeat !== undefined ? { burstCount: p.garpRepeat } : {}),
            ...(p.garpIntervalMs !== undefined ? { burstIntervalMs: p.garpIntervalMs } : {}),
            ...(p.garpMasterDelayMs !== undefined ? { secondBurstDelayMs: p.garpMasterDelayMs } : {}),
            ...(p.garpRefreshMs !== undefined ? { refreshIntervalMs: p.garpRefreshMs } : {}),
          },
          ...(p.detectConflicts !== undefined ? { detectConflicts: p.detectConflicts } : {}),
          // Another host answering for our VIP (a dual master) is reported loudly, and
          // counted; the provider does not fight it (metallb: announcing never decides).
          onConflict: (c) => {
            deps.metrics.inc('vipd_vip_conflicts_total', { group: g.name, address: c.address });
            logger.warn({ conflict: c }, `another host (${c.mac}) answers for VIP ${c.address} on ${c.interface}`);
          },
        },
        { logger, clock: deps.clock },
      );
    default:
      throw new Error(`unknown provider ${JSON.stringify(p satisfies never)}`);
  }
}
