/**
 * `vipd cleanup`: removes the VIPs a stopped (crashed) agent left bound, for the groups of one
 * configuration file — what a starting vipd does before its elections begin (issue 8 finding 1),
 * without starting one. A systemd unit runs it after a crash (ExecStopPost). Only addresses that
 * carry the local provider's mark are removed (providers/local/README.md, "Ownership").
 */
import type { VipdConfig } from '../config/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { LocalProvider, type CleanupReport } from '../../providers/local/index.js';
import { makeProviderList } from './providers.js';

export type GroupCleanup =
  | { readonly group: string; readonly kind: 'local'; readonly report: CleanupReport }
  /** A provider that keeps nothing on this host (noop). */
  | { readonly group: string; readonly kind: 'nothing-here'; readonly provider: string }
  | { readonly group: string; readonly kind: 'failed'; readonly error: Error };

export async function cleanupGroups(config: VipdConfig, deps: { clock: Clock; logger: Logger; metrics: Metrics; signal: AbortSignal }): Promise<GroupCleanup[]> {
  const results: GroupCleanup[] = [];
  const host = { ...deps, nodeId: config.node.id, env: process.env, configDir: config.configDir };
  for (const g of config.groups) {
    let providers;
    try {
      providers = makeProviderList(g, host);
    } catch (err) {
      results.push({ group: g.name, kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
      continue;
    }
    // Only the local provider keeps anything on this host (a chain has it at most once).
    const local = providers.find((p): p is LocalProvider => p instanceof LocalProvider);
    try {
      if (local === undefined) results.push({ group: g.name, kind: 'nothing-here', provider: providers.map((p) => p.kind).join('+') });
      else results.push({ group: g.name, kind: 'local', report: await local.cleanup(deps.signal) });
    } catch (err) {
      results.push({ group: g.name, kind: 'failed', error: err instanceof Error ? err : new Error(String(err)) });
    } finally {
      await Promise.allSettled(providers.map((p) => p.close?.()));
    }
  }
  return results;
}
