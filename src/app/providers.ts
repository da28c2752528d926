/**
 * The provider registry: every provider a configuration file may name, and how a group's
 * providers are built from it (providers act; they never decide). The configuration code knows
 * no provider: it gets this list as its catalogue (loadConfigFile(path, { providers })) and builds
 * the schema, the JSON Schema and the checks from it. Adding a provider is one line here
 * (docs/providers.md, "Registry").
 */
import type { GroupConfig } from '../config/types.js';
import { providerGroup } from '../config/provider-schema.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { VipProvider } from '../ports/vip-provider.js';
import { awsPlugin } from '../../providers/aws/plugin.js';
import { gcpPlugin } from '../../providers/gcp/plugin.js';
import { localPlugin } from '../../providers/local/plugin.js';
import { noopPlugin } from '../../providers/noop/plugin.js';
import { ChainProvider } from '../../providers/common/chain.js';
import type { ProviderPlugin } from '../../providers/common/plugin.js';

/** In the order an unknown `type` lists them ("must be one of: noop, local, ..."). Append new providers. */
export const PROVIDER_PLUGINS: readonly ProviderPlugin[] = [noopPlugin, localPlugin, awsPlugin, gcpPlugin];

/** What the node gives every provider it builds (ProviderDeps, with the parent logger and the file's directory). */
export interface ProviderHost {
  readonly nodeId: string;
  readonly clock: Clock;
  /** The node's logger; each provider gets a child bound to its group and type. */
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** VipdConfig.configDir. */
  readonly configDir: string;
}

/** The group's providers, in the order the file lists them. A provider that cannot be built throws. */
export function makeProviderList(g: GroupConfig, host: ProviderHost, registry: readonly ProviderPlugin[] = PROVIDER_PLUGINS): VipProvider[] {
  const group = providerGroup(g, host.configDir);
  const built: VipProvider[] = [];
  try {
    for (const p of g.providers) {
      const plugin = registry.find((candidate) => candidate.type === p.type);
      // The file was checked against a catalogue; a type missing here is a programming error.
      if (plugin === undefined) throw new Error(`group ${g.name}: no provider "${p.type}" in the registry (${registry.map((r) => r.type).join(', ')})`);
      const logger = host.logger.child({ group: g.name, provider: p.type });
      built.push(plugin.create(p.options, group, { nodeId: host.nodeId, clock: host.clock, logger, metrics: host.metrics, env: host.env }));
    }
  } catch (err) {
    // Nothing of a half-built group may keep a socket or a timer.
    for (const p of built) void p.close?.().catch(() => undefined);
    throw err;
  }
  return built;
}

/** One VipProvider per group: the provider itself, or a ChainProvider of several (acquired in order, released in reverse). */
export function makeGroupProvider(g: GroupConfig, host: ProviderHost, registry: readonly ProviderPlugin[] = PROVIDER_PLUGINS): VipProvider {
  const list = makeProviderList(g, host, registry);
  return list.length === 1 && list[0] !== undefined ? list[0] : new ChainProvider(list);
}
