// A group's providers in the file: `provider:` (one mapping) or `providers:` (a list). The
// configuration code knows no provider's fields: each provider brings its own schema and checks
// (providers/*/plugin.ts), and the registry (src/app/providers.ts) passes them in as the
// catalogue, because src/config imports nothing outside itself (eslint.config.js LAYERS).
import { z } from 'zod';
import type { Finding, Path } from './findings.js';
import { electsAsUnicast, type GroupConfig, type ProviderConfig, type ProviderConfigIssue, type ProviderGroup } from './types.js';

/** What the configuration code needs of a provider; providers/common/plugin.ts ProviderPlugin has it. */
export interface ProviderSection {
  /** The `type` value in the file. */
  readonly type: string;
  /** Its mapping, with `type: z.literal(type)`; the parsed output is ProviderConfig.options. */
  readonly schema: z.ZodType;
  /** Cross-field checks against the group; paths are inside the provider's mapping. */
  check?(options: unknown, group: ProviderGroup): readonly ProviderConfigIssue[];
}

/** Every provider a file may name, in the order `type` errors list them. */
export type ProviderCatalogue = readonly ProviderSection[];

/** A group without `provider:` and `providers:` gets this one: holds the VIP in memory only. */
export const DEFAULT_PROVIDER = { type: 'noop' } as const;

/**
 * One provider mapping: a union discriminated on `type`, so a field error names its path inside
 * the mapping (groups[0].provider.allocation_id) and an unknown type lists the known ones.
 */
export function providerSchema(catalogue: ProviderCatalogue): z.ZodType<ProviderConfig> {
  const types = catalogue.map((entry) => entry.type);
  const hint = `how this node holds the VIP; "type" is one of: ${types.join(', ')}`;
  const members = catalogue.map((entry) => entry.schema.transform((options): ProviderConfig => ({ type: entry.type, options })));
  // The members are known only at run time, so their static types are erased to ProviderConfig;
  // zod refuses a member without a literal `type` when the union is first used (a programming error).
  return z
    .discriminatedUnion('type', members as unknown as [z.core.$ZodTypeDiscriminable, ...z.core.$ZodTypeDiscriminable[]], {
      error: (iss) => {
        const input: unknown = iss.input;
        const type = typeof input === 'object' && input !== null ? (input as { type?: unknown }).type : undefined;
        if (iss.code === 'invalid_union' && type === undefined) return `required (${hint})`;
        if (iss.code === 'invalid_union') return `must be one of: ${types.join(', ')}; got ${JSON.stringify(type)}`;
        return `must be a mapping (${hint}); got ${String(input)}`;
      },
    })
    .describe(hint) as unknown as z.ZodType<ProviderConfig>;
}

/** Where each provider of a group was written, for messages. */
export interface PlacedProvider {
  readonly config: ProviderConfig;
  readonly path: Path;
}

/**
 * `provider:` or `providers:`, exactly one of them; neither means DEFAULT_PROVIDER (parsed by
 * `fallback`, the catalogue's own schema). Both are refused rather than merged: which one would
 * run first is not something to guess.
 */
export function placeProviders(
  raw: { readonly provider?: ProviderConfig | undefined; readonly providers?: readonly ProviderConfig[] | undefined },
  at: Path,
  fallback: () => ProviderConfig,
): { readonly placed: PlacedProvider[]; readonly errors: Finding[] } {
  if (raw.provider !== undefined && raw.providers !== undefined) {
    return {
      placed: [],
      errors: [{ path: [...at, 'providers'], message: 'a group has provider (one mapping) or providers (a list, acquired in order), not both; move the provider mapping into the list' }],
    };
  }
  if (raw.providers !== undefined) return { placed: raw.providers.map((config, i) => ({ config, path: [...at, 'providers', i] })), errors: [] };
  return { placed: [{ config: raw.provider ?? fallback(), path: [...at, 'provider'] }], errors: [] };
}

/**
 * What a provider sees of its group (create() and check() get it). Terms are ordered across the
 * cluster only for groups that elect as unicast ones (unicast, and both with vrrp_peers: vipd);
 * a group that may have keepalived or FRR peers orders dual masters as RFC 5798 does, without
 * terms (src/app/boot.ts groupParams), so its providers are not fenced.
 */
export function providerGroup(group: GroupConfig, configDir: string): ProviderGroup {
  return {
    name: group.name,
    interface: group.interface,
    vips: group.vips,
    fenced: electsAsUnicast(group),
    reassertIntervalMs: group.reassertIntervalMs,
    configDir,
  };
}

/** Each provider's check() against its group, its issues placed at the provider's path. */
export function providerFindings(placed: readonly PlacedProvider[], group: ProviderGroup, catalogue: ProviderCatalogue): Finding[] {
  return placed.flatMap(({ config, path }) => {
    const entry = catalogue.find((candidate) => candidate.type === config.type);
    const issues = entry?.check?.(config.options, group) ?? [];
    return issues.map((issue) => ({ path: [...path, ...issue.path], message: issue.message }));
  });
}
