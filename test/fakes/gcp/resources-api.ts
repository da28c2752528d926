/**
 * The fake's other Compute methods: networks.get, testIamPermissions (instances, addresses,
 * routes: the asked permissions minus the denied ones), addresses get/list, routes
 * get/list/insert/delete (insert needs compute.routes.create and compute.networks.updatePolicy,
 * like GCP), operations get/list/wait (wait holds until DONE or its cap) and projects.get.
 */
import { alreadyExists, invalid, notFound } from './errors.js';
import {
  findInstance,
  listOf,
  operationError,
  requirePermission,
  requireProject,
  ROUTE_NAME,
  type Call,
  type ApiContext,
  type Handler,
} from './api-context.js';
import { cidrSpan, type Operation, type State } from './world.js';

export const networksGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/global/networks/${call.params.network}`;
  requirePermission(ctx, 'compute.networks.get', path);
  const nics = [...call.view.instances.values()].flatMap((i) => i.nics).filter((n) => n.network === path);
  if (nics.length === 0) throw notFound(path);
  return ctx.render.network(path, [...new Set(nics.map((n) => n.subnetwork))].sort(), ctx.world.stableId(path));
};

export const testIamPermissions: Handler = (call, ctx) => {
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

export const addressesGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/regions/${call.params.region}/addresses/${call.params.address}`;
  requirePermission(ctx, 'compute.addresses.get', path);
  const a = ctx.world.address(call.params.region as string, call.params.address as string, call.view);
  if (!a) throw notFound(path);
  return ctx.render.address(a, call.view);
};

export const addressesList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.addresses.list', `${project}/regions/${call.params.region}`);
  const all = [...call.view.addresses.values()].filter((a) => a.region === call.params.region).map((a) => ctx.render.address(a, call.view));
  return listOf(call, ctx, 'compute#addressList', `${project}/regions/${call.params.region}/addresses`, all);
};

// --- routes --------------------------------------------------------------------------------

export const routesGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/global/routes/${call.params.route}`;
  requirePermission(ctx, 'compute.routes.get', path);
  const r = call.view.routes.get(call.params.route as string);
  if (!r) throw notFound(path);
  return ctx.render.route(r);
};

export const routesList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.routes.list', project);
  const all = [...call.view.routes.values()].map((r) => ctx.render.route(r));
  return listOf(call, ctx, 'compute#routeList', `${project}/global/routes`, all);
};

const ROUTE_FIELDS = ['kind', 'name', 'description', 'network', 'destRange', 'priority', 'nextHopInstance', 'tags'];

export const routesInsert: Handler = (call, ctx) => {
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

export const routesDelete: Handler = (call, ctx) => {
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

export const operationsGet: Handler = (call, ctx) => ctx.render.operation(findOperation(call, ctx, call.view).op);

export const operationsList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const zonal = call.method.name === 'zoneOperations.list';
  const collection = zonal ? `${project}/zones/${call.params.zone}/operations` : `${project}/global/operations`;
  requirePermission(ctx, zonal ? 'compute.zoneOperations.list' : 'compute.globalOperations.list', collection);
  const all = [...call.view.operations.values()]
    .filter((op) => (zonal ? op.scope.kind === 'zone' && op.scope.zone === call.params.zone : op.scope.kind === 'global'))
    .map((op) => ctx.render.operation(op));
  return listOf(call, ctx, 'compute#operationList', collection, all);
};

export const operationsWait: Handler = async (call, ctx) => {
  const { op } = findOperation(call, ctx, ctx.world.state);
  await ctx.operations.waitDone(op, ctx.waitCapMs);
  return ctx.render.operation(ctx.world.state.operations.get(op.name) ?? op);
};

export const projectsGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.projects.get', project);  return ctx.render.project(`${ctx.world.projectNumber}-compute@developer.gserviceaccount.com`);
};
