/** The aws provider's settings: the output of its schema (schema.ts), camelCase, durations in ms. */
import type { ProviderGroup } from '../common/plugin.js';
import type { AwsModeName } from './schema.js';

export interface AwsOptions {
  readonly mode: AwsModeName;
  readonly region: string | undefined;
  readonly instanceId: string | undefined;
  readonly eniId: string | undefined;
  readonly endpoint: string | undefined;
  readonly imdsEndpoint: string | undefined;
  readonly requestTimeoutMs: number;
  readonly allocationId: string | undefined;
  readonly privateIp: string | undefined;
  readonly routeTables: readonly string[];
  /** route mode: the configured CIDR blocks; undefined: each VIP as /32 or /128 (routeCidrs). */
  readonly cidrs: readonly string[] | undefined;
}

/** route mode's destinations: the configured blocks, else each VIP as /32 or /128. */
export function routeCidrs(options: AwsOptions, group: Pick<ProviderGroup, 'vips'>): readonly string[] {
  return options.cidrs ?? group.vips.map((v) => `${v.address}/${v.family === 4 ? 32 : 128}`);
}
