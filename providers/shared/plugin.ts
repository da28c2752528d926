/**
 * What each provider under providers/ exports for the registry (src/app/providers.ts): its type
 * name, the schema of its mapping in the configuration file (merged into docs/vipd.schema.json,
 * so the config code hard-codes no provider fields), and a factory. docs/providers.md.
 */
import type { z } from 'zod';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Metrics } from '../../src/ports/metrics.js';
import type { VipProvider } from '../../src/ports/vip-provider.js';

/** What a provider knows of the group it serves (from the group's configuration). */
export interface ProviderGroup {
  readonly name: string;
  readonly interface: string;
  /** The group's VIPs, canonical text with prefix ("192.0.2.50/24"), and their parts. */
  readonly vips: readonly { readonly address: string; readonly prefixLength: number; readonly family: 4 | 6 }[];
  /** Whether the group's terms are ordered cluster-wide (unicast groups): ProviderRequest.fenced. */
  readonly fenced: boolean;
  /** How often the driver re-reads and re-asserts while master (the fence's freshness, fence.ts). */
  readonly reassertIntervalMs: number;
  /** Directory of the configuration file, for relative paths. */
  readonly configDir: string;
}

export interface ProviderDeps {
  /** This node's id (node.id): the holder's name in fence records. */
  readonly nodeId: string;
  readonly clock: Clock;
  /** Already a child logger with the group and provider. */
  readonly logger: Logger;
  readonly metrics: Metrics;
  /** The process environment (the SDKs' standard variables keep working; tests pass their own). */
  readonly env: Readonly<Record<string, string | undefined>>;
}

/** A problem the schema cannot see (a field against the group): path inside the provider's mapping. */
export interface ProviderConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface ProviderPlugin<Schema extends z.ZodType = z.ZodType> {
  /** The `type` value in the file: "noop", "local", "aws", "gcp". */
  readonly type: string;
  /** The provider's mapping, snake_case keys, with `type: z.literal(type)`; described for the JSON Schema. */
  readonly schema: Schema;
  /** Cross-field checks against the group (e.g. a VIP family a mode cannot carry). */
  check?(options: z.output<Schema>, group: ProviderGroup): readonly ProviderConfigIssue[];
  /** Builds the provider. Throws ProviderError('configuring', …) for an unusable configuration. */
  create(options: z.output<Schema>, group: ProviderGroup, deps: ProviderDeps): VipProvider;
}
