/**
 * The `aws` provider's mapping in the configuration file (snake_case, strict: an unknown key is
 * an error). Identity overrides skip the IMDS lookups; ids are checked against EC2's shapes so
 * a typo fails at load time, not at the first takeover. README.md beside this file.
 */
import { z } from 'zod';
import { parseAddress } from '../../src/config/address.js';
import { documentDefault, durationMs, oneOf, section } from '../../src/config/fields.js';
import { describeInput, fieldError, listError } from '../../src/config/messages.js';
import type { AwsOptions } from './options.js';

export const AWS_MODES = ['eip', 'secondary-ip', 'route'] as const;
export type AwsModeName = (typeof AWS_MODES)[number];

/** EC2 ids: a prefix and 8 (older resources) or 17 lower-case hex digits. */
const idPattern = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`);
const ID_RULE = (prefix: string) => `an EC2 id "${prefix}-" followed by 8 or 17 lower-case hex digits`;
/** AWS region names: "us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1". */
export const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

function ec2Id(prefix: string, hint: string) {
  return z.string({ error: fieldError(ID_RULE(prefix), hint) }).regex(idPattern(prefix), { error: fieldError(ID_RULE(prefix), hint) }).describe(`${hint}; ${ID_RULE(prefix)}`);
}

function url(hint: string) {
  const rule = 'an http:// or https:// URL';
  return z
    .string({ error: fieldError(rule, hint) })
    .refine((text) => {
      try {
        const u = new URL(text);
        return (u.protocol === 'http:' || u.protocol === 'https:') && u.hostname.length > 0;
      } catch {
        return false;
      }
    }, { error: fieldError(rule, hint) })
    .describe(`${hint}; ${rule}`);
}

const CIDR_RULE = 'a CIDR block such as "192.0.2.50/32" or "2001:db8::50/128"';
function cidr(hint: string) {
  return z
    .string({ error: fieldError(CIDR_RULE, hint) })
    .refine((text) => cidrProblem(text) === undefined, { error: (iss) => `must be ${CIDR_RULE}; got ${describeInput(iss.input)}: ${cidrProblem(String(iss.input)) ?? ''}` })
    .describe(hint);
}

/** Why `text` is not a CIDR block EC2 accepts, or undefined. */
export function cidrProblem(text: string): string | undefined {
  const slash = text.indexOf('/');
  if (slash < 0) return 'no "/prefix"';
  const address = parseAddress(text.slice(0, slash));
  if (!address.ok) return address.reason;
  const prefix = text.slice(slash + 1);
  const max = address.family === 4 ? 32 : 128;
  if (!/^\d{1,3}$/.test(prefix) || Number(prefix) > max) return `prefix must be 0-${max}`;
  return undefined;
}

const HINT = 'the aws provider: moves an Elastic IP, a secondary private IP or VPC routes to this instance (providers/aws/README.md)';

/** Which fields belong to which mode: a field of another mode is an error, never ignored. */
const MODE_FIELDS: Record<AwsModeName, { required: readonly string[]; allowed: readonly string[] }> = {
  eip: { required: ['allocation_id'], allowed: ['allocation_id', 'private_ip'] },
  'secondary-ip': { required: [], allowed: [] },
  route: { required: ['route_tables'], allowed: ['route_tables', 'cidrs'] },
};
const MODE_SPECIFIC = ['allocation_id', 'private_ip', 'route_tables', 'cidrs'] as const;

export const awsSchema = section(
    {
      type: z.literal('aws').describe('aws: Elastic IP, secondary private IP or route, through the EC2 API'),
      mode: oneOf(AWS_MODES, 'what moves: eip (AssociateAddress), secondary-ip (AssignPrivateIpAddresses, bound locally), route (ReplaceRoute)'),
      region: z.string({ error: fieldError('an AWS region such as "eu-west-1"', 'the EC2 region') }).regex(REGION_PATTERN, { error: fieldError('an AWS region such as "eu-west-1"', 'the EC2 region') }).optional().describe('the EC2 region; default AWS_REGION, else the instance metadata (IMDS)'),
      instance_id: ec2Id('i', 'this instance (default from IMDS); for messages only').optional(),
      eni_id: ec2Id('eni', 'the network interface that takes the resource (default: the primary interface, from IMDS)').optional(),
      endpoint: url('the EC2 API endpoint; default the SDK\'s own (AWS_ENDPOINT_URL_EC2, AWS_ENDPOINT_URL, else the region\'s)').optional(),
      imds_endpoint: url('the instance metadata service; default AWS_EC2_METADATA_SERVICE_ENDPOINT, else http://169.254.169.254').optional(),
      request_timeout: documentDefault(durationMs('limit for one EC2 API request, 100ms-1m; default 5s', { minMs: 100, maxMs: 60_000 }).optional(), '5s'),
      allocation_id: ec2Id('eipalloc', 'eip mode: the Elastic IP allocation to associate with this instance').optional(),
      private_ip: z.string({ error: fieldError('an IPv4 address', 'eip mode: the private address of the interface to associate with') })
        .refine((t) => { const a = parseAddress(t); return a.ok && a.family === 4 && a.address === t; }, { error: fieldError('an IPv4 address in dotted form', 'eip mode: the private address of the interface to associate with') })
        .optional()
        .describe('eip mode: the private IPv4 address of the interface to associate with; default its primary'),
      route_tables: z.array(ec2Id('rtb', 'a route table'), { error: listError('a list of 1-20 route table ids (rtb-…)', 'route mode: the route tables whose routes point at this instance') })
        .min(1, { error: listError('a list of 1-20 route table ids (rtb-…)', 'route mode: the route tables') })
        .max(20, { error: listError('a list of 1-20 route table ids (rtb-…)', 'route mode: the route tables') })
        .optional()
        .describe('route mode: the route tables whose routes point at this instance (1-20)'),
      cidrs: z.array(cidr('a destination CIDR block'), { error: listError('a list of 1-50 CIDR blocks', 'route mode: the destinations to route to this instance') })
        .min(1, { error: listError('a list of 1-50 CIDR blocks', 'route mode: destinations') })
        .max(50, { error: listError('a list of 1-50 CIDR blocks', 'route mode: destinations') })
        .optional()
        .describe('route mode: the destination CIDR blocks; default each VIP as /32 or /128'),
    },
    HINT,
  )
  .superRefine((raw, ctx) => {
    const fields = MODE_FIELDS[raw.mode];
    for (const key of fields.required) {
      if (raw[key as keyof typeof raw] === undefined) ctx.addIssue({ code: 'custom', path: [key], message: `required in mode ${raw.mode}`, input: undefined });
    }
    for (const key of MODE_SPECIFIC) {
      if (raw[key] !== undefined && !fields.allowed.includes(key)) {
        ctx.addIssue({ code: 'custom', path: [key], message: `belongs to mode ${AWS_MODES.find((m) => MODE_FIELDS[m].allowed.includes(key)) ?? '?'}, not ${raw.mode}`, input: raw[key] });
      }
    }
  })
  .transform((raw): AwsOptions => ({
    mode: raw.mode,
    region: raw.region,
    instanceId: raw.instance_id,
    eniId: raw.eni_id,
    endpoint: raw.endpoint,
    imdsEndpoint: raw.imds_endpoint,
    requestTimeoutMs: raw.request_timeout ?? DEFAULT_REQUEST_TIMEOUT_MS,
    allocationId: raw.allocation_id,
    privateIp: raw.private_ip,
    routeTables: raw.route_tables ?? [],
    cidrs: raw.cidrs,
  }));

export const DEFAULT_REQUEST_TIMEOUT_MS = 5_000;
