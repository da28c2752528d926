/** The aws provider's settings after parsing (schema.ts) and defaults from the group. */
import type { ProviderGroup } from '../shared/plugin.js';
import type { AwsModeName, AwsRawOptions } from './schema.js';

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
  /** route mode: the configured CIDR blocks, else each VIP as /32 or /128. */
  readonly cidrs: readonly string[];
}

export function toOptions(raw: AwsRawOptions, group: Pick<ProviderGroup, 'vips'>): AwsOptions {
  return {
    mode: raw.mode,
    region: raw.region,
    instanceId: raw.instance_id,
    eniId: raw.eni_id,
    endpoint: raw.endpoint,
    imdsEndpoint: raw.imds_endpoint,
    requestTimeoutMs: raw.request_timeout,
    allocationId: raw.allocation_id,
    privateIp: raw.private_ip,
    routeTables: raw.route_tables ?? [],
    cidrs: raw.cidrs ?? group.vips.map((v) => `${v.address}/${v.family === 4 ? 32 : 128}`),
  };
}
