/**
 * One instance's GCE metadata server (https://cloud.google.com/compute/docs/metadata/overview):
 * /computeMetadata/v1/… on its own 127.0.0.1 port, for GCE_METADATA_HOST. Like the real one it
 * answers only requests carrying `Metadata-Flavor: Google` (and none with X-Forwarded-For),
 * marks every answer with `Metadata-Flavor: Google` (gcp-metadata refuses answers without it),
 * lists directories as lines ending in "/" for subdirectories, and returns a directory as JSON
 * with `?recursive=true`. Its token endpoint issues the bearer tokens the Compute fake accepts.
 */
import { listenHttp } from '../ec2/listen.js';
import type { World } from './world.js';

export interface MetadataRequest {
  instance: string;
  path: string;
  at: number;
  status: number;
}

type Tree = { [key: string]: Tree | Tree[] | string | string[] | (() => string) };

const camel = (s: string): string => s.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());

function toJson(node: Tree[string]): unknown {
  if (typeof node === 'function') return undefined; // tokens are fetched, never listed
  if (typeof node === 'string' || Array.isArray(node)) return Array.isArray(node) ? node.map((n) => (typeof n === 'string' ? n : toJson(n))) : node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    const j = toJson(v);
    if (j !== undefined) out[camel(k)] = j;
  }
  return out;
}

const ALLOWED_QUERY = new Set(['recursive', 'alt', 'scopes', 'timeout_sec', 'wait_for_change', 'last_etag']);

export interface MetadataServerOptions {
  /** Listen address (default 127.0.0.1). */
  host?: string;
  world: World;
  instance: string;
  /** Issues a token to the instance's service account. */
  issueToken: (instance: string, email: string) => string;
  onRequest: (r: MetadataRequest) => void;
}

export async function startMetadataServer(o: MetadataServerOptions): Promise<{ host: string; close(): Promise<void> }> {
  const tree = (): Tree => {
    const i = o.world.instanceByName(o.instance);
    if (!i) throw new Error(`gcp fake: instance ${o.instance} is gone`);
    const num = o.world.projectNumber;
    const account = (email: string): Tree => ({
      aliases: 'default',
      email,
      scopes: 'https://www.googleapis.com/auth/cloud-platform',
      token: () => JSON.stringify({ access_token: o.issueToken(i.name, email), expires_in: 3599, token_type: 'Bearer' }),
    });
    return {
      instance: {
        id: i.id,
        name: i.name,
        hostname: `${i.name}.${i.zone}.c.${o.world.project}.internal`,
        zone: `projects/${num}/zones/${i.zone}`,
        'machine-type': `projects/${num}/machineTypes/e2-small`,
        attributes: Object.fromEntries(i.metadata.items.map((x) => [x.key, x.value])),
        'network-interfaces': i.nics.map((n, idx) => ({
          ip: n.networkIP,
          mac: `42:01:c6:33:64:${(idx + 10).toString(16).padStart(2, '0')}`,
          network: `projects/${num}/networks/${n.network.split('/').pop() ?? 'default'}`,
          subnetmask: '255.255.255.0',
          gateway: '198.51.100.1',
          'ip-aliases': n.aliasIpRanges.map((r) => r.ipCidrRange),
          'forwarded-ips': [],
          'access-configs': n.accessConfigs.map((ac) => ({ 'external-ip': ac.natIP, type: ac.type })),
        })),
        // A VM without a service account has no service-accounts/default/ (token: 404).
        'service-accounts': i.serviceAccount === null ? {} : { default: account(i.serviceAccount), [i.serviceAccount]: account(i.serviceAccount) },
      },
      project: { 'project-id': o.world.project, 'numeric-project-id': num, attributes: {} },
      universe: { 'universe-domain': 'googleapis.com' },
    };
  };

  const { server, url: base } = await listenHttp((req, res) => {
    const url = new URL(req.url ?? '/', 'http://metadata.invalid');
    const send = (status: number, body: string, type = 'application/text'): void => {
      o.onRequest({ instance: o.instance, path: url.pathname + url.search, at: performance.now(), status });
      res.writeHead(status, { 'Metadata-Flavor': 'Google', 'Content-Type': type, Server: 'Metadata Server for VM' });
      res.end(body);
    };
    if (req.method !== 'GET') return send(405, 'Method not allowed\n');
    if (req.headers['metadata-flavor'] !== 'Google') return send(403, 'Missing required header "Metadata-Flavor": "Google"\n');
    if (req.headers['x-forwarded-for'] !== undefined) return send(403, 'Request had X-Forwarded-For header and was rejected\n');
    for (const k of url.searchParams.keys()) if (!ALLOWED_QUERY.has(k)) return send(400, `Unknown query parameter "${k}"\n`);
    if (url.pathname === '/') return send(200, 'computeMetadata/\n');
    if (url.pathname === '/computeMetadata' || url.pathname === '/computeMetadata/') return send(200, 'v1/\n');
    const prefix = '/computeMetadata/v1';
    if (!url.pathname.startsWith(prefix)) return send(404, 'Not Found\n');
    const parts = url.pathname.slice(prefix.length).split('/').filter((p) => p.length > 0);
    let node: Tree[string] = tree();
    for (const p of parts) {
      const next: Tree[string] | undefined = Array.isArray(node)
        ? (node as (Tree | string)[])[Number(p)]
        : typeof node === 'object' && node !== null && typeof node !== 'function'
          ? (node as Tree)[p]
          : undefined;
      if (next === undefined || !/^[\w.@-]+$/.test(p)) return send(404, 'Not Found\n');
      node = next;
    }
    if (typeof node === 'function') return send(200, node(), 'application/json');
    if (typeof node === 'string') return send(200, node);
    const recursive = url.searchParams.get('recursive') === 'true';
    if (recursive || url.searchParams.get('alt') === 'json') return send(200, JSON.stringify(toJson(node)), 'application/json');
    if (Array.isArray(node) && node.every((n) => typeof n === 'string')) return send(200, node.map((n) => `${n}\n`).join(''));
    const entries = Array.isArray(node) ? node.map((n, idx) => [String(idx), n] as const) : Object.entries(node);
    return send(200, entries.map(([k, v]) => (typeof v === 'string' || typeof v === 'function' ? `${k}\n` : `${k}/\n`)).join(''));
  }, o.host);
  return {
    host: base.slice('http://'.length),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
