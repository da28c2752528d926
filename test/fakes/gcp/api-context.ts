/**
 * What every Compute method handler of the fake gets (the call, the fake's state and services)
 * and the checks they share: the permission a method needs
 * (https://cloud.google.com/compute/docs/access/iam-permissions), the project, required query
 * parameters, one running operation per instance (resourceNotReady), echoed fields, paging and
 * filters of list methods, and the operation a zonal mutation answers with.
 */
import { invalid, notFound, permissionDenied, resourceNotReady } from './errors.js';
import { matchesFilter, parseFilter } from './filter.js';
import type { Operations } from './operations.js';
import type { Renderer } from './render.js';
import type { RestMethod } from './schema.js';
import type { Instance, Nic, OperationError, State, World } from './world.js';

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

export type Handler = (call: Call, ctx: ApiContext) => unknown;

export const ROUTE_NAME = /^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/;

export function requirePermission(ctx: ApiContext, permission: string, resource: string): void {
  if (ctx.denied.has(permission)) throw permissionDenied(permission, resource);
}

export function requireProject(call: Call, ctx: ApiContext): string {
  const p = call.params.project as string;
  if (p !== ctx.world.project) throw notFound(`projects/${p}`);
  return `projects/${p}`;
}

export function required(call: Call, name: string): string {
  const v = call.query.get(name);
  if (!v) throw invalid(`Required parameter '${name}' is missing (query parameter of ${call.method.name}).`);
  return v;
}

export function findInstance(call: Call, ctx: ApiContext, s: State, param = 'instance'): Instance {
  const zone = call.params.zone as string;
  const name = call.params[param] as string;
  const i = ctx.world.instance(zone, name, s);
  if (!i) throw notFound(`projects/${ctx.world.project}/zones/${zone}/instances/${name}`);
  return i;
}

export function findNic(i: Instance, name: string, ctx: ApiContext): Nic {
  const nic = i.nics.find((n) => n.name === name);
  if (!nic) throw invalid(`Invalid value for field 'networkInterface': '${name}'. The network interface does not exist on '${ctx.world.instancePath(i)}'.`);
  return nic;
}

/** The interface a mutation names (?networkInterface=), after the project and permission checks. */
export function targetNic(call: Call, ctx: ApiContext, permission: string): { project: string; path: string; instance: Instance; nic: Nic } {
  const project = requireProject(call, ctx);
  const path = `${project}/zones/${call.params.zone}/instances/${call.params.instance}`;
  requirePermission(ctx, permission, path);
  const instance = findInstance(call, ctx, ctx.world.state);
  return { project, path, instance, nic: findNic(instance, required(call, 'networkInterface'), ctx) };
}

export function notBusy(i: Instance, ctx: ApiContext): void {
  if (i.pendingOp) throw resourceNotReady(ctx.world.instancePath(i));
}

/** JSON with object keys sorted, to compare an echoed resource with the current one. */
export function canonicalJson(v: unknown): string {
  return JSON.stringify(v, (_k, x: unknown) =>
    x && typeof x === 'object' && !Array.isArray(x) ? Object.fromEntries(Object.entries(x).sort(([a], [b]) => (a < b ? -1 : 1))) : x,
  );
}

/** Body fields the fake accepts only when they repeat the current value (a GET echoed back). */
export function echoOnly(body: Record<string, unknown>, current: Record<string, unknown>, allowed: readonly string[], what: string): void {
  for (const [k, v] of Object.entries(body)) {
    if (allowed.includes(k)) continue;
    if (!(k in current)) throw invalid(`Invalid value for field 'resource.${k}': the gcp fake does not support setting '${k}' on ${what}.`);
    if (canonicalJson(v) !== canonicalJson(current[k]))
      throw invalid(`Invalid value for field 'resource.${k}': ${JSON.stringify(v)}. ${what} can only change ${allowed.join(', ')} here; '${k}' must stay ${JSON.stringify(current[k])}.`);
  }
}

export function page<T>(call: Call, items: T[]): { items?: T[]; nextPageToken?: string } {
  const max = Number(call.query.get('maxResults') ?? '500');
  const start = Number(call.query.get('pageToken') ?? '0');
  if (!Number.isInteger(max) || max < 0 || max > 500) throw invalid(`Invalid value for field 'maxResults': '${call.query.get('maxResults')}'. Must be between 0 and 500.`);
  if (!Number.isInteger(start) || start < 0) throw invalid(`Invalid value for field 'pageToken': '${call.query.get('pageToken')}'.`);
  const slice = items.slice(start, start + (max === 0 ? 500 : max));
  const next = start + slice.length < items.length ? String(start + slice.length) : undefined;
  return { ...(slice.length > 0 ? { items: slice } : {}), ...(next ? { nextPageToken: next } : {}) };
}

export function filtered<T>(call: Call, items: T[]): T[] {
  const f = call.query.get('filter');
  if (!f) return items;
  const terms = parseFilter(f);
  return items.filter((x) => matchesFilter(x, terms));
}

/** A list answer (InstanceList, AddressList, RouteList): filtered, then paged. */
export function listOf(call: Call, ctx: ApiContext, kind: string, collection: string, all: unknown[]): unknown {
  return { kind, id: collection, ...page(call, filtered(call, all)), selfLink: ctx.render.link(collection) };
}

export function operationError(code: string, message: string): { code: string; message: string }[] {
  return [{ code, message }];
}

/** Start an operation on an instance (zonal, blocking the instance until DONE) and answer it. */
export function instanceOperation(call: Call, ctx: ApiContext, instance: Instance, operationType: string, apply: () => OperationError[] | undefined): unknown {
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

