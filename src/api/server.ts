/**
 * The API's listeners (docs/api.md): a Unix socket for vipctl (file permissions are its
 * access control) and HTTP, by default on 127.0.0.1 (a listener off loopback needs a bearer
 * token or mTLS; src/config/api.ts refuses a file without one). Both serve routes.ts, and
 * `/v1/stream` upgrades to a WebSocket (`ws`) that pushes events and status.
 *
 * Nothing a client does can hold the agent: bodies are capped at 64 KiB, a request must arrive
 * within 10 s, and a WebSocket client that lets 1 MiB pile up unread is cut off.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { chmod, chown, mkdir, readFile, stat, unlink } from 'node:fs/promises';
import { createServer as createHttp, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttps } from 'node:https';
import { connect } from 'node:net';
import { dirname } from 'node:path';
import { WebSocketServer, type WebSocket } from 'ws';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { AgentControl } from './control.js';
import { MAX_BODY_BYTES, route, routeName } from './routes.js';

export interface ApiListeners {
  readonly socket?: { readonly path: string; readonly mode: number; readonly uid?: number; readonly gid?: number };
  readonly http?: { readonly host: string; readonly port: number; readonly token?: string; readonly tls?: { readonly cert: Buffer; readonly key: Buffer; readonly ca: Buffer } };
}

/** A WebSocket client with this much unsent is too slow: cut off, so it holds no memory here. */
export const WS_MAX_BUFFERED = 1024 * 1024;
const STATUS_MIN_GAP_MS = 100;
const STATUS_EVERY_MS = 2000;
/** Unauthenticated routes: probes from the service manager or a load balancer. */
const OPEN_ROUTES = new Set(['/healthz', '/readyz']);

/**
 * What a listener with a token serves without it: the probes, and the dashboard's static files
 * (they hold no data; the page then reads everything else with the token it was opened with,
 * `/?token=…`, docs/api.md "Dashboard").
 */
function isOpen(pathname: string): boolean {
  return OPEN_ROUTES.has(pathname) || pathname === '/' || pathname.startsWith('/dashboard/');
}

function sameToken(given: string, expected: string): boolean {
  // Digests first, so the comparison is constant-time whatever the lengths.
  const a = createHash('sha256').update(given).digest();
  const b = createHash('sha256').update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token a request carries: the Authorization header, or `?token=` on /v1/stream (browsers cannot set headers on a WebSocket). */
function tokenOf(req: IncomingMessage, url: URL): string | undefined {
  const h = req.headers.authorization;
  if (h?.startsWith('Bearer ')) return h.slice(7).trim();
  if (url.pathname === '/v1/stream') return url.searchParams.get('token') ?? undefined;
  return undefined;
}

export class ApiServer {
  private readonly servers: Server[] = [];
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  private socketPath: string | undefined;
  private readonly where: string[] = [];

  constructor(private readonly opts: { control: AgentControl; logger: Logger; metrics: Metrics }) {}

  /** Where it listens, e.g. ["socket /run/vipd/vipd.sock", "http 127.0.0.1:9641"]. */
  get listening(): readonly string[] {
    return this.where;
  }

  /**
   * Opens each listener. One that cannot open is logged as an error and the others go on: the
   * VIP matters more than its API (docs/api.md). Resolves when every listener is open or failed.
   */
  async start(l: ApiListeners): Promise<void> {
    if (l.socket) await this.openSocket(l.socket).catch((err: unknown) => this.failed(`socket ${l.socket?.path}`, err));
    if (l.http) await this.openHttp(l.http).catch((err: unknown) => this.failed(`http ${l.http?.host}:${l.http?.port}`, err));
  }

  private failed(what: string, err: unknown): void {
    this.opts.logger.error({ err }, `api: cannot open ${what} (${err instanceof Error ? err.message : String(err)}); running without it`);
  }

  private async openSocket(s: NonNullable<ApiListeners['socket']>): Promise<void> {
    await mkdir(dirname(s.path), { recursive: true, mode: 0o755 });
    await removeStaleSocket(s.path);
    const server = this.server(undefined, false);
    await listen(server, { path: s.path });
    this.socketPath = s.path;
    await chmod(s.path, s.mode);
    if (s.uid !== undefined || s.gid !== undefined) await chown(s.path, s.uid ?? -1, s.gid ?? -1);
    this.where.push(`socket ${s.path}`);
    this.opts.logger.info({ socket: s.path, mode: s.mode.toString(8) }, `api: socket at ${s.path}`);
  }

  private async openHttp(h: NonNullable<ApiListeners['http']>): Promise<void> {
    const server = this.server(h.tls, h.token !== undefined ? h.token : undefined);
    await listen(server, { host: h.host, port: h.port });
    const addr = server.address();
    const port = typeof addr === 'object' && addr ? addr.port : h.port;
    const host = h.host.includes(':') ? `[${h.host}]` : h.host;
    this.where.push(`http${h.tls ? 's' : ''} ${host}:${port}`);
    this.opts.logger.info({ host: h.host, port, tls: h.tls !== undefined, token: h.token !== undefined }, `api: http${h.tls ? 's' : ''} on ${host}:${port}`);
  }

  private server(tls: { cert: Buffer; key: Buffer; ca: Buffer } | undefined, token: string | false | undefined): Server {
    const handler = (req: IncomingMessage, res: ServerResponse) => void this.handle(req, res, token);
    const server: Server = tls
      ? createHttps({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: true, rejectUnauthorized: true }, handler)
      : createHttp(handler);
    server.requestTimeout = 10_000;
    server.headersTimeout = 10_000;
    server.keepAliveTimeout = 5_000;
    server.on('upgrade', (req, sock, head) => {
      const url = new URL(req.url ?? '/', 'http://vipd.invalid');
      const refuse = (code: number, text: string) => {
        sock.end(`HTTP/1.1 ${code} ${text}\r\nconnection: close\r\ncontent-length: 0\r\n\r\n`);
      };
      if (url.pathname !== '/v1/stream') return refuse(404, 'Not Found');
      if (typeof token === 'string' && !sameToken(tokenOf(req, url) ?? '', token)) return refuse(401, 'Unauthorized');
      this.wss.handleUpgrade(req, sock, head, (ws) => this.stream(ws));
    });
    server.on('clientError', (_err, sock) => sock.destroy());
    this.servers.push(server);
    return server;
  }

  private async handle(req: IncomingMessage, res: ServerResponse, token: string | false | undefined): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://vipd.invalid');
    const name = routeName(req.method ?? 'GET', url.pathname);
    const send = (status: number, type: string, body: string | Buffer) => {
      this.opts.metrics.inc('vipd_api_requests_total', { route: name, status: String(status) });
      res.writeHead(status, { 'content-type': type, 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' });
      res.end(req.method === 'HEAD' ? undefined : body);
    };
    try {
      if (typeof token === 'string' && !isOpen(url.pathname) && !sameToken(tokenOf(req, url) ?? '', token)) {
        res.setHeader('www-authenticate', 'Bearer');
        return send(401, 'application/json', `${JSON.stringify({ error: 'this listener needs "Authorization: Bearer TOKEN" (api.http.token_file)' })}\n`);
      }
      const body = await readBody(req);
      if (body === undefined) return send(413, 'application/json', `${JSON.stringify({ error: `the body is over ${MAX_BODY_BYTES} bytes` })}\n`);
      const r = await route({ method: req.method ?? 'GET', url: req.url ?? '/', body }, this.opts.control);
      send(r.status, r.type, r.body);
    } catch (err) {
      this.opts.logger.error({ err, path: url.pathname }, `api: ${url.pathname} failed (${err instanceof Error ? err.message : String(err)})`);
      if (!res.headersSent) send(500, 'application/json', `${JSON.stringify({ error: 'internal error; the agent log has it' })}\n`);
    }
  }

  /** One WebSocket client: status first, then each event and a status after it (throttled), and every 2 s. */
  private stream(ws: WebSocket): void {
    const { control } = this.opts;
    this.opts.metrics.inc('vipd_api_requests_total', { route: 'GET /v1/stream', status: '101' });
    let statusTimer: NodeJS.Timeout | undefined;
    let lastStatus = 0;
    const push = (msg: unknown) => {
      if (ws.readyState !== ws.OPEN) return;
      if (ws.bufferedAmount > WS_MAX_BUFFERED) {
        this.opts.logger.warn({}, 'api: a /v1/stream client is not reading; closed it');
        ws.terminate();
        return;
      }
      ws.send(JSON.stringify(msg));
    };
    const status = () => {
      statusTimer = undefined;
      lastStatus = Date.now();
      push({ kind: 'status', status: control.status() });
    };
    const soon = () => {
      if (statusTimer) return;
      statusTimer = setTimeout(status, Math.max(0, lastStatus + STATUS_MIN_GAP_MS - Date.now()));
    };
    status();
    const unsubscribe = control.subscribe((event) => {
      push({ kind: 'event', event });
      soon();
    });
    const every = setInterval(status, STATUS_EVERY_MS);
    ws.on('message', () => undefined); // the stream is one-way; messages are read and ignored
    ws.on('error', () => ws.terminate());
    ws.on('close', () => {
      unsubscribe();
      clearInterval(every);
      if (statusTimer) clearTimeout(statusTimer);
    });
  }

  async stop(): Promise<void> {
    for (const c of this.wss.clients) c.terminate();
    await Promise.all(this.servers.map((s) => new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections();
    })));
    this.servers.length = 0;
    if (this.socketPath) await unlink(this.socketPath).catch(() => undefined);
    this.socketPath = undefined;
  }
}

function listen(server: Server, where: { path: string } | { host: string; port: number }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(where, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

/** The body, or undefined when it is over MAX_BODY_BYTES (the rest is not read). */
function readBody(req: IncomingMessage): Promise<string | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_BODY_BYTES) {
        resolve(undefined);
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/**
 * A socket file left by an agent that was killed is removed; one that still answers belongs to
 * a running agent, and taking it over would cut that agent's vipctl off: refused.
 */
async function removeStaleSocket(path: string): Promise<void> {
  const st = await stat(path).catch(() => undefined);
  if (!st) return;
  if (!st.isSocket()) throw new Error(`${path} exists and is not a socket; remove it or choose another api.socket`);
  const live = await new Promise<boolean>((resolve) => {
    const c = connect(path);
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
  if (live) throw new Error(`another process answers on ${path} (is another vipd running?)`);
  await unlink(path);
}

/** The bearer token from `api.http.token_file`: trimmed, at least 16 characters. */
export async function readToken(file: string): Promise<string> {
  const token = (await readFile(file, 'utf8')).trim();
  if (token.length < 16) throw new Error(`${file}: the API token must be at least 16 characters (got ${token.length})`);
  return token;
}
