/**
 * The `gcp` provider for the registry (providers/common/plugin.ts). Import-light: the Compute
 * client is loaded by what create() builds (lazy.ts).
 */
import type { ProviderConfigIssue, ProviderPlugin } from '../common/plugin.js';
import { LazyGcpProvider } from './lazy.js';
import { gcpSchema } from './schema.js';

export const gcpPlugin: ProviderPlugin<typeof gcpSchema> = {
  type: 'gcp',
  schema: gcpSchema,
  check(options, group): readonly ProviderConfigIssue[] {
    const issues: ProviderConfigIssue[] = [];
    const explicit = options.mode === 'alias-ip' ? options.aliasRanges : options.mode === 'route' ? options.destRanges : undefined;
    if (explicit === undefined) {
      for (const [i, vip] of group.vips.entries()) {
        if (vip.family === 6) {
          issues.push({ path: ['mode'], message: `gcp ${options.mode} carries IPv4 only, and VIP ${i + 1} (${vip.address}) is IPv6; use an IPv4 VIP${options.mode === 'external-ip' ? '' : ` or set ${options.mode === 'alias-ip' ? 'alias_ranges' : 'dest_ranges'}`}` });
        }
      }
    }
    return issues;
  },
  create: (options, group, deps) => new LazyGcpProvider(options, group, deps),
  // Before the election starts (ProviderPlugin.load); a failure is LazyGcpProvider's to report.
  load: () => import('./provider.js').then(() => undefined, () => undefined),
};
