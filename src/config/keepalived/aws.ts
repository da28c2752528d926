/**
 * The AWS notify-script pattern as vipd's `aws` provider (providers/aws/README.md): what a
 * keepalived notify_master script did with the EC2 API on takeover, the provider does itself,
 * fenced and retried, and undoes on release.
 *
 * | script calls                                    | provider |
 * |-------------------------------------------------|----------|
 * | aws ec2 assign-private-ip-addresses             | {type: aws, mode: secondary-ip} (the VIPs are the addresses; it binds them on the interface itself) |
 * | aws ec2 associate-address --allocation-id ID    | {type: aws, mode: eip, allocation_id: ID [, private_ip]} |
 * | aws ec2 replace-route / create-route --route-table-id ID | {type: aws, mode: route, route_tables: [...], cidrs: [...]} |
 *
 * Literal ids only: an id held in a variable set at run time cannot be known here, and the
 * provider's required ids (allocation_id, route_tables) must be written. This instance's own
 * ids (instance, ENI) are optional: the provider asks the metadata service for them.
 */
import { parseAddress } from '../address.js';
import { unresolved, type AwsCall } from './aws-scan.js';

export type AwsMode = 'secondary-ip' | 'eip' | 'route';

export interface AwsPlan {
  /** The aws provider mappings, in the order the script made the calls' kinds first appear. */
  readonly providers: Record<string, unknown>[];
  readonly modes: AwsMode[];
  /** Addresses the calls name that a group without VIPs can use as its VIPs. */
  readonly addresses: string[];
  /** Why some call was not converted (the plan may still hold the others). */
  readonly problems: string[];
}

const id = (prefix: string) => new RegExp(`^${prefix}-[0-9a-f]{8}([0-9a-f]{9})?$`);
const ALLOCATION = id('eipalloc');
const ENI = id('eni');
const TABLE = id('rtb');
const INSTANCE = id('i');
/** providers/aws/schema.ts REGION_PATTERN (src/config may not import providers). */
const REGION = /^[a-z]{2}(-[a-z]+)+-\d{1,2}$/;

const MOVES = new Set(['assign-private-ip-addresses', 'associate-address', 'replace-route', 'create-route']);
const RELEASES = new Set(['unassign-private-ip-addresses', 'disassociate-address', 'delete-route']);

export const isMove = (call: AwsCall): boolean => MOVES.has(call.sub);
export const isRelease = (call: AwsCall): boolean => RELEASES.has(call.sub);

export function planAws(calls: readonly AwsCall[]): AwsPlan {
  const problems: string[] = [];
  const addresses: string[] = [];
  const order: AwsMode[] = [];
  const secondary = { ips: [] as string[], eni: new Set<string>() };
  const eips = new Map<string, { privateIp?: string; eni?: string }>();
  const route = { tables: [] as string[], cidrs: [] as string[], eni: new Set<string>() };
  const regions = new Set<string>();
  const instances = new Set<string>();
  const literal = (call: AwsCall, option: string): string | undefined => {
    const v = call.options.get(option)?.[0];
    return unresolved(v) ? undefined : v;
  };
  const where = (call: AwsCall) => `line ${call.line}: aws ec2 ${call.sub}`;

  for (const call of calls) {
    if (!MOVES.has(call.sub)) continue;
    const instance = literal(call, '--instance-id');
    const eni = literal(call, '--network-interface-id');
    if (instance !== undefined && INSTANCE.test(instance)) instances.add(instance);
    if (call.region !== undefined && !unresolved(call.region)) {
      if (REGION.test(call.region)) regions.add(call.region);
      else problems.push(`${where(call)}: --region ${call.region} is not an AWS region name`);
    }
    if (call.sub === 'assign-private-ip-addresses') {
      const ips = call.options.get('--private-ip-addresses') ?? call.options.get('--private-ip-address') ?? [];
      const literalIps = ips.filter((ip) => {
        const a = parseAddress(ip);
        return !unresolved(ip) && a.ok && a.family === 4;
      });
      if (literalIps.length === 0 || literalIps.length !== ips.length) {
        problems.push(`${where(call)}: needs literal IPv4 addresses in --private-ip-addresses (a count of new addresses or a variable names no VIP): not converted`);
        continue;
      }
      for (const ip of literalIps) if (!secondary.ips.includes(ip)) secondary.ips.push(ip);
      if (eni !== undefined && ENI.test(eni)) secondary.eni.add(eni);
      if (!order.includes('secondary-ip')) order.push('secondary-ip');
    } else if (call.sub === 'associate-address') {
      const allocation = literal(call, '--allocation-id');
      if (allocation === undefined || !ALLOCATION.test(allocation)) {
        const given = call.options.get('--allocation-id')?.[0] ?? (call.options.has('--public-ip') ? '(none: --public-ip, EC2-Classic)' : '(none)');
        problems.push(`${where(call)}: --allocation-id ${given} is not a literal eipalloc- id: not converted (mode eip needs allocation_id)`);
        continue;
      }
      const privateIp = literal(call, '--private-ip-address');
      const parsedIp = privateIp === undefined ? undefined : parseAddress(privateIp);
      const ipv4 = parsedIp?.ok === true && parsedIp.family === 4 && parsedIp.address === privateIp;
      if (privateIp !== undefined && !ipv4) problems.push(`${where(call)}: --private-ip-address ${privateIp} is not a literal IPv4 address: left out (the ENI's primary address is used)`);
      const entry = { ...(ipv4 && privateIp !== undefined && { privateIp }), ...(eni !== undefined && ENI.test(eni) && { eni }) };
      eips.set(allocation, entry);
      if (entry.privateIp !== undefined && !addresses.includes(entry.privateIp)) addresses.push(entry.privateIp);
      if (!order.includes('eip')) order.push('eip');
    } else {
      const table = literal(call, '--route-table-id');
      const cidr = literal(call, '--destination-cidr-block') ?? literal(call, '--destination-ipv6-cidr-block');
      if (call.options.has('--gateway-id') || call.options.has('--nat-gateway-id') || call.options.has('--transit-gateway-id') || call.options.has('--vpc-peering-connection-id')) {
        problems.push(`${where(call)}: routes to a gateway, not to this instance: not converted`);
        continue;
      }
      if (table === undefined || !TABLE.test(table)) {
        problems.push(`${where(call)}: --route-table-id ${call.options.get('--route-table-id')?.[0] ?? '(none)'} is not a literal rtb- id: not converted`);
        continue;
      }
      if (cidr === undefined || !isCidr(cidr)) {
        problems.push(`${where(call)}: --destination-cidr-block ${call.options.get('--destination-cidr-block')?.[0] ?? '(none)'} is not a literal CIDR block: not converted`);
        continue;
      }
      if (!route.tables.includes(table)) route.tables.push(table);
      if (!route.cidrs.includes(cidr)) route.cidrs.push(cidr);
      if (eni !== undefined && ENI.test(eni)) route.eni.add(eni);
      const host = /^(.*)\/(32|128)$/.exec(cidr);
      if (host && !addresses.includes(host[1] as string)) addresses.push(host[1] as string);
      if (!order.includes('route')) order.push('route');
    }
  }
  for (const ip of secondary.ips) if (!addresses.includes(ip)) addresses.unshift(ip);

  const region = regions.size === 1 ? [...regions][0] : undefined;
  if (regions.size > 1) problems.push(`the calls name ${regions.size} regions (${[...regions].join(', ')}): region left to AWS_REGION or the metadata service`);
  const instance = instances.size === 1 ? [...instances][0] : undefined;
  const identity = (enis: Set<string>): Record<string, unknown> => ({
    ...(region !== undefined && { region }),
    ...(instance !== undefined && { instance_id: instance }),
    ...(enis.size === 1 && { eni_id: [...enis][0] }),
  });
  const providers: Record<string, unknown>[] = [];
  for (const mode of order) {
    if (mode === 'secondary-ip') providers.push({ type: 'aws', mode, ...identity(secondary.eni) });
    if (mode === 'eip') {
      for (const [allocation, e] of eips) {
        providers.push({ type: 'aws', mode, ...identity(new Set(e.eni ? [e.eni] : [])), allocation_id: allocation, ...(e.privateIp !== undefined && { private_ip: e.privateIp }) });
      }
    }
    if (mode === 'route') providers.push({ type: 'aws', mode, ...identity(route.eni), route_tables: route.tables, cidrs: route.cidrs });
  }
  return { providers, modes: order, addresses, problems };
}

function isCidr(text: string): boolean {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(text);
  if (!m) return false;
  const a = parseAddress(m[1] as string);
  return a.ok && Number(m[2]) <= (a.family === 4 ? 32 : 128);
}
