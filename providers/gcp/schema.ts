/**
 * The `gcp` provider's mapping in the configuration file (snake_case, strict: an unknown key is
 * an error), one mapping per mode, and the options it parses to (camelCase, milliseconds).
 * Fields only one mode uses are accepted only there. providers/gcp/README.md documents every
 * field; docs/vipd.schema.json is generated from this (npm run schema).
 */
import { z } from 'zod';
import { documentDefault, durationMs, section } from '../../src/config/fields.js';
import { describeInput, fieldError } from '../../src/config/messages.js';

export const GCP_MODES = ['alias-ip', 'external-ip', 'route'] as const;
export type GcpMode = (typeof GCP_MODES)[number];
const MODE_HINT = `what the gcp provider moves: ${GCP_MODES.join(', ')}`;

/** Compute resource names (RFC 1035 labels): https://cloud.google.com/compute/docs/naming-resources */
const RESOURCE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const RESOURCE_RULE = '1-63 characters: a lowercase letter, then a-z, 0-9 or "-", not ending in "-"';
/** Project ids: 6-30 characters, a lowercase letter first, no trailing "-" (Resource Manager). */
const PROJECT_ID = /^[a-z][-a-z0-9]{4,28}[a-z0-9]$/;
const ZONE = /^[a-z]+-[a-z]+[0-9]+-[a-z]$/;
const MEMBER = /^([a-z]+-[a-z]+[0-9]+-[a-z]\/)?[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;
const IPV4_CIDR = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/([0-9]|[12][0-9]|3[0-2]))?$/;

function pattern(re: RegExp, rule: string, hint: string) {
  return z.string({ error: fieldError(rule, hint) }).regex(re, { error: fieldError(rule, hint) }).describe(`${hint}; ${rule}`);
}

function resourceName(hint: string) {
  return pattern(RESOURCE_NAME, RESOURCE_RULE, hint);
}

/** Other members' instances: "name" (this zone) or "zone/name". */
function members(hint: string) {
  return documentDefault(z.array(pattern(MEMBER, 'an instance name, or zone/name', 'a member instance')).max(64).default([]).describe(hint), []);
}

/** "198.51.100.10/32" or a bare address (taken as /32). */
function ranges(hint: string) {
  return z
    .array(pattern(IPV4_CIDR, 'an IPv4 address or range such as 198.51.100.10/32', 'a range').transform((s) => (s.includes('/') ? s : `${s}/32`)))
    .min(1)
    .max(64)
    .optional()
    .describe(hint);
}

const common = {
  type: z.literal('gcp').describe('gcp: move a GCP alias IP range, static external address or route to this instance (providers/gcp/README.md)'),
  project: pattern(PROJECT_ID, '6-30 characters of a-z, 0-9 and "-"', 'project id; default: the metadata server (project/project-id)').optional(),
  zone: pattern(ZONE, 'a zone such as europe-west1-b', 'this instance\'s zone; default: the metadata server (instance/zone)').optional(),
  instance: resourceName('this instance\'s name; default: the metadata server (instance/name)').optional(),
  network_interface: documentDefault(pattern(/^nic[0-9]{1,2}$/, 'nic0, nic1, ...', 'the interface that carries the range or address, or is the next hop; default nic0').default('nic0'), 'nic0'),
  endpoint: z.url({ protocol: /^https?$/, error: fieldError('an http(s) URL', 'Compute API root') }).optional()
    .describe('Compute API root, e.g. http://127.0.0.1:8089 (tests, private endpoints); default https://compute.googleapis.com'),
  metadata_host: pattern(/^[A-Za-z0-9.-]+(:[0-9]{1,5})?$/, 'host or host:port', 'metadata server; default GCE_METADATA_IP, GCE_METADATA_HOST, else the GCE metadata address').optional(),
  request_timeout: documentDefault(durationMs('timeout of one Compute API or metadata request; 100ms-2m, default 5s', { minMs: 100, maxMs: 120_000 }).optional(), '5s'),
};

const aliasIp = section(
  {
    ...common,
    mode: z.literal('alias-ip').describe('alias-ip: move alias IP ranges between the members\' interfaces'),
    alias_ranges: ranges('alias IP ranges to move; default each VIP as /32'),
    subnetwork_range_name: resourceName('secondary range of the subnetwork the ranges come from; default the primary range').optional(),
    instances: members('the other members (name, or zone/name), where the holder is looked for; default: every instance of this zone (instances.list)'),
  },
  'the gcp provider, mode alias-ip',
);

const externalIp = section(
  {
    ...common,
    mode: z.literal('external-ip').describe('external-ip: move a static external address through access configs'),
    address: resourceName('the static external address (its name, in this instance\'s region)'),
    access_config_name: documentDefault(z.string().min(1).max(63).default('External NAT').describe('name of the access config that carries it; default "External NAT"'), 'External NAT'),
    instances: members('the other members, whose fence records are read before taking (the holder is found from the address\'s users)'),
  },
  'the gcp provider, mode external-ip',
);

const route = section(
  {
    ...common,
    mode: z.literal('route').describe('route: a static route to the VIPs with this instance as next hop'),
    network: resourceName('the VPC network of the routes; default the network of network_interface').optional(),
    dest_ranges: ranges('destination ranges; default each VIP as /32'),
    priority: documentDefault(z.int().min(0).max(65535).default(1000).describe('route priority, lower wins; default 1000'), 1000),
    instances: members('the other members, whose fence records are read before taking (the holder is the next hop of the current route)'),
  },
  'the gcp provider, mode route',
);

interface CommonOptions {
  readonly project?: string;
  readonly zone?: string;
  readonly instance?: string;
  readonly networkInterface: string;
  readonly endpoint?: string;
  readonly metadataHost?: string;
  readonly requestTimeoutMs: number;
  /** Other members, "name" or "zone/name". */
  readonly instances: readonly string[];
}
export interface AliasIpOptions extends CommonOptions {
  readonly mode: 'alias-ip';
  readonly aliasRanges?: readonly string[];
  readonly subnetworkRangeName?: string;
}
export interface ExternalIpOptions extends CommonOptions {
  readonly mode: 'external-ip';
  readonly address: string;
  readonly accessConfigName: string;
}
export interface RouteOptions extends CommonOptions {
  readonly mode: 'route';
  readonly network?: string;
  readonly destRanges?: readonly string[];
  readonly priority: number;
}
export type GcpOptions = AliasIpOptions | ExternalIpOptions | RouteOptions;

export const gcpSchema = z
  .discriminatedUnion('mode', [aliasIp, externalIp, route], {
    // The issue is reported at `mode` with the whole mapping as its input: judge its mode.
    error: (iss) => {
      const input: unknown = iss.input;
      const mode = typeof input === 'object' && input !== null ? (input as { mode?: unknown }).mode : input;
      return mode === undefined ? `required (${MODE_HINT})` : `must be one of ${GCP_MODES.join(', ')}; got ${describeInput(mode)}`;
    },
  })
  .transform((raw): GcpOptions => {
    const c: CommonOptions = {
      ...(raw.project !== undefined && { project: raw.project }),
      ...(raw.zone !== undefined && { zone: raw.zone }),
      ...(raw.instance !== undefined && { instance: raw.instance }),
      networkInterface: raw.network_interface,
      ...(raw.endpoint !== undefined && { endpoint: raw.endpoint }),
      ...(raw.metadata_host !== undefined && { metadataHost: raw.metadata_host }),
      requestTimeoutMs: raw.request_timeout ?? 5_000,
      instances: raw.instances,
    };
    switch (raw.mode) {
      case 'alias-ip':
        return { ...c, mode: raw.mode, ...(raw.alias_ranges && { aliasRanges: raw.alias_ranges }), ...(raw.subnetwork_range_name !== undefined && { subnetworkRangeName: raw.subnetwork_range_name }) };
      case 'external-ip':
        return { ...c, mode: raw.mode, address: raw.address, accessConfigName: raw.access_config_name };
      case 'route':
        return { ...c, mode: raw.mode, ...(raw.network !== undefined && { network: raw.network }), ...(raw.dest_ranges && { destRanges: raw.dest_ranges }), priority: raw.priority };
    }
  })
  .describe('the gcp provider (providers/gcp/README.md)');
