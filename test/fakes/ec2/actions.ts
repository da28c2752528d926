/**
 * The EC2 actions the fake serves: their parameters (names as the EC2 API reference and the
 * SDK's serializer spell them; AssignPrivateIpAddresses and UnassignPrivateIpAddresses have no
 * DryRun in the API, so they have none here) and what each does to the world. Reads take the
 * `view` (a stale snapshot under the `stale-read` fault), writes the live state.
 */
import { matchesFilters, paginate } from './filters.js';
import { requireCidr, requireIpv4, type ActionSpec, type Params } from './params.js';
import { addressXml, eniXml, instanceXml, routeTableXml } from './render.js';
import {
  ACCOUNT_ID, addressByPublicIp, addressOnPrivateIp, associate, eniHoldingIp, getAddress, getEni, getInstance, getRouteTable,
  primaryEniOf, reassignPrivateIp, requireTaggable, resourceType, type AddressState, type IdMint, type RouteTableState, type WorldState,
} from './world.js';
import { Ec2ApiError, type XmlObject } from './xml.js';

export interface ActionContext {
  /** The state writes change. */
  readonly live: WorldState;
  /** The state reads see (equal to `live` unless a stale read is injected). */
  readonly view: WorldState;
  readonly mint: IdMint;
  readonly region: string;
  /** Whether AssociateAddress without AllowReassociation refuses an associated address. */
  readonly refuseImplicitReassociation: boolean;
}

export interface ActionDef {
  readonly spec: ActionSpec;
  readonly mutating: boolean;
  /** The resource ids a request names, for deny(action, { resource }). */
  readonly resources: (p: Params) => readonly string[];
  readonly run: (ctx: ActionContext, p: Params) => XmlObject;
}

const DryRun = { kind: 'boolean' } as const;
const str = { kind: 'string' } as const;
const reqStr = { kind: 'string', required: true } as const;
const bool = { kind: 'boolean' } as const;
const int = { kind: 'integer' } as const;
const list = { kind: 'list' } as const;
const filters = (...names: string[]) => ({ kind: 'filters', filters: names }) as const;
const ok = { return: true } as const;
const defined = (xs: (string | undefined)[]): string[] => xs.filter((x): x is string => x !== undefined);

/** Route targets EC2 has but the fake does not model: refused by name, never ignored. */
const UNMODELLED_ROUTE_TARGETS = ['GatewayId', 'NatGatewayId', 'TransitGatewayId', 'LocalGatewayId', 'CarrierGatewayId', 'EgressOnlyInternetGatewayId', 'VpcPeeringConnectionId', 'VpcEndpointId', 'CoreNetworkArn', 'OdbNetworkArn', 'DestinationPrefixListId', 'LocalTarget'];

function assocTarget(ctx: ActionContext, p: Params, action: string): { eniId: string; privateIp: string } {
  const eniId = p.str('NetworkInterfaceId');
  const instanceId = p.str('InstanceId');
  if (eniId !== undefined && instanceId !== undefined) {
    throw new Ec2ApiError('InvalidParameterCombination', `${action}: specify NetworkInterfaceId or InstanceId, not both`);
  }
  if (eniId === undefined && instanceId === undefined) {
    throw new Ec2ApiError('MissingParameter', `${action}: the request must contain the parameter NetworkInterfaceId or InstanceId`);
  }
  const eni = eniId !== undefined ? getEni(ctx.live, eniId) : primaryEniOf(ctx.live, instanceId!, action);
  const privateIp = p.str('PrivateIpAddress') ?? eni.privateIps[0]!;
  requireIpv4(privateIp, 'PrivateIpAddress');
  if (!eni.privateIps.includes(privateIp)) {
    throw new Ec2ApiError('InvalidParameterValue', `The private IP address ${privateIp} is not assigned to network interface ${eni.eniId}`);
  }
  return { eniId: eni.eniId, privateIp };
}

function associateAddress(ctx: ActionContext, p: Params): XmlObject {
  const allocationId = p.str('AllocationId');
  const publicIp = p.str('PublicIp');
  if (allocationId !== undefined && publicIp !== undefined) {
    throw new Ec2ApiError('InvalidParameterCombination', 'AssociateAddress: specify AllocationId or PublicIp, not both');
  }
  if (allocationId === undefined && publicIp === undefined) {
    throw new Ec2ApiError('MissingParameter', 'AssociateAddress: the request must contain the parameter AllocationId (VPC addresses are named by allocation)');
  }
  const addr: AddressState = allocationId !== undefined ? getAddress(ctx.live, allocationId) : addressByPublicIp(ctx.live, publicIp!);
  const target = assocTarget(ctx, p, 'AssociateAddress');
  const allow = p.bool('AllowReassociation');
  const mayReassociate = allow === true || (allow === undefined && !ctx.refuseImplicitReassociation);
  if (addr.association && !mayReassociate) {
    throw new Ec2ApiError('Resource.AlreadyAssociated', `resource ${addr.allocationId} is already associated with associate-id ${addr.association.associationId}`);
  }
  const occupant = addressOnPrivateIp(ctx.live, target.eniId, target.privateIp);
  if (occupant && occupant !== addr && !mayReassociate) {
    throw new Ec2ApiError('Resource.AlreadyAssociated', `resource ${target.eniId} (${target.privateIp}) is already associated with associate-id ${occupant.association!.associationId}`);
  }
  return { return: true, associationId: associate(ctx.live, ctx.mint, addr, target.eniId, target.privateIp) };
}

function disassociateAddress(ctx: ActionContext, p: Params): XmlObject {
  const associationId = p.str('AssociationId');
  const publicIp = p.str('PublicIp');
  if ((associationId === undefined) === (publicIp === undefined)) {
    throw new Ec2ApiError('MissingParameter', 'DisassociateAddress: the request must contain exactly one of AssociationId or PublicIp');
  }
  const addr = associationId !== undefined
    ? Object.values(ctx.live.addresses).find((a) => a.association?.associationId === associationId)
    : addressByPublicIp(ctx.live, publicIp!);
  if (!addr) throw new Ec2ApiError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  if (!addr.association) throw new Ec2ApiError('InvalidAssociationID.NotFound', `Address '${publicIp}' is not associated`);
  addr.association = undefined;
  return ok;
}

/** Describe*'s id list: every named id must exist (else its *.NotFound), then only those. */
function byIds<T>(all: T[], ids: readonly string[], idOf: (x: T) => string, mustExist: (id: string) => unknown): T[] {
  if (ids.length === 0) return all;
  for (const id of ids) mustExist(id);
  return all.filter((x) => ids.includes(idOf(x)));
}

function describeAddresses(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.view;
  let items = byIds(Object.values(w.addresses), p.list('AllocationId'), (a) => a.allocationId, (id) => getAddress(w, id));
  items = byIds(items, p.list('PublicIp'), (a) => a.publicIp, (ip) => addressByPublicIp(w, ip));
  items = items.filter((a) => matchesFilters(p.filters, (name) => {
    const eni = a.association ? w.enis[a.association.eniId] : undefined;
    switch (name) {
      case 'allocation-id': return [a.allocationId];
      case 'association-id': return [a.association?.associationId];
      case 'instance-id': return [eni?.instanceId];
      case 'network-interface-id': return [a.association?.eniId];
      case 'network-interface-owner-id': return [a.association ? ACCOUNT_ID : undefined];
      case 'private-ip-address': return [a.association?.privateIp];
      case 'public-ip': return [a.publicIp];
      case 'domain': return ['vpc'];
      default: return [];
    }
  }, w.tags[a.allocationId] ?? {}));
  return { addressesSet: items.map((a) => addressXml(w, a, ctx.region)) };
}

function describeNetworkInterfaces(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.view;
  let items = byIds(Object.values(w.enis), p.list('NetworkInterfaceId'), (e) => e.eniId, (id) => getEni(w, id));
  items = items.filter((e) => matchesFilters(p.filters, (name) => {
    switch (name) {
      case 'network-interface-id': return [e.eniId];
      case 'attachment.instance-id': return [e.instanceId];
      case 'attachment.attachment-id': return [e.attachmentId];
      case 'attachment.device-index': return [String(e.deviceIndex)];
      case 'attachment.status': return [e.instanceId ? 'attached' : undefined];
      case 'addresses.private-ip-address': return e.privateIps;
      case 'private-ip-address': return [e.privateIps[0]];
      case 'mac-address': return [e.mac];
      case 'subnet-id': return [e.subnetId];
      case 'vpc-id': return [e.vpcId];
      case 'availability-zone': return [e.az];
      case 'status': return [e.instanceId ? 'in-use' : 'available'];
      case 'association.allocation-id': return Object.values(w.addresses).filter((a) => a.association?.eniId === e.eniId).map((a) => a.allocationId);
      case 'association.public-ip': return Object.values(w.addresses).filter((a) => a.association?.eniId === e.eniId).map((a) => a.publicIp);
      default: return [];
    }
  }, w.tags[e.eniId] ?? {}));
  const { page, nextToken } = paginate(items, p, 5, 1000);
  return { networkInterfaceSet: page.map((e) => eniXml(w, e, ctx.region)), nextToken };
}

function assignPrivateIpAddresses(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.live;
  const eni = getEni(w, p.str('NetworkInterfaceId')!);
  const ips = p.list('PrivateIpAddress');
  if (p.has('SecondaryPrivateIpAddressCount')) {
    throw new Ec2ApiError('UnknownParameter', 'The parameter SecondaryPrivateIpAddressCount is not recognized by the fake EC2 (it assigns only named addresses: PrivateIpAddress.N)');
  }
  if (ips.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter PrivateIpAddress.1 (or SecondaryPrivateIpAddressCount)');
  const allow = p.bool('AllowReassignment') === true;
  for (const ip of ips) {
    requireIpv4(ip, 'PrivateIpAddress');
    const holder = eniHoldingIp(w, ip);
    if (holder === eni && eni.privateIps[0] === ip) {
      throw new Ec2ApiError('InvalidParameterValue', `Address ${ip} is the primary private IP address of ${eni.eniId} and cannot also be a secondary one`);
    }
    if (holder && holder !== eni) {
      if (holder.privateIps[0] === ip) {
        throw new Ec2ApiError('InvalidParameterValue', `Address ${ip} is the primary private IP address of ${holder.eniId} and cannot be reassigned`);
      }
      if (!allow) throw new Ec2ApiError('InvalidIPAddress.InUse', `Address ${ip} is in use (assigned to ${holder.eniId}; pass AllowReassignment to move it)`);
    }
  }
  for (const ip of ips) reassignPrivateIp(w, ip, eni); // a no-op for what is already here
  return { return: true, networkInterfaceId: eni.eniId, assignedPrivateIpAddressesSet: ips.map((ip) => ({ privateIpAddress: ip })) };
}

function unassignPrivateIpAddresses(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.live;
  const eni = getEni(w, p.str('NetworkInterfaceId')!);
  const ips = p.list('PrivateIpAddress');
  if (ips.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter PrivateIpAddress.1');
  for (const ip of ips) {
    requireIpv4(ip, 'PrivateIpAddress');
    if (eni.privateIps[0] === ip) throw new Ec2ApiError('InvalidParameterValue', `Address ${ip} is the primary private IP address of ${eni.eniId} and cannot be unassigned`);
    if (!eni.privateIps.includes(ip)) throw new Ec2ApiError('InvalidParameterValue', `Some of the specified addresses are not assigned to interface ${eni.eniId} (${ip})`);
  }
  for (const ip of ips) reassignPrivateIp(w, ip, undefined);
  return ok;
}

function describeRouteTables(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.view;
  let items = byIds(Object.values(w.routeTables), p.list('RouteTableId'), (r) => r.routeTableId, (id) => getRouteTable(w, id));
  items = items.filter((rt) => matchesFilters(p.filters, (name) => {
    switch (name) {
      case 'route-table-id': return [rt.routeTableId];
      case 'vpc-id': return [rt.vpcId];
      case 'route.destination-cidr-block': return rt.routes.filter((r) => !r.ipv6).map((r) => r.cidr);
      case 'route.destination-ipv6-cidr-block': return rt.routes.filter((r) => r.ipv6).map((r) => r.cidr);
      case 'route.network-interface-id': return rt.routes.map((r) => r.eniId);
      case 'route.instance-id': return rt.routes.map((r) => (r.eniId ? w.enis[r.eniId]?.instanceId : undefined));
      default: return [];
    }
  }, w.tags[rt.routeTableId] ?? {}));
  const { page, nextToken } = paginate(items, p, 5, 100);
  return { routeTableSet: page.map((rt) => routeTableXml(w, rt)), nextToken };
}

function routeDestination(p: Params, action: string): { cidr: string; ipv6: boolean } {
  const v4 = p.str('DestinationCidrBlock');
  const v6 = p.str('DestinationIpv6CidrBlock');
  if (v4 !== undefined && v6 !== undefined) throw new Ec2ApiError('InvalidParameterCombination', `${action}: specify DestinationCidrBlock or DestinationIpv6CidrBlock, not both`);
  if (v4 === undefined && v6 === undefined) throw new Ec2ApiError('MissingParameter', `${action}: the request must contain the parameter DestinationCidrBlock or DestinationIpv6CidrBlock`);
  return v4 !== undefined
    ? { cidr: requireCidr(v4, 'DestinationCidrBlock', 4), ipv6: false }
    : { cidr: requireCidr(v6!, 'DestinationIpv6CidrBlock', 6), ipv6: true };
}

function routeTargetEni(ctx: ActionContext, p: Params, action: string): string {
  for (const t of UNMODELLED_ROUTE_TARGETS) {
    if (p.has(t)) throw new Ec2ApiError('UnknownParameter', `The parameter ${t} is not recognized by the fake EC2 for ${action} (it routes only to NetworkInterfaceId or InstanceId)`);
  }
  const eniId = p.str('NetworkInterfaceId');
  const instanceId = p.str('InstanceId');
  if (eniId !== undefined && instanceId !== undefined) throw new Ec2ApiError('InvalidParameterCombination', `${action}: specify NetworkInterfaceId or InstanceId, not both`);
  if (eniId === undefined && instanceId === undefined) throw new Ec2ApiError('MissingParameter', `${action}: the request must contain a route target (NetworkInterfaceId or InstanceId)`);
  return eniId !== undefined ? getEni(ctx.live, eniId).eniId : primaryEniOf(ctx.live, instanceId!, action).eniId;
}

const findRoute = (rt: RouteTableState, cidr: string) => rt.routes.find((r) => r.cidr === cidr);

function createRoute(ctx: ActionContext, p: Params): XmlObject {
  const rt = getRouteTable(ctx.live, p.str('RouteTableId')!);
  const dest = routeDestination(p, 'CreateRoute');
  const eniId = routeTargetEni(ctx, p, 'CreateRoute');
  if (findRoute(rt, dest.cidr)) throw new Ec2ApiError('RouteAlreadyExists', `The route identified by ${dest.cidr} already exists.`);
  rt.routes.push({ ...dest, eniId, origin: 'CreateRoute' });
  return ok;
}

function replaceRoute(ctx: ActionContext, p: Params): XmlObject {
  const rt = getRouteTable(ctx.live, p.str('RouteTableId')!);
  const dest = routeDestination(p, 'ReplaceRoute');
  const eniId = routeTargetEni(ctx, p, 'ReplaceRoute');
  const route = findRoute(rt, dest.cidr);
  if (!route) throw new Ec2ApiError('InvalidRoute.NotFound', `There is no route defined for '${dest.cidr}' in the route table ${rt.routeTableId}. Use CreateRoute instead.`);
  if (route.eniId === undefined) throw new Ec2ApiError('InvalidParameterValue', `The local route ${dest.cidr} in ${rt.routeTableId} cannot be replaced`);
  route.eniId = eniId;
  return ok;
}

function deleteRoute(ctx: ActionContext, p: Params): XmlObject {
  if (p.has('DestinationPrefixListId')) throw new Ec2ApiError('UnknownParameter', 'The parameter DestinationPrefixListId is not recognized by the fake EC2 for DeleteRoute');
  const rt = getRouteTable(ctx.live, p.str('RouteTableId')!);
  const dest = routeDestination(p, 'DeleteRoute');
  const route = findRoute(rt, dest.cidr);
  if (!route) throw new Ec2ApiError('InvalidRoute.NotFound', `No route with destination-cidr-block ${dest.cidr} in route table ${rt.routeTableId}`);
  if (route.eniId === undefined) throw new Ec2ApiError('InvalidParameterValue', `The local route ${dest.cidr} in ${rt.routeTableId} cannot be deleted`);
  rt.routes = rt.routes.filter((r) => r !== route);
  return ok;
}

function createTags(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.live;
  const ids = p.list('ResourceId');
  const tags = p.tags ?? [];
  if (tags.length === 0) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter Tag.1.Key');
  for (const id of ids) requireTaggable(w, id);
  for (const t of tags) {
    if (t.key.toLowerCase().startsWith('aws:')) throw new Ec2ApiError('InvalidParameterValue', `Tag key '${t.key}': keys starting with 'aws:' are reserved for internal use`);
    if (t.key.length === 0 || t.key.length > 128) throw new Ec2ApiError('InvalidParameterValue', `Tag key '${t.key}' must be 1..128 characters`);
    if ((t.value ?? '').length > 256) throw new Ec2ApiError('InvalidParameterValue', `Tag value for key '${t.key}' must be at most 256 characters`);
  }
  for (const id of ids) {
    const set = { ...(w.tags[id] ?? {}) };
    for (const t of tags) set[t.key] = t.value ?? '';
    if (Object.keys(set).length > 50) throw new Ec2ApiError('TagLimitExceeded', `The maximum number of tags (50) for resource ${id} has been reached.`);
    w.tags[id] = set;
  }
  return ok;
}

function deleteTags(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.live;
  const ids = p.list('ResourceId');
  for (const id of ids) requireTaggable(w, id);
  for (const id of ids) {
    const set = { ...(w.tags[id] ?? {}) };
    if (p.tags === undefined) {
      w.tags[id] = {};
      continue;
    }
    // A tag given with a value is deleted only when the value matches (EC2 DeleteTags).
    for (const t of p.tags) if (t.value === undefined || set[t.key] === t.value) delete set[t.key];
    w.tags[id] = set;
  }
  return ok;
}

function describeTags(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.view;
  const rows = Object.entries(w.tags).flatMap(([resourceId, set]) =>
    Object.entries(set).map(([key, value]) => ({ resourceId, resourceType: resourceType(resourceId) ?? 'unknown', key, value })));
  const items = rows.filter((r) => matchesFilters(p.filters, (name) => {
    switch (name) {
      case 'resource-id': return [r.resourceId];
      case 'resource-type': return [r.resourceType];
      case 'key': return [r.key];
      case 'value': return [r.value];
      default: return [];
    }
  }, {}));
  const { page, nextToken } = paginate(items, p, 5, 1000);
  return { tagSet: page.map((r) => ({ ...r })), nextToken };
}

function describeInstances(ctx: ActionContext, p: Params): XmlObject {
  const w = ctx.view;
  const ids = p.list('InstanceId');
  if (ids.length > 0 && p.has('MaxResults')) {
    throw new Ec2ApiError('InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
  }
  let items = byIds(Object.values(w.instances), ids, (i) => i.instanceId, (id) => getInstance(w, id));
  items = items.filter((inst) => matchesFilters(p.filters, (name) => {
    const enis = inst.eniIds.map((id) => w.enis[id]!);
    switch (name) {
      case 'instance-id': return [inst.instanceId];
      case 'availability-zone': return [inst.az];
      case 'instance-state-name': return ['running'];
      case 'private-ip-address': return [enis.find((e) => e.deviceIndex === 0)?.privateIps[0]];
      case 'network-interface.network-interface-id': return enis.map((e) => e.eniId);
      case 'network-interface.mac-address': return enis.map((e) => e.mac);
      case 'network-interface.addresses.private-ip-address': return enis.flatMap((e) => e.privateIps);
      case 'vpc-id': return defined(enis.map((e) => e.vpcId));
      case 'subnet-id': return defined(enis.map((e) => e.subnetId));
      default: return [];
    }
  }, w.tags[inst.instanceId] ?? {}));
  const { page, nextToken } = paginate(items, p, 5, 1000);
  return {
    reservationSet: page.map((inst) => ({
      reservationId: `r-${inst.instanceId.slice(2)}`,
      ownerId: ACCOUNT_ID,
      groupSet: [],
      instancesSet: [instanceXml(w, inst, ctx.region)],
    })),
    nextToken,
  };
}

const routeSpec: ActionSpec = {
  DryRun, RouteTableId: reqStr, DestinationCidrBlock: str, DestinationIpv6CidrBlock: str, NetworkInterfaceId: str, InstanceId: str,
  ...Object.fromEntries(UNMODELLED_ROUTE_TARGETS.map((t) => [t, t === 'LocalTarget' ? bool : str])),
};

const none = (): readonly string[] => [];

export const ACTIONS: Readonly<Record<string, ActionDef>> = {
  DescribeAddresses: {
    spec: { DryRun, AllocationId: list, PublicIp: list, Filter: filters('allocation-id', 'association-id', 'instance-id', 'network-interface-id', 'network-interface-owner-id', 'private-ip-address', 'public-ip', 'domain') },
    mutating: false,
    resources: (p) => p.list('AllocationId'),
    run: describeAddresses,
  },
  AssociateAddress: {
    spec: { DryRun, AllocationId: str, PublicIp: str, InstanceId: str, NetworkInterfaceId: str, PrivateIpAddress: str, AllowReassociation: bool },
    mutating: true,
    resources: (p) => defined([p.str('AllocationId'), p.str('NetworkInterfaceId'), p.str('InstanceId')]),
    run: associateAddress,
  },
  DisassociateAddress: {
    spec: { DryRun, AssociationId: str, PublicIp: str },
    mutating: true,
    resources: (p) => defined([p.str('AssociationId')]),
    run: disassociateAddress,
  },
  DescribeNetworkInterfaces: {
    spec: {
      DryRun, NetworkInterfaceId: list, MaxResults: int, NextToken: str, IncludeManagedResources: bool,
      Filter: filters('network-interface-id', 'attachment.instance-id', 'attachment.attachment-id', 'attachment.device-index', 'attachment.status', 'addresses.private-ip-address', 'private-ip-address', 'mac-address', 'subnet-id', 'vpc-id', 'availability-zone', 'status', 'association.allocation-id', 'association.public-ip'),
    },
    mutating: false,
    resources: (p) => p.list('NetworkInterfaceId'),
    run: describeNetworkInterfaces,
  },
  AssignPrivateIpAddresses: {
    spec: { NetworkInterfaceId: reqStr, PrivateIpAddress: list, SecondaryPrivateIpAddressCount: int, AllowReassignment: bool, Ipv4Prefix: list, Ipv4PrefixCount: int },
    mutating: true,
    resources: (p) => defined([p.str('NetworkInterfaceId')]),
    run: (ctx, p) => {
      for (const t of ['Ipv4Prefix', 'Ipv4PrefixCount']) if (p.has(t)) throw new Ec2ApiError('UnknownParameter', `The parameter ${t} is not recognized by the fake EC2 (no prefix delegation)`);
      return assignPrivateIpAddresses(ctx, p);
    },
  },
  UnassignPrivateIpAddresses: {
    spec: { NetworkInterfaceId: reqStr, PrivateIpAddress: list, Ipv4Prefix: list },
    mutating: true,
    resources: (p) => defined([p.str('NetworkInterfaceId')]),
    run: (ctx, p) => {
      if (p.has('Ipv4Prefix')) throw new Ec2ApiError('UnknownParameter', 'The parameter Ipv4Prefix is not recognized by the fake EC2 (no prefix delegation)');
      return unassignPrivateIpAddresses(ctx, p);
    },
  },
  DescribeRouteTables: {
    spec: {
      DryRun, RouteTableId: list, MaxResults: int, NextToken: str,
      Filter: filters('route-table-id', 'vpc-id', 'route.destination-cidr-block', 'route.destination-ipv6-cidr-block', 'route.network-interface-id', 'route.instance-id'),
    },
    mutating: false,
    resources: (p) => p.list('RouteTableId'),
    run: describeRouteTables,
  },
  CreateRoute: { spec: routeSpec, mutating: true, resources: (p) => defined([p.str('RouteTableId'), p.str('NetworkInterfaceId')]), run: createRoute },
  ReplaceRoute: { spec: routeSpec, mutating: true, resources: (p) => defined([p.str('RouteTableId'), p.str('NetworkInterfaceId')]), run: replaceRoute },
  DeleteRoute: {
    spec: { DryRun, RouteTableId: reqStr, DestinationCidrBlock: str, DestinationIpv6CidrBlock: str, DestinationPrefixListId: str },
    mutating: true,
    resources: (p) => defined([p.str('RouteTableId')]),
    run: deleteRoute,
  },
  CreateTags: {
    spec: { DryRun, ResourceId: { kind: 'list', required: true }, Tag: { kind: 'tags', required: true } },
    mutating: true,
    resources: (p) => p.list('ResourceId'),
    run: createTags,
  },
  DeleteTags: {
    spec: { DryRun, ResourceId: { kind: 'list', required: true }, Tag: { kind: 'tags' } },
    mutating: true,
    resources: (p) => p.list('ResourceId'),
    run: deleteTags,
  },
  DescribeTags: {
    spec: { DryRun, MaxResults: int, NextToken: str, Filter: filters('resource-id', 'resource-type', 'key', 'value') },
    mutating: false,
    resources: none,
    run: describeTags,
  },
  DescribeInstances: {
    spec: {
      DryRun, InstanceId: list, MaxResults: int, NextToken: str, IncludeManagedResources: bool,
      Filter: filters('instance-id', 'availability-zone', 'instance-state-name', 'private-ip-address', 'network-interface.network-interface-id', 'network-interface.mac-address', 'network-interface.addresses.private-ip-address', 'vpc-id', 'subnet-id'),
    },
    mutating: false,
    resources: (p) => p.list('InstanceId'),
    run: describeInstances,
  },
};
