/**
 * The API's routes (docs/api.md), as a function from a request to a response, so that the
 * Unix socket and HTTP serve exactly the same thing and tests can call it without a socket.
 * Every refusal names what was wrong: the route, the field and what it must be.
 */
import { parseDuration } from '../config/duration.js';
import type { AgentControl } from './control.js';
import { asset } from './assets.js';

export interface ApiRequest {
  readonly method: string;
  /** Path and query, e.g. `/v1/events?since=3`. */
  readonly url: string;
  /** The body as received (at most MAX_BODY_BYTES; the server refuses more). */
  readonly body: string;
}

export interface ApiResponse {
  readonly status: number;
  readonly type: string;
  readonly body: string | Buffer;
}

export const MAX_BODY_BYTES = 64 * 1024;
/** Longest promote: a boost meant for a change window, not a new configuration. */
export const MAX_PROMOTE_MS = 7 * 24 * 3600_000;
const DEFAULT_PROMOTE_BY = 254;

const json = (status: number, value: unknown): ApiResponse => ({ status, type: 'application/json', body: `${JSON.stringify(value)}\n` });
const error = (status: number, message: string): ApiResponse => json(status, { error: message });

/** The route's name for metrics: a fixed set, never the raw path (a label per URL would grow without end). */
export function routeName(method: string, path: string): string {
  if (/^\/v1\/groups\/[^/]+\/(maintenance|promote)$/.test(path)) return `${method} /v1/groups/{name}/${path.split('/').at(-1)}`;
  if (['/v1/status', '/v1/groups', '/v1/members', '/v1/events', '/v1/reload', '/v1/stream', '/healthz', '/readyz', '/metrics', '/'].includes(path)) return `${method} ${path}`;
  if (path.startsWith('/dashboard/')) return `${method} /dashboard`;
  return 'other';
}

function parseBody(body: string): { ok: true; value: Record<string, unknown> } | { ok: false; error: string } {
  if (body.trim() === '') return { ok: true, value: {} };
  try {
    const value: unknown = JSON.parse(body);
    if (typeof value !== 'object' || value === null || Array.isArray(value)) return { ok: false, error: 'the body must be a JSON object' };
    return { ok: true, value: value as Record<string, unknown> };
  } catch (err) {
    return { ok: false, error: `the body is not JSON: ${err instanceof Error ? err.message : String(err)}` };
  }
}

/** `for`: a duration ("10m") or milliseconds; 0 ends the boost. */
function promoteFor(v: unknown): { ok: true; ms: number } | { ok: false; error: string } {
  if (v === undefined) return { ok: false, error: 'field "for" is required: how long the boost lasts, e.g. "10m" (0 ends it)' };
  const parsed = typeof v === 'number' ? (Number.isFinite(v) && v >= 0 ? { ok: true as const, ms: v } : { ok: false as const, reason: 'must be >= 0' }) : typeof v === 'string' ? parseDuration(v) : { ok: false as const, reason: 'must be a duration such as "10m" or a number of milliseconds' };
  if (!parsed.ok) return { ok: false, error: `field "for": ${parsed.reason}` };
  if (parsed.ms > MAX_PROMOTE_MS) return { ok: false, error: `field "for": at most 7 days; got ${parsed.ms} ms` };
  return { ok: true, ms: Math.round(parsed.ms) };
}

export async function route(req: ApiRequest, control: AgentControl): Promise<ApiResponse> {
  const url = new URL(req.url, 'http://vipd.invalid');
  const path = url.pathname;
  const method = req.method.toUpperCase();
  const get = method === 'GET' || method === 'HEAD';

  if (path === '/healthz') return get ? { status: 200, type: 'text/plain', body: 'ok\n' } : error(405, `${path} answers GET only`);
  if (path === '/readyz') {
    if (!get) return error(405, `${path} answers GET only`);
    const r = control.readiness();
    return { status: r.ready ? 200 : 503, type: 'text/plain', body: r.ready ? 'ready\n' : `not ready: ${r.reasons.join('; ')}\n` };
  }
  if (path === '/metrics') {
    if (!get) return error(405, `${path} answers GET only`);
    const m = await control.metrics();
    return { status: 200, type: m.contentType, body: m.body };
  }
  if (path === '/v1/status' && get) return json(200, control.status());
  if (path === '/v1/groups' && get) return json(200, control.status().groups);
  if (path === '/v1/members' && get) return json(200, control.status().members);
  if (path === '/v1/events' && get) {
    const since = url.searchParams.get('since') ?? '0';
    const limit = url.searchParams.get('limit') ?? '500';
    if (!/^\d{1,15}$/.test(since)) return error(400, `since must be an event number (a whole number >= 0); got ${JSON.stringify(since.slice(0, 40))}`);
    if (!/^\d{1,4}$/.test(limit) || Number(limit) < 1) return error(400, `limit must be 1-9999; got ${JSON.stringify(limit.slice(0, 40))}`);
    return json(200, control.events(Number(since), Number(limit)));
  }
  if (path === '/v1/reload') {
    if (method !== 'POST') return error(405, `${path} answers POST only`);
    if (!control.reload) return error(409, 'this agent cannot reload (it was not started from a configuration file)');
    const r = await control.reload();
    return json(r.ok ? 200 : 400, r);
  }
  const action = /^\/v1\/groups\/([^/]+)\/(maintenance|promote)$/.exec(path);
  if (action) {
    if (method !== 'POST') return error(405, `${path} answers POST only`);
    const group = decodeURIComponent(action[1] ?? '');
    const body = parseBody(req.body);
    if (!body.ok) return error(400, body.error);
    if (action[2] === 'maintenance') {
      const on = body.value.on;
      if (typeof on !== 'boolean') return error(400, 'field "on" must be true or false');
      const r = await control.maintenance(group, on);
      return r.ok ? json(200, r.group) : error(r.status, r.error);
    }
    const f = promoteFor(body.value.for);
    if (!f.ok) return error(400, f.error);
    const by = body.value.by ?? DEFAULT_PROMOTE_BY;
    if (typeof by !== 'number' || !Number.isInteger(by) || by < 1 || by > 254) return error(400, 'field "by" must be an integer 1-254 (added to the priority, which stays within 1-254)');
    const r = control.promote(group, by, f.ms);
    return r.ok ? json(200, r.group) : error(r.status, r.error);
  }
  if (get) {
    const a = await asset(path);
    if (a) return { status: 200, type: a.type, body: a.body };
  }
  if (['/v1/status', '/v1/groups', '/v1/members', '/v1/events'].includes(path)) return error(405, `${path} answers GET only`);
  return error(404, `no route ${method} ${path} (docs/api.md lists them)`);
}
