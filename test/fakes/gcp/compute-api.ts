/**
 * The Compute Engine v1 methods the fake serves, one handler each, with GCP's checks: the
 * permission each method needs (https://cloud.google.com/compute/docs/access/iam-permissions),
 * the interface fingerprint of updateNetworkInterface (412 conditionNotMet when stale), one
 * running operation per instance (resourceNotReady), addresses and alias ranges that another
 * instance already uses, and body fields the fake does not model (400 naming them).
 */
import {
  alreadyExists,
  ApiError,
  conditionNotMet,
  invalid,
  notFound,
  permissionDenied,
  resourceNotReady,
} from './errors.js';
import { matchesFilter, parseFilter } from './filter.js';
import type { Operations } from './operations.js';
import type { Renderer } from './render.js';
import type { RestMethod } from './schema.js';
import {
  cidrSpan,
  normaliseRange,
  regionOf,
  type AccessConfig,
  type AliasIpRange,
  type Instance,
  type Nic,
  type Operation,
  type OperationError,
  type State,
  type World,
} from './world.js';

export interface Call {
  readonly method: RestMethod;
  readonly params: Readonly<Record<string, string>>;
  readonly query: URLSearchParams;
  /** The parsed HTTP body (the request's body field), or undefined. */
  readonly body: unknown;
  /** The state reads answer from (the present one, or a stale snapshot). */
  readonly view: State;
  /** The service account the bearer token was issued to. */
  readonly user: string;
}

export interface ApiContext {
  readonly world: World;
  readonly render: Renderer;
  readonly operations: Operations;
  readonly denied: ReadonlySet<string>;
  /** How long operations.wait holds a request before answering a RUNNING operation. */
  readonly waitCapMs: number;
}

type Handler = (call: Call, ctx: ApiContext) => unknown;

const ROUTE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

function requirePermission(ctx: ApiContext, permission: string, resource: string): void {
  if (ctx.denied.has(permission)) throw permissionDenied(permission, resource);
}

function requireProject(call: Call, ctx: ApiContext): string {
  const p = call.params.project as string;
  if (p !== ctx.world.project) throw notFound(`projects/${p}`);
  return `projects/${p}`;
}

function required(call: Call, name: string): string {
  const v = call.query.get(name);
  if (!v) throw invalid(`Required parameter '${name}' is missing (query parameter of ${call.method.name}).`);
  return v;
}

function findInstance(call: Call, ctx: ApiContext, s: State, param = 'instance'): Instance {
  const zone = call.params.zone as string;
  const name = call.params[param] as string;
  const i = ctx.world.instance(zone, name, s);
  if (!i) throw notFound(`projects/${ctx.world.project}/zones/${zone}/instances/${name}`);
  return i;
}

function findNic(i: Instance, name: string, ctx: ApiContext): Nic {
  const nic = i.nics.find((n) => n.name === name);
  if (!nic) throw invalid(`Invalid value for field 'networkInterface': '${name}'. The network interface does not exist on '${ctx.world.instancePath(i)}'.`);
  return nic;
}

/** The interface a mutation names (?networkInterface=), after the project and permission checks. */
function targetNic(call: Call, ctx: ApiContext, permission: string): { project: string; path: string; instance: Instance; nic: Nic } {
  const project = requireProject(call, ctx);
  const path = `${project}/zones/${call.params.zone}/instances/${call.params.instance}`;
  requirePermission(ctx, permission, path);
  const instance = findInstance(call, ctx, ctx.world.state);
  return { project, path, instance, nic: findNic(instance, required(call, 'networkInterface'), ctx) };
}

function notBusy(i: Instance, ctx: ApiContext): void {
  if (i.pendingOp) throw resourceNotReady(ctx.world.instancePath(i));
}

/** JSON with object keys sorted, to compare an echoed resource with the current one. */
function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

/** Body fields the fake accepts only when they repeat the current value (a GET echoed back). */
function echoOnly(body: Record<string, unknown>, current: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const [k, v] of Object.entries(body)) {
    if (allowed.includes(k)) continue;
    if (!(k in current)) throw invalid(`Invalid value for field 'resource.${k}': the gcp fake does not support setting '${k}' on ${what}.`);
    if (canonicalJson(v) !== canonicalJson(current[k]))
      throw invalid(`Invalid value for field 'resource.${k}': ${JSON.stringify(v)}. ${what} can only change ${allowed.join(', ')} here; '${k}' must stay ${JSON.stringify(current[k])}.`);
  }
}

function page<T>(call: Call, items: T[]): { items?: T[]; nextPageToken?: string } {
  const max = Number(call.query.get('maxResults') ?? '500');
  const start = Number(call.query.get('pageToken') ?? '0');
  if (!Number.isInteger(max) || max < 0 || max > 500) throw invalid(`Invalid value for field 'maxResults': '${call.query.get('maxResults')}'. Must be between 0 and 500.`);
  if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid value for field 'pageToken': '${call.query.get('pageToken')}'.`);
  const slice = items.slice(start, start + (max === 0 ? 500 : max));
  const next = start + slice.length < items.length ? String(start + slice.length) : undefined;
  return { ...(slice.length > 0 ? { items: slice } : {}), ...(next ? { nextPageToken: next } : {}) };
}

function filtered<T>(call: Call, items: T[]): T[] {
  const f = call.query.get('filter');
  if (!f) return items;
  const terms = parseFilter(f);
  return items.filter((x) => matchesFilter(x, terms));
}

/** A list answer (InstanceList, AddressList, RouteList): filtered, then paged. */
function listOf(call: Call, ctx: ApiContext, kind: string, collection: string, all: unknown[]): unknown {
  return { kind, id: collection, ...page(call, filtered(call, all)), selfLink: ctx.render.link(collection) };
}

function operationError(code: string, message: string): { code: string; message: string }[] {
  return [{ code, message }];
}

/** Start an operation on an instance (zonal, blocking the instance until DONE) and answer it. */
function instanceOperation(call: Call, ctx: ApiContext, instance: Instance, operationType: string, apply: () => OperationError[] | undefined): unknown {
  return ctx.render.operation(
    ctx.operations.start({
      scope: { kind: 'zone', zone: instance.zone },
      operationType,
      targetLink: ctx.render.link(ctx.world.instancePath(instance)),
      targetId: instance.id,
      user: call.user,
      instance,
      apply,
    }),
  );
}

// --- instances ---------------------------------------------------------------------------

const instancesGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.instances.get', `${project}/zones/${call.params.zone}/instances/${call.params.instance}`);
  return ctx.render.instance(findInstance(call, ctx, call.view));
};

const instancesList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.instances.list', `${project}/zones/${call.params.zone}`);
  const all = [...call.view.instances.values()].filter((i) => i.zone === call.params.zone).map((i) => ctx.render.instance(i));
  return listOf(call, ctx, 'compute#instanceList', `${project}/zones/${call.params.zone}/instances`, all);
};

const instancesAggregatedList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.instances.list', project);
  const byZone: Record<string, { instances: unknown[] }> = {};
  for (const i of call.view.instances.values()) {
    const r = ctx.render.instance(i);
    if (!filtered(call, [r]).length) continue;
    (byZone[`zones/${i.zone}`] ??= { instances: [] }).instances.push(r);
  }
  return { kind: 'compute#instanceAggregatedList', id: `${project}/aggregated/instances`, items: byZone, selfLink: ctx.render.link(`${project}/aggregated/instances`) };
};

const updateNetworkInterface: Handler = (call, ctx) => {
  const { path, instance, nic } = targetNic(call, ctx, 'compute.instances.updateNetworkInterface');
  const body = (call.body ?? {}) as { fingerprint?: string; aliasIpRanges?: AliasIpRange[] } & Record<string, unknown>;
  const current = ctx.render.instance(instance).networkInterfaces as Record<string, unknown>[];
  echoOnly(body, current[instance.nics.indexOf(nic)] ?? {}, ['fingerprint', 'aliasIpRanges'], `network interface '${nic.name}'`);
  if (!body.fingerprint)
    throw invalid(`Invalid value for field 'resource.fingerprint': ''. Supply the network interface's current fingerprint (from instances.get).`);
  if (body.fingerprint !== nic.fingerprint)
    throw conditionNotMet(`Supplied fingerprint does not match current fingerprint of network interface '${nic.name}' of '${path}'.`);
  notBusy(instance, ctx);
  // PATCH semantics: no aliasIpRanges in the body leaves them as they are. The generated clients
  // drop an empty list when they serialise, so "remove the last range" through them is a no-op
  // that still ends DONE (googleapis/google-cloud-python#11931); only a raw `[]` clears them.
  const wanted = body.aliasIpRanges?.map((r, n) => {
    const span = cidrSpan(r.ipCidrRange ?? '');
    if (!span) throw invalid(`Invalid value for field 'resource.aliasIpRanges[${n}].ipCidrRange': '${r.ipCidrRange ?? ''}'. Must be an IPv4 address or CIDR range.`);
    return { ...r, ipCidrRange: normaliseRange(r.ipCidrRange) };
  });
  const conflict = (ranges: AliasIpRange[]): string | undefined => {
    for (const r of ranges) {
      const h = ctx.world.aliasHolder(r.ipCidrRange, { instance, nic });
      if (h) return `IP address range ${r.ipCidrRange} is already in use by '${ctx.world.instancePath(h.instance)}' (network interface ${h.nic.name}, ${h.range}).`;
    }
    return undefined;
  };
  if (wanted) {
    const seen = new Set<string>();
    for (const r of wanted) {
      if (seen.has(r.ipCidrRange)) throw invalid(`Invalid value for field 'resource.aliasIpRanges': '${r.ipCidrRange}' is listed twice.`);
      seen.add(r.ipCidrRange);
    }
    const c = conflict(wanted);
    if (c) throw invalid(`Invalid value for field 'resource.aliasIpRanges': ${c}`);
  }
  return instanceOperation(call, ctx, instance, 'updateNetworkInterface', () => {
    if (!wanted) return undefined;
    const c = conflict(wanted);
    if (c) return operationError('IP_IN_USE_BY_ANOTHER_RESOURCE', c);
    ctx.world.setAliases(nic, wanted);
    return undefined;
  });
};

const addAccessConfig: Handler = (call, ctx) => {
  const { project, path, instance, nic } = targetNic(call, ctx, 'compute.instances.addAccessConfig');
  const body = (call.body ?? {}) as Partial<AccessConfig> & Record<string, unknown>;
  for (const k of Object.keys(body))
    if (!['kind', 'name', 'natIP', 'type', 'networkTier'].includes(k)) throw invalid(`Invalid value for field 'resource.${k}': the gcp fake does not support '${k}' on an access config.`);
  if (body.type !== undefined && body.type !== 'ONE_TO_ONE_NAT') throw invalid(`Invalid value for field 'resource.type': '${body.type}'. Must be ONE_TO_ONE_NAT.`);
  if (body.networkTier !== undefined && body.networkTier !== 'PREMIUM') throw invalid(`Invalid value for field 'resource.networkTier': '${body.networkTier}'. The fake's addresses are PREMIUM.`);
  const region = regionOf(instance.zone);
  let natIP = body.natIP;
  if (natIP !== undefined) {
    const a = ctx.world.addressByIp(natIP);
    if (!a || a.region !== region)
      throw invalid(`Invalid value for field 'resource.natIP': '${natIP}'. The specified external IP address '${natIP}' was not found in region '${region}'.`);
    requirePermission(ctx, 'compute.addresses.use', `${project}/regions/${a.region}/addresses/${a.name}`);
  }
  if (nic.accessConfigs.length > 0)
    throw invalid(`Invalid value for field 'resource': At most one access config currently supported (network interface ${nic.name} of '${path}' has '${nic.accessConfigs[0]?.name}').`);
  notBusy(instance, ctx);
  const inUse = (ip: string): string | undefined => {
    const h = ctx.world.natHolder(ip);
    return h ? `The IP address '${ip}' is already being used by another resource ('${ctx.world.instancePath(h.instance)}', access config '${h.accessConfig.name}').` : undefined;
  };
  if (natIP === undefined) natIP = ctx.world.freeEphemeralIp();
  if (natIP === undefined) throw invalid('The gcp fake ran out of ephemeral external addresses.');
  const held = inUse(natIP);
  if (held) throw invalid(`Invalid value for field 'resource.natIP': '${natIP}'. ${held}`);
  const ac: AccessConfig = { name: body.name ?? 'external-nat', natIP, type: 'ONE_TO_ONE_NAT', networkTier: 'PREMIUM' };
  return instanceOperation(call, ctx, instance, 'addAccessConfig', () => {
    const h = inUse(ac.natIP);
    if (h) return operationError('IP_IN_USE_BY_ANOTHER_RESOURCE', h);
    if (nic.accessConfigs.length > 0) return operationError('INVALID_USAGE', 'At most one access config currently supported.');
    ctx.world.addAccessConfig(nic, ac);
    return undefined;
  });
};

const deleteAccessConfig: Handler = (call, ctx) => {
  const { path, instance, nic } = targetNic(call, ctx, 'compute.instances.deleteAccessConfig');
  const name = required(call, 'accessConfig');
  if (!nic.accessConfigs.some((ac) => ac.name === name))
    throw invalid(`Invalid value for field 'accessConfig': '${name}'. No access config with that name on network interface ${nic.name} of '${path}'.`);
  notBusy(instance, ctx);
  return instanceOperation(call, ctx, instance, 'deleteAccessConfig', () => {
    if (!nic.accessConfigs.some((ac) => ac.name === name)) return operationError('RESOURCE_NOT_FOUND', `The access config '${name}' was not found.`);
    ctx.world.removeAccessConfig(nic, name);
    return undefined;
  });
};

const METADATA_KEY = /^[a-zA-Z0-9_-]{1,128}$/;
const METADATA_VALUE_MAX = 256 * 1024;

/** setMetadata replaces ALL items (https://cloud.google.com/compute/docs/reference/rest/v1/instances/setMetadata). */
const setMetadata: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/zones/${call.params.zone}/instances/${call.params.instance}`;
  requirePermission(ctx, 'compute.instances.setMetadata', path);
  const instance = findInstance(call, ctx, ctx.world.state);
  const body = (call.body ?? {}) as { fingerprint?: string; items?: { key?: string; value?: string }[] };
  if (!body.fingerprint) throw invalid(`Invalid value for field 'resource.fingerprint': ''. Supply the instance's current metadata fingerprint (from instances.get).`);
  if (body.fingerprint !== instance.metadata.fingerprint)
    throw conditionNotMet(`Supplied fingerprint does not match current metadata fingerprint of '${path}'.`);
  const seen = new Set<string>();
  const items = (body.items ?? []).map((x, n) => {
    if (!x.key || !METADATA_KEY.test(x.key)) throw invalid(`Invalid value for field 'resource.items[${n}].key': '${x.key ?? ''}'. Must be a match of regex '[a-zA-Z0-9-_]{1,128}'.`);
    if (seen.has(x.key)) throw invalid(`Invalid value for field 'resource.items[${n}].key': '${x.key}'. Duplicate key.`);
    seen.add(x.key);
    const value = x.value ?? '';
    if (Buffer.byteLength(value) > METADATA_VALUE_MAX) throw invalid(`Invalid value for field 'resource.items[${n}].value': longer than 256 KB.`);
    return { key: x.key, value };
  });
  notBusy(instance, ctx);
  return instanceOperation(call, ctx, instance, 'setMetadata', () => {
    ctx.world.setMetadataItems(instance, items);
    return undefined;
  });
};

const networksGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/global/networks/${call.params.network}`;
  requirePermission(ctx, 'compute.networks.get', path);
  const nics = [...call.view.instances.values()].flatMap((i) => i.nics).filter((n) => n.network === path);
  if (nics.length === 0) throw notFound(path);
  return ctx.render.network(path, [...new Set(nics.map((n) => n.subnetwork))].sort(), ctx.world.stableId(path));
};

const testIamPermissions: Handler = (call, ctx) => {
  requireProject(call, ctx);
  const body = (call.body ?? {}) as { permissions?: string[] };
  const asked = body.permissions ?? [];
  for (const p of asked) if (!/^[a-z]+\.[a-zA-Z]+\.[a-zA-Z]+$/.test(p)) throw invalid(`Invalid value for field 'resource.permissions': '${p}'. Permissions look like 'compute.instances.get'.`);
  if (call.method.name === 'instances.testIamPermissions') findInstance(call, ctx, call.view, 'resource');
  if (call.method.name === 'routes.testIamPermissions' && !call.view.routes.has(call.params.resource as string))
    throw notFound(`projects/${ctx.world.project}/global/routes/${call.params.resource}`);
  if (call.method.name === 'addresses.testIamPermissions' && !ctx.world.address(call.params.region as string, call.params.resource as string, call.view))
    throw notFound(`projects/${ctx.world.project}/regions/${call.params.region}/addresses/${call.params.resource}`);
  const allowed = asked.filter((p) => !ctx.denied.has(p));
  return allowed.length > 0 ? { permissions: allowed } : {};
};

// --- addresses -----------------------------------------------------------------------------

const addressesGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/regions/${call.params.region}/addresses/${call.params.address}`;
  requirePermission(ctx, 'compute.addresses.get', path);
  const a = ctx.world.address(call.params.region as string, call.params.address as string, call.view);
  if (!a) throw notFound(path);
  return ctx.render.address(a, call.view);
};

const addressesList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.addresses.list', `${project}/regions/${call.params.region}`);
  const all = [...call.view.addresses.values()].filter((a) => a.region === call.params.region).map((a) => ctx.render.address(a, call.view));
  return listOf(call, ctx, 'compute#addressList', `${project}/regions/${call.params.region}/addresses`, all);
};

// --- routes --------------------------------------------------------------------------------

const routesGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/global/routes/${call.params.route}`;
  requirePermission(ctx, 'compute.routes.get', path);
  const r = call.view.routes.get(call.params.route as string);
  if (!r) throw notFound(path);
  return ctx.render.route(r);
};

const routesList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.routes.list', project);
  const all = [...call.view.routes.values()].map((r) => ctx.render.route(r));
  return listOf(call, ctx, 'compute#routeList', `${project}/global/routes`, all);
};

const ROUTE_FIELDS = ['kind', 'name', 'description', 'network', 'destRange', 'priority', 'nextHopInstance', 'tags'];

const routesInsert: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const body = (call.body ?? {}) as { name?: string; description?: string; network?: string; destRange?: string; priority?: number; nextHopInstance?: string; tags?: string[] } & Record<string, unknown>;
  for (const k of Object.keys(body))
    if (!ROUTE_FIELDS.includes(k)) throw invalid(`Invalid value for field 'resource.${k}': the gcp fake supports only routes with nextHopInstance (${ROUTE_FIELDS.join(', ')}).`);
  if (!body.name || !ROUTE_NAME.test(body.name)) throw invalid(`Invalid value for field 'resource.name': '${body.name ?? ''}'. Must be a match of regex '[a-z]([-a-z0-9]*[a-z0-9])?' (1-63 characters).`);
  if (!body.network) throw invalid(`Invalid value for field 'resource.network': ''. The route needs a network.`);
  if (!body.destRange || !cidrSpan(body.destRange)) throw invalid(`Invalid value for field 'resource.destRange': '${body.destRange ?? ''}'. Must be an IPv4 CIDR range.`);
  if (!body.nextHopInstance) throw invalid(`Invalid value for field 'resource.nextHopInstance': ''. The gcp fake needs a next hop instance.`);
  const priority = body.priority ?? 1000;
  if (!Number.isInteger(Number(priority)) || Number(priority) < 0 || Number(priority) > 65535) throw invalid(`Invalid value for field 'resource.priority': '${priority}'. Must be 0-65535.`);
  const network = ctx.world.canonical(body.network, 'resource.network');
  requirePermission(ctx, 'compute.routes.create', `${project}/global/routes/${body.name}`);
  requirePermission(ctx, 'compute.networks.updatePolicy', network);
  const knownNetworks = new Set([...ctx.world.state.instances.values()].flatMap((i) => i.nics.map((n) => n.network)));
  if (!knownNetworks.has(network)) throw invalid(`Invalid value for field 'resource.network': '${body.network}'. The resource '${network}' was not found.`);
  const hop = ctx.world.canonical(body.nextHopInstance, 'resource.nextHopInstance');
  const hm = /^projects\/([^/]+)\/zones\/([^/]+)\/instances\/([^/]+)$/.exec(hop);
  const hopInstance = hm && hm[1] === ctx.world.project ? ctx.world.instance(hm[2] as string, hm[3] as string) : undefined;
  if (!hopInstance) throw invalid(`Invalid value for field 'resource.nextHopInstance': '${body.nextHopInstance}'. The resource '${hop}' was not found.`);
  if (!hopInstance.nics.some((n) => n.network === network))
    throw invalid(`Invalid value for field 'resource.nextHopInstance': '${body.nextHopInstance}'. The instance has no interface in network '${network}'.`);
  if (ctx.world.state.routes.has(body.name)) throw alreadyExists(`${project}/global/routes/${body.name}`);
  const route = {
    id: ctx.world.nextId(),
    name: body.name,
    network,
    destRange: body.destRange,
    priority: Number(priority),
    nextHopInstance: hop,
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.tags !== undefined ? { tags: body.tags } : {}),
    creationTimestamp: new Date().toISOString(),
  };
  return ctx.render.operation(
    ctx.operations.start({
      scope: { kind: 'global' },
      operationType: 'insert',
      targetLink: ctx.render.link(`${project}/global/routes/${body.name}`),
      targetId: route.id,
      user: call.user,
      apply: () => {
        if (ctx.world.state.routes.has(route.name)) return operationError('RESOURCE_ALREADY_EXISTS', `The resource '${project}/global/routes/${route.name}' already exists`);
        ctx.world.putRoute(route);
        return undefined;
      },
    }),
  );
};

const routesDelete: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const name = call.params.route as string;
  const path = `${project}/global/routes/${name}`;
  requirePermission(ctx, 'compute.routes.delete', path);
  const r = ctx.world.state.routes.get(name);
  if (!r) throw notFound(path);
  requirePermission(ctx, 'compute.networks.updatePolicy', r.network);
  return ctx.render.operation(
    ctx.operations.start({
      scope: { kind: 'global' },
      operationType: 'delete',
      targetLink: ctx.render.link(path),
      targetId: r.id,
      user: call.user,
      apply: () => (ctx.world.removeRoute(name) ? undefined : operationError('RESOURCE_NOT_FOUND', `The resource '${path}' was not found`)),
    }),
  );
};

// --- operations and project ----------------------------------------------------------------

function findOperation(call: Call, ctx: ApiContext, s: State): { op: Operation; path: string; permission: string } {
  const project = requireProject(call, ctx);
  const [scope] = call.method.name.split('.') as [string];
  const where = scope === 'zoneOperations' ? `zones/${call.params.zone}` : scope === 'regionOperations' ? `regions/${call.params.region}` : 'global';
  const path = `${project}/${where}/operations/${call.params.operation}`;
  const permission = `compute.${scope}.get`;
  requirePermission(ctx, permission, path);
  const op = s.operations.get(call.params.operation as string);
  if (!op || ctx.render.operationPath(op) !== path) throw notFound(path);
  return { op, path, permission };
}

const operationsGet: Handler = (call, ctx) => ctx.render.operation(findOperation(call, ctx, call.view).op);

const operationsList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const zonal = call.method.name === 'zoneOperations.list';
  const collection = zonal ? `${project}/zones/${call.params.zone}/operations` : `${project}/global/operations`;
  requirePermission(ctx, zonal ? 'compute.zoneOperations.list' : 'compute.globalOperations.list', collection);
  const all = [...call.view.operations.values()]
    .filter((op) => (zonal ? op.scope.kind === 'zone' && op.scope.zone === call.params.zone : op.scope.kind === 'global'))
    .map((op) => ctx.render.operation(op));
  return listOf(call, ctx, 'compute#operationList', collection, all);
};

const operationsWait: Handler = async (call, ctx) => {
  const { op } = findOperation(call, ctx, ctx.world.state);
  await ctx.operations.waitDone(op, ctx.waitCapMs);
  return ctx.render.operation(ctx.world.state.operations.get(op.name) ?? op);
};

const projectsGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.projects.get', project);
  return ctx.render.project(`${ctx.world.projectNumber}-compute@developer.gserviceaccount.com`);
};

export const HANDLERS: Readonly<Record<string, Handler>> = {
  'instances.get': instancesGet,
  'instances.list': instancesList,
  'instances.aggregatedList': instancesAggregatedList,
  'instances.updateNetworkInterface': updateNetworkInterface,
  'instances.addAccessConfig': addAccessConfig,
  'instances.deleteAccessConfig': deleteAccessConfig,
  'instances.testIamPermissions': testIamPermissions,
  'instances.setMetadata': setMetadata,
  'networks.get': networksGet,
  'addresses.get': addressesGet,
  'addresses.list': addressesList,
  'addresses.testIamPermissions': testIamPermissions,
  'routes.get': routesGet,
  'routes.list': routesList,
  'routes.insert': routesInsert,
  'routes.delete': routesDelete,
  'routes.testIamPermissions': testIamPermissions,
  'zoneOperations.get': operationsGet,
  'zoneOperations.list': operationsList,
  'zoneOperations.wait': operationsWait,
  'globalOperations.get': operationsGet,
  'globalOperations.list': operationsList,
  'globalOperations.wait': operationsWait,
  'regionOperations.get': operationsGet,
  'regionOperations.wait': operationsWait,
  'projects.get': projectsGet,
};

export { ApiError };
