/**
 * The `local` provider: binds the VIPs to a local interface and announces them on the link
 * (gratuitous ARP, unsolicited NA). See README.md beside this file.
 */
import { LocalProvider } from './local-provider.js';
import type { LocalProviderComponents, LocalProviderOptions } from './types.js';

/** Builds a local provider; throws ProviderError('configuring', …) for an unusable configuration. */
export function createLocalProvider(options: LocalProviderOptions, components: LocalProviderComponents): LocalProvider {
  return new LocalProvider(options, components);
}

export { LocalProvider } from './local-provider.js';
export { CommandAbortedError, CommandTimeoutError, inNetns, systemRunner, type CommandResult, type CommandRunner, type RunOptions } from './commands.js';
export {
  DEFAULT_ANNOUNCE,
  OWNERSHIP_METRIC,
  TOOLS,
  type AnnounceSchedule,
  type CleanupReport,
  type LocalProviderComponents,
  type LocalProviderCounters,
  type LocalProviderOptions,
  type Tool,
  type VipConflict,
} from './types.js';
