/**
 * A client of the agent's API (docs/api.md), over the Unix socket or HTTP: what vipctl and the
 * tests use. Every failure to reach the agent becomes one sentence that says what to do.
 */
import { request as httpRequest, type RequestOptions } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface ApiTarget {
  /** The Unix socket (default /run/vipd/vipd.sock); ignored when `url` is set. */
  readonly socket?: string;
  /** http://host:port or https://host:port of the HTTP listener. */
  readonly url?: string;
  readonly token?: string;
  readonly timeoutMs?: number;
}

export interface ApiReply {
  readonly status: number;
  readonly body: string;
}

export class ApiUnreachable extends Error {}

function explain(err: NodeJS.ErrnoException, where: string, socket: boolean): string {
  switch (err.code) {
    case 'ENOENT':
      return `no vipd agent at ${where}: the socket does not exist (is vipd running? see \`systemctl status vipd\`; another path: --socket)`;
    case 'EACCES':
    case 'EPERM':
      return `cannot open ${where}: permission denied (run as root or as a member of the socket's group, api.socket_group)`;
    case 'ECONNREFUSED':
      return socket ? `nothing answers on ${where}: the agent is not running (the socket was left by one that was killed)` : `nothing listens on ${where}: is vipd running with api.http.listen there?`;
    case 'ETIMEDOUT':
      return `the agent at ${where} did not answer in time`;
    default:
      return `cannot reach the agent at ${where}: ${err.message}`;
  }
}

export function call(target: ApiTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<ApiReply> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  const headers: Record<string, string> = { accept: 'application/json' };
  if (payload !== undefined) headers['content-type'] = 'application/json';
  if (target.token) headers.authorization = `Bearer ${target.token}`;
  const socket = target.url === undefined ? (target.socket ?? '/run/vipd/vipd.sock') : undefined;
  const where = socket ?? target.url ?? '';
  const url = target.url !== undefined ? new URL(path, target.url) : undefined;
  const opts: RequestOptions = socket !== undefined ? { socketPath: socket, path, method, headers } : { method, headers };
  const send = url?.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = url ? send(url, opts) : send(opts);
    req.setTimeout(target.timeoutMs ?? 10_000, () => req.destroy(Object.assign(new Error('timeout'), { code: 'ETIMEDOUT' })));
    req.once('response', (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
      res.once('error', (err) => reject(new ApiUnreachable(explain(err, where, socket !== undefined))));
    });
    req.once('error', (err: NodeJS.ErrnoException) => reject(new ApiUnreachable(explain(err, where, socket !== undefined))));
    req.end(payload);
  });
}

/** The reply's JSON, or an Error carrying the API's own `error` message. */
export async function callJson<T>(target: ApiTarget, method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const r = await call(target, method, path, body);
  let parsed: unknown;
  try {
    parsed = JSON.parse(r.body);
  } catch {
    throw new Error(`the agent answered ${path} with ${r.status} and no JSON: ${r.body.slice(0, 200)}`);
  }
  if (r.status >= 400) {
    const msg = typeof parsed === 'object' && parsed !== null && 'error' in parsed ? String((parsed as { error: unknown }).error) : r.body.slice(0, 200);
    throw new Error(`${method} ${path}: ${r.status}: ${msg}`);
  }
  return parsed as T;
}
