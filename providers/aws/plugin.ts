/** The aws provider for the registry (providers/common/plugin.ts): type, schema, checks, factory. */
import { createLocalProvider, type CommandRunner } from '../local/index.js';
import type { ProviderConfigIssue, ProviderDeps, ProviderGroup, ProviderPlugin } from '../common/plugin.js';
import { EipMode } from './modes/eip.js';
import type { AwsMode } from './modes/mode.js';
import { RouteMode } from './modes/route.js';
import { SecondaryIpMode } from './modes/secondary-ip.js';
import { routeCidrs, type AwsOptions } from './options.js';
import { AwsProvider } from './provider.js';
import { awsSchema } from './schema.js';
import { loadSdk } from './sdk.js';
import type { AwsComponents } from './session.js';

/** Test seams beyond AwsComponents: where secondary-ip's local binding runs. */
export interface AwsProviderComponents extends AwsComponents {
  readonly localRunner?: CommandRunner;
  readonly localNetns?: string;
}

export function createAwsProvider(options: AwsOptions, group: ProviderGroup, deps: ProviderDeps, components: AwsProviderComponents = {}): AwsProvider {
  let mode: AwsMode;
  switch (options.mode) {
    case 'eip':
      mode = new EipMode(options.allocationId!, options.privateIp);
      break;
    case 'route':
      mode = new RouteMode(options.routeTables, routeCidrs(options, group));
      break;
    case 'secondary-ip': {
      const vips = group.vips.filter((v) => v.family === 4);
      const local = createLocalProvider(
        { interface: group.interface, vips, announce: false, detectConflicts: false, ...(components.localNetns ? { netns: components.localNetns } : {}) },
        { logger: deps.logger, clock: deps.clock, ...(components.localRunner ? { runner: components.localRunner } : {}) },
      );
      mode = new SecondaryIpMode(vips.map((v) => v.address), local, group.interface);
      break;
    }
  }
  return new AwsProvider(options, group, deps, mode, components);
}

export const awsPlugin: ProviderPlugin<typeof awsSchema> = {
  type: 'aws',
  schema: awsSchema,
  // Before the election starts (ProviderPlugin.load); a failure is the session's to report.
  load: () => loadSdk().then(() => undefined, () => undefined),
  check(options, group): readonly ProviderConfigIssue[] {
    const issues: ProviderConfigIssue[] = [];
    if (options.mode === 'secondary-ip') {
      const v6 = group.vips.filter((v) => v.family === 6).map((v) => v.address);
      if (v6.length > 0) issues.push({ path: ['mode'], message: `secondary-ip carries IPv4 VIPs only (EC2 assigns IPv6 addresses with AssignIpv6Addresses, which vipd does not use); ${v6.join(', ')} cannot be moved` });
    }
    if (options.mode === 'eip' && group.vips.some((v) => v.family === 6)) {
      issues.push({ path: ['mode'], message: 'an Elastic IP is IPv4: the group\'s IPv6 VIPs cannot be carried by mode eip' });
    }
    return issues;
  },
  create: (options, group: ProviderGroup, deps: ProviderDeps) => createAwsProvider(options, group, deps),
};
