/**
 * The Compute Engine v1 REST surface, read from the protos that @google-cloud/compute ships
 * (build/protos/protos.json): the HTTP rule of each method (google.api.http: verb, path
 * template, body field) and the fields of each message. The fake routes by the same rules
 * the real client transcodes with, and rejects what a real server would reject: a body or
 * query field the message does not have, or an enum value it does not know.
 */
import { createRequire } from 'node:module';

interface ProtoField {
  readonly type: string;
  readonly rule?: string;
  readonly keyType?: string;
}
interface ProtoType {
  readonly fields?: Record<string, ProtoField>;
  readonly values?: Record<string, number>;
  readonly nested?: Record<string, ProtoType>;
  readonly methods?: Record<string, ProtoMethod>;
}
interface ProtoMethod {
  readonly requestType: string;
  readonly responseType: string;
  readonly options: Record<string, string | boolean>;
}

const require = createRequire(import.meta.url);
const protos = require('@google-cloud/compute/build/protos/protos.json') as { nested: Record<string, ProtoType> };
const v1 = protos.nested.google?.nested?.cloud?.nested?.compute?.nested?.v1?.nested;
if (!v1) throw new Error('@google-cloud/compute protos.json has no google.cloud.compute.v1 namespace');

/** One REST method: its API name ("instances.get"), HTTP rule and message types. */
export interface RestMethod {
  readonly name: string;
  readonly httpMethod: string;
  readonly template: string;
  readonly pathParams: readonly string[];
  /** The request field that is the HTTP body (camelCase), if any. */
  readonly bodyField: string | undefined;
  readonly requestType: string;
  readonly responseType: string;
  readonly pattern: RegExp;
}

const camel = (s: string): string => s.replace(/_([a-z])/g, (_, c: string) => c.toUpperCase());
const lowerFirst = (s: string): string => s.charAt(0).toLowerCase() + s.slice(1);

/** The methods the fake serves, as "Service.Method" from the protos. */
const SERVED = [
  'Instances.Get',
  'Instances.List',
  'Instances.AggregatedList',
  'Instances.UpdateNetworkInterface',
  'Instances.AddAccessConfig',
  'Instances.DeleteAccessConfig',
  'Instances.TestIamPermissions',
  'Instances.SetMetadata',
  'Networks.Get',
  'Addresses.Get',
  'Addresses.List',
  'Addresses.TestIamPermissions',
  'Routes.Get',
  'Routes.List',
  'Routes.Insert',
  'Routes.Delete',
  'Routes.TestIamPermissions',
  'ZoneOperations.Get',
  'ZoneOperations.List',
  'ZoneOperations.Wait',
  'GlobalOperations.Get',
  'GlobalOperations.List',
  'GlobalOperations.Wait',
  'RegionOperations.Get',
  'RegionOperations.Wait',
  'Projects.Get',
] as const;

function restMethod(id: string): RestMethod {
  const [service, method] = id.split('.') as [string, string];
  const m = v1?.[service]?.methods?.[method];
  if (!m) throw new Error(`protos.json has no method ${id}`);
  const verb = ['get', 'post', 'patch', 'put', 'delete'].find((v) => typeof m.options[`(google.api.http).${v}`] === 'string');
  if (!verb) throw new Error(`${id} has no google.api.http rule`);
  const template = m.options[`(google.api.http).${verb}`] as string;
  const pathParams: string[] = [];
  const source = template
    .split(/(\{[a-z_]+\})/)
    .map((part) => {
      const p = /^\{([a-z_]+)\}$/.exec(part);
      if (!p) return part.replace(/[.*+?^$()|[\]\\]/g, '\\$&');
      pathParams.push(camel(p[1] as string));
      return '([^/]+)';
    })
    .join('');
  const body = m.options['(google.api.http).body'];
  return {
    name: `${lowerFirst(service)}.${lowerFirst(method)}`,
    httpMethod: verb.toUpperCase(),
    template,
    pathParams,
    bodyField: typeof body === 'string' ? camel(body) : undefined,
    requestType: m.requestType,
    responseType: m.responseType,
    pattern: new RegExp(`^${source}$`),
  };
}

export const REST_METHODS: readonly RestMethod[] = SERVED.map(restMethod);

/** The method a request is for, with its decoded path parameters; undefined when none matches. */
export function matchMethod(httpMethod: string, path: string): { method: RestMethod; params: Record<string, string> } | undefined {
  for (const method of REST_METHODS) {
    if (method.httpMethod !== httpMethod) continue;
    const m = method.pattern.exec(path);
    if (!m) continue;
    const params: Record<string, string> = {};
    method.pathParams.forEach((p, i) => (params[p] = decodeURIComponent(m[i + 1] as string)));
    return { method, params };
  }
  return undefined;
}

/** Standard system parameters every Google REST API accepts (the gax REST client sends $alt / $prettyPrint). */
const SYSTEM_PARAMS = new Set(['$alt', 'alt', '$prettyPrint', 'prettyPrint', 'fields', 'quotaUser', 'key']);

function typeOf(name: string): ProtoType | undefined {
  const parts = name.split('.');
  let t: ProtoType | undefined = v1?.[parts[0] as string];
  for (const p of parts.slice(1)) t = t?.nested?.[p];
  return t;
}

/** The query parameters the request message allows (its fields that are neither path nor body). */
export function unknownQueryParams(method: RestMethod, query: URLSearchParams): string[] {
  const fields = typeOf(method.requestType)?.fields ?? {};
  const out: string[] = [];
  for (const key of new Set(query.keys())) {
    if (SYSTEM_PARAMS.has(key)) continue;
    if (!(key in fields) || method.pathParams.includes(key) || key === method.bodyField) out.push(key);
  }
  return out;
}

const SCALARS = new Set(['string', 'bool', 'int32', 'int64', 'uint32', 'uint64', 'double', 'float', 'fixed32', 'fixed64', 'sint32', 'sint64', 'bytes']);

/**
 * What is wrong with a JSON value for a message type: unknown field names, a wrong JSON kind,
 * an unknown enum value — each as "path: reason". Empty when the value fits. Used on request
 * bodies (a real server answers 400 "Unknown name") and on the fake's own responses (a field the
 * real client cannot decode is a bug in the fake).
 */
export function messageProblems(typeName: string, value: unknown, path = ''): string[] {
  const t = typeOf(typeName);
  if (!t?.fields) return [`${path || '(body)'}: type ${typeName} is not in the protos`];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return [`${path || '(body)'}: expected a JSON object`];
  const out: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    const f = t.fields[key];
    const at = path ? `${path}.${key}` : key;
    if (!f) {
      out.push(`${at}: unknown name "${key}"`);
      continue;
    }
    if (f.rule === 'repeated') {
      if (!Array.isArray(v)) out.push(`${at}: expected a JSON array`);
      else v.forEach((x, i) => out.push(...fieldProblems(typeName, f.type, x, `${at}[${i}]`)));
    } else if (f.keyType) {
      if (typeof v !== 'object' || v === null) out.push(`${at}: expected a JSON object (map)`);
      else for (const [k, x] of Object.entries(v)) out.push(...fieldProblems(typeName, f.type, x, `${at}.${k}`));
    } else out.push(...fieldProblems(typeName, f.type, v, at));
  }
  return out;
}

function fieldProblems(owner: string, type: string, v: unknown, at: string): string[] {
  if (SCALARS.has(type)) {
    const ok =
      type === 'string' || type === 'bytes'
        ? typeof v === 'string'
        : type === 'bool'
          ? typeof v === 'boolean'
          : typeof v === 'number' || (typeof v === 'string' && /^-?\d+(\.\d+)?$/.test(v));
    return ok ? [] : [`${at}: expected ${type}, got ${JSON.stringify(v)}`];
  }
  const resolved = resolveType(owner, type);
  if (!resolved) return [`${at}: type ${type} is not in the protos`];
  const t = typeOf(resolved);
  if (t?.values) return typeof v === 'string' && v in t.values ? [] : [`${at}: invalid value ${JSON.stringify(v)} for enum ${type}`];
  return messageProblems(resolved, v, at);
}

/** A field type name as written in the protos, resolved from the owning message outwards. */
function resolveType(owner: string, type: string): string | undefined {
  const own = `${owner}.${type}`;
  if (typeOf(own)) return own;
  if (typeOf(type)) return type;
  return undefined;
}

/** The message type of a request field ("UpdateNetworkInterfaceInstanceRequest", "networkInterfaceResource" -> "NetworkInterface"). */
export function requestFieldType(requestType: string, field: string): string {
  const f = typeOf(requestType)?.fields?.[field];
  if (!f) throw new Error(`protos.json: ${requestType} has no field ${field}`);
  return resolveType(requestType, f.type) ?? f.type;
}
