/**
 * The fake's EC2 state: instances, their ENIs and private addresses, Elastic IP allocations
 * and their associations, route tables and tags. Plain data, so a snapshot is a structured
 * clone (the `stale-read` fault answers Describe* from an old snapshot). The rules are EC2's:
 * one association per allocation (associating moves it); a private address sits on one ENI at
 * a time (moving it needs AllowReassignment), and its Elastic IP moves with it (EC2 user guide,
 * "Multiple IP addresses": a reassigned secondary address keeps its Elastic IP; an unassigned
 * one loses it); a route targets one ENI.
 */
import { Ec2ApiError } from './xml.js';
import { hexId, type Rng } from './rng.js';

export interface EniState {
  eniId: string;
  mac: string;
  subnetId: string;
  vpcId: string;
  az: string;
  instanceId: string | undefined;
  attachmentId: string | undefined;
  deviceIndex: number;
  /** [0] is the primary private address, the rest are secondary. */
  privateIps: string[];
}

export interface InstanceState {
  instanceId: string;
  az: string;
  eniIds: string[];
}

export interface AddressState {
  allocationId: string;
  publicIp: string;
  association: { associationId: string; eniId: string; privateIp: string } | undefined;
}

export interface RouteState {
  cidr: string;
  ipv6: boolean;
  /** undefined: the VPC's local route. */
  eniId: string | undefined;
  origin: 'CreateRouteTable' | 'CreateRoute';
}

export interface RouteTableState {
  routeTableId: string;
  vpcId: string;
  routes: RouteState[];
}

export interface WorldState {
  instances: Record<string, InstanceState>;
  enis: Record<string, EniState>;
  addresses: Record<string, AddressState>;
  routeTables: Record<string, RouteTableState>;
  /** resource id -> key -> value */
  tags: Record<string, Record<string, string>>;
}

/** What a test world describes (ids and MACs are generated when left out). */
export interface InstanceInput {
  instanceId?: string;
  az?: string;
  enis: { eniId?: string; mac?: string; subnetId?: string; privateIp: string; secondaryIps?: string[] }[];
}

export interface FakeInstance {
  instanceId: string;
  az: string;
  enis: { eniId: string; mac: string; subnetId: string; privateIp: string }[];
}

export const ACCOUNT_ID = '123456789012';
export const VPC_ID = 'vpc-0f4ce0000000000a1';
/** The documentation range stands in for the VPC's address space (docs/…: no real addresses). */
export const VPC_CIDR = '198.51.100.0/24';

export const emptyWorld = (): WorldState => ({ instances: {}, enis: {}, addresses: {}, routeTables: {}, tags: {} });

const notFound = (code: string, what: string, id: string): Ec2ApiError =>
  new Ec2ApiError(code, `The ${what} ID '${id}' does not exist`);

export function getEni(w: WorldState, eniId: string): EniState {
  const e = w.enis[eniId];
  if (!e) throw notFound('InvalidNetworkInterfaceID.NotFound', 'networkInterface', eniId);
  return e;
}

export function getInstance(w: WorldState, instanceId: string): InstanceState {
  const i = w.instances[instanceId];
  if (!i) throw notFound('InvalidInstanceID.NotFound', 'instance', instanceId);
  return i;
}

export function getAddress(w: WorldState, allocationId: string): AddressState {
  const a = w.addresses[allocationId];
  if (!a) throw notFound('InvalidAllocationID.NotFound', 'allocation', allocationId);
  return a;
}

export function addressByPublicIp(w: WorldState, publicIp: string): AddressState {
  const a = Object.values(w.addresses).find((x) => x.publicIp === publicIp);
  if (!a) throw new Ec2ApiError('InvalidAddress.NotFound', `Address '${publicIp}' not found.`);
  return a;
}

export function getRouteTable(w: WorldState, routeTableId: string): RouteTableState {
  const r = w.routeTables[routeTableId];
  if (!r) throw notFound('InvalidRouteTableID.NotFound', 'routeTable', routeTableId);
  return r;
}

/** The ENI at device index 0; EC2 refuses an instance id when it has several interfaces. */
export function primaryEniOf(w: WorldState, instanceId: string, forAction: string): EniState {
  const inst = getInstance(w, instanceId);
  if (inst.eniIds.length !== 1) {
    throw new Ec2ApiError('InvalidInstanceID', `There are multiple interfaces attached to instance '${instanceId}'. Please specify an interface ID for the operation instead (${forAction}).`);
  }
  return getEni(w, inst.eniIds[0]!);
}

export function eniHoldingIp(w: WorldState, ip: string): EniState | undefined {
  return Object.values(w.enis).find((e) => e.privateIps.includes(ip));
}

export function addressOnPrivateIp(w: WorldState, eniId: string, ip: string): AddressState | undefined {
  return Object.values(w.addresses).find((a) => a.association?.eniId === eniId && a.association.privateIp === ip);
}

/**
 * Moves private address `ip` to `target` (or off every ENI): its Elastic IP association, if
 * any, follows it, or ends when it lands nowhere. The caller has checked it may.
 */
export function reassignPrivateIp(w: WorldState, ip: string, target: EniState | undefined): void {
  const holder = eniHoldingIp(w, ip);
  if (holder === target) return;
  const eip = holder ? addressOnPrivateIp(w, holder.eniId, ip) : undefined;
  if (holder) holder.privateIps = holder.privateIps.filter((x) => x !== ip);
  if (target) target.privateIps.push(ip);
  if (eip) {
    if (target) eip.association!.eniId = target.eniId;
    else eip.association = undefined;
  }
}

/** Associates `addr` with (eniId, privateIp), ending any other address's association there. */
export function associate(w: WorldState, mint: IdMint, addr: AddressState, eniId: string, privateIp: string): string {
  const occupant = addressOnPrivateIp(w, eniId, privateIp);
  if (occupant && occupant !== addr) occupant.association = undefined;
  const associationId = mint.id('eipassoc');
  addr.association = { associationId, eniId, privateIp };
  return associationId;
}

/** The resource type EC2 reports for an id in DescribeTags, or undefined for an unknown prefix. */
export function resourceType(id: string): string | undefined {
  if (id.startsWith('eipalloc-')) return 'elastic-ip';
  if (id.startsWith('eni-')) return 'network-interface';
  if (id.startsWith('rtb-')) return 'route-table';
  if (id.startsWith('i-')) return 'instance';
  return undefined;
}

export function requireTaggable(w: WorldState, id: string): void {
  switch (resourceType(id)) {
    case 'elastic-ip': getAddress(w, id); return;
    case 'network-interface': getEni(w, id); return;
    case 'route-table': getRouteTable(w, id); return;
    case 'instance': getInstance(w, id); return;
    default: throw new Ec2ApiError('InvalidID', `The ID '${id}' is not valid (the fake EC2 tags allocations, ENIs, route tables and instances)`);
  }
}

export const tagSet = (w: WorldState, id: string): { key: string; value: string }[] =>
  Object.entries(w.tags[id] ?? {}).map(([key, value]) => ({ key, value }));

/** Generated ids for world building: EC2-shaped and deterministic for a seed. */
export class IdMint {
  private macCounter = 0;
  constructor(private readonly rng: Rng) {}
  id(prefix: string): string {
    return `${prefix}-${hexId(this.rng)}`;
  }
  mac(): string {
    this.macCounter++;
    const hi = (this.macCounter >> 8) & 0xff;
    const lo = this.macCounter & 0xff;
    // 0x02: a locally administered unicast MAC, never a vendor's.
    return ['02', 'ec', '2f', 'a0', hi.toString(16).padStart(2, '0'), lo.toString(16).padStart(2, '0')].join(':');
  }
}
