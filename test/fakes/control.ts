/**
 * The control channel of a cloud fake run as a process (test/fakes/{ec2,gcp}/serve.ts): a small
 * HTTP JSON server on its own 127.0.0.1 port through which a test in another process reads the
 * fake's truth and changes it behind vipd's back. Used by the multi-process tests
 * (test/cluster/cloud-pair.ts) and `vipd demo --cloud` (src/cli/cloud-fake.ts).
 *
 * - `POST /call` with `{ "method": NAME, "args": [...] }` calls `target[NAME](...args)` for a
 *   whitelisted method and answers `{ "result": ... }` (or 400 `{ "error": ... }`);
 * - `GET /requests[?since=N]` answers the request log from index N on, each record with `t`
 *   (epoch milliseconds) added by `requests`.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ControlOptions {
  /** The in-process fake whose methods the channel calls. */
  readonly target: object;
  /** The methods a test may call (anything else is refused). */
  readonly methods: readonly string[];
  /** The request log, oldest first. */
  readonly requests: () => readonly unknown[];
}

export interface ControlServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

function reply(res: ServerResponse, status: number, value: unknown): void {
  const body = JSON.stringify(value ?? null);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
  res.end(body);
}

function readJson(req: IncomingMessage): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let text = '';
    req.setEncoding('utf8');
    req.on('data', (d: string) => {
      text += d;
      if (text.length > MAX_BODY) req.destroy(new Error('body too large'));
    });
    req.on('end', () => {
      try {
        resolve(text ? JSON.parse(text) : {});
      } catch (err) {
        reject(err instanceof Error ? err : new Error(String(err)));
      }
    });
    req.on('error', reject);
  });
}

export async function serveControl(opts: ControlOptions): Promise<ControlServer> {
  const allowed = new Set(opts.methods);
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://control');
    if (req.method === 'GET' && url.pathname === '/requests') {
      const since = Number(url.searchParams.get('since') ?? 0);
      return reply(res, 200, opts.requests().slice(Number.isInteger(since) && since > 0 ? since : 0));
    }
    if (req.method === 'POST' && url.pathname === '/call') {
      readJson(req)
        .then(async (body) => {
          const { method, args } = (body ?? {}) as { method?: unknown; args?: unknown };
          if (typeof method !== 'string' || !allowed.has(method)) {
            return reply(res, 400, { error: `method ${JSON.stringify(method)} is not one of: ${[...allowed].join(', ')}` });
          }
          const fn = (opts.target as Record<string, unknown>)[method];
          if (typeof fn !== 'function') return reply(res, 400, { error: `the fake has no method ${method}` });
          const result: unknown = await (fn as (...a: unknown[]) => unknown).apply(opts.target, Array.isArray(args) ? args : []);
          reply(res, 200, { result: result === undefined ? null : result });
        })
        .catch((err: unknown) => reply(res, 400, { error: err instanceof Error ? err.message : String(err) }));
      return;
    }
    reply(res, 404, { error: `no ${req.method} ${url.pathname} (try POST /call, GET /requests)` });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
