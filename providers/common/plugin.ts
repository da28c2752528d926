/**
 * What each provider under providers/ exports for the registry (src/app/providers.ts): its type
 * name, the schema of its mapping in the configuration file (merged into docs/vipd.schema.json,
 * so the config code hard-codes no provider fields), and a factory. docs/providers.md.
 */
import type { z } from 'zod';
import type { ProviderConfigIssue, ProviderGroup } from '../../src/config/types.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Metrics } from '../../src/ports/metrics.js';
import type { VipProvider } from '../../src/ports/vip-provider.js';

/**
 * What a provider knows of the group it serves, and a problem its check() finds: defined in
 * src/config/types.ts, because the configuration code builds the group and runs check() while
 * it loads the file (src/config/provider-schema.ts).
 */
export type { ProviderConfigIssue, ProviderGroup } from '../../src/config/types.js';
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

export interface ProviderPlugin<Schema extends z.ZodType = z.ZodType> {
  /** The `type` value in the file: "noop", "local", "aws", "gcp". */
  readonly type: string;
  /**
   * The provider's mapping, snake_case keys, with `type: z.literal(type)`, built with
   * src/config/fields.ts (section, duration, ...) so its messages read like the rest of the file;
   * described for the JSON Schema. Its parsed output is the `options` create() and check() get:
   * a `.transform()` turns the snake_case mapping into the provider's own option names.
   */
  readonly schema: Schema;
  /** Cross-field checks against the group (e.g. a VIP family a mode cannot carry). */
  check?(options: z.output<Schema>, group: ProviderGroup): readonly ProviderConfigIssue[];
  /** Builds the provider. Throws ProviderError('configuring', …) for an unusable configuration. */
  create(options: z.output<Schema>, group: ProviderGroup, deps: ProviderDeps): VipProvider;
  /**
   * Imports the heavy modules the provider needs (its cloud SDK). The configuration code imports
   * every plugin, so plugins stay import-light; src/app/boot.ts awaits this for the plugins a
   * configuration uses, before any timer runs: evaluating an SDK is one synchronous block (5 s
   * for @aws-sdk/client-ec2, 3 s for @google-cloud/compute on a loaded 2-core machine) that must
   * never pause a running election. Must not reject: a module that cannot be loaded is the
   * provider's to report at its first call.
   */
  load?(): Promise<void>;
}
