/**
 * The `gcp` provider's mapping in the configuration file (snake_case, strict: an unknown key is
 * an error). One mapping per mode; fields that only one mode uses are only accepted there.
 * providers/gcp/README.md documents every field; docs/vipd.schema.json is generated from this.
 */
import { z } from 'zod';
import { DURATION_PATTERN, parseDuration } from '../../src/config/duration.js';

/** Compute resource names (RFC 1035 labels): https://cloud.google.com/compute/docs/naming-resources */
const RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const RESOURCE_RULE = '1-63 characters: a lowercase letter, then a-z, 0-9 or "-", not ending in "-"';
/** Project ids: 6-30 characters, lowercase letters, digits and hyphens (Resource Manager naming). */
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const ZONE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([0-9]|[12][0-9]|3[0-2]))?$/;

function resourceName(hint: string) {
  return z.string().regex(RESOURCE_NAME, `must be ${RESOURCE_RULE}`).describe(`${hint}; ${RESOURCE_RULE}`);
}

/** Other members' instances: "name" (this zone) or "zone/name". */
function members(hint: string) {
  return z
    .array(z.string().regex(/^([a-z]+-[a-z]+[0-9]+-[a-z]\/)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/, 'must be an instance name or zone/name'))
    .default([])
    .describe(hint);
}

/** "198.51.100.10/32" or a bare address (taken as /32). */
const cidr = z
  .string()
  .regex(IPV4_CIDR, 'must be an IPv4 address or range such as 198.51.100.10/32')
  .transform((s) => (s.includes('/') ? s : `${s}/32`))
  .describe('an IPv4 range, e.g. 198.51.100.10/32 (a bare address means /32)');

const requestTimeout = z
  .union([z.string().meta({ pattern: DURATION_PATTERN }), z.number().min(0)])
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return 5_000;
    const parsed = parseDuration(value);
    if (!parsed.ok) {
      ctx.addIssue({ code: 'custom', message: parsed.reason, input: value });
      return z.NEVER;
    }
    if (parsed.ms < 100 || parsed.ms > 120_000) {
      ctx.addIssue({ code: 'custom', message: `must be 100ms-2m; got ${parsed.ms} ms`, input: value });
      return z.NEVER;
    }
    return parsed.ms;
  })
  .describe('timeout of one Compute API or metadata request; 100ms-2m, default 5s');

/** Overrides of what the metadata server tells, and where the APIs are. */
const common = {
  type: z.literal('gcp'),
  project: z.string().regex(PROJECT_ID, 'must be a project id: 6-30 characters of a-z, 0-9 and "-"').optional()
    .describe('project id; default: the metadata server (project/project-id)'),
  zone: z.string().regex(ZONE, 'must be a zone such as europe-west1-b').optional()
    .describe('this instance\'s zone; default: the metadata server (instance/zone)'),
  instance: resourceName('this instance\'s name; default: the metadata server (instance/name)').optional(),
  network_interface: z.string().regex(/^nic[0-9]{1,2}$/, 'must be nic0, nic1, ...').default('nic0')
    .describe('the interface that carries the alias range or the access config, or the next hop; default nic0'),
  endpoint: z.url({ protocol: /^https?$/ }).optional()
    .describe('Compute API root, e.g. http://127.0.0.1:8089 (tests, private endpoints); default the library\'s https://compute.googleapis.com'),
  metadata_host: z.string().regex(/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, 'must be host or host:port').optional()
    .describe('metadata server host[:port]; default GCE_METADATA_IP, GCE_METADATA_HOST, else the link-local metadata address'),
  request_timeout: requestTimeout,
};

const aliasIp = z.strictObject({
  ...common,
  mode: z.literal('alias-ip'),
  alias_ranges: z.array(cidr).min(1).optional().describe('alias IP ranges to move; default each VIP as /32'),
  subnetwork_range_name: resourceName('secondary range of the subnetwork the alias comes from; default the primary range').optional(),
  instances: members('the other members (name, or zone/name in another zone), where the holder is looked for; default: every instance in this zone (instances.list)'),
});

const externalIp = z.strictObject({
  ...common,
  mode: z.literal('external-ip'),
  address: resourceName('the static external address (its name) to move'),
  access_config_name: z.string().min(1).max(63).default('External NAT').describe('name of the access config that carries it; default "External NAT"'),
  instances: members('the other members, whose fence records are read before taking (the holder is found from the address\'s users)'),
});

const route = z.strictObject({
  ...common,
  mode: z.literal('route'),
  network: resourceName('the VPC network of the routes; default the network of network_interface').optional(),
  dest_ranges: z.array(cidr).min(1).optional().describe('destination ranges; default each VIP as /32'),
  priority: z.int().min(0).max(65535).default(1000).describe('route priority (lower wins); default 1000'),
  instances: members('the other members, whose fence records are read before taking (the holder is the next hop of the current route)'),
});

export const gcpSchema = z
  .discriminatedUnion('mode', [aliasIp, externalIp, route])
  .describe('move a GCP alias IP range, static external address or route to this instance (providers/gcp/README.md)');

export type GcpOptions = z.output<typeof gcpSchema>;
export type GcpMode = GcpOptions['mode'];
export type AliasIpOptions = Extract<GcpOptions, { mode: 'alias-ip' }>;
export type ExternalIpOptions = Extract<GcpOptions, { mode: 'external-ip' }>;
export type RouteOptions = Extract<GcpOptions, { mode: 'route' }>;
