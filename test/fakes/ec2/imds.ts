/**
 * A per-instance Instance Metadata Service with IMDSv2 only (EC2 user guide, "Use the Instance
 * Metadata Service to access instance metadata", "How IMDSv2 works"): PUT /latest/api/token
 * with X-aws-ec2-metadata-token-ttl-seconds (1–21600) returns a session token; every GET
 * needs X-aws-ec2-metadata-token (401 without: IMDSv1 is refused, as with HttpTokens=required);
 * a token PUT carrying X-Forwarded-For is refused (403), as AWS does to stop proxies relaying
 * token requests. Answers come from the live world, so a moved secondary address shows in
 * local-ipv4s at once.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { listenHttp } from './listen.js';
import type { EniState, InstanceState } from './world.js';

export interface ImdsSource {
  readonly region: string;
  readonly accountId: string;
  /** The instance and its ENIs as they are now (undefined once it is gone). */
  readonly instance: () => { instance: InstanceState; enis: EniState[] } | undefined;
  /** The role credentials IMDS hands out (iam/security-credentials/ROLE). */
  readonly role: { name: string; accessKeyId: string; secretAccessKey: string; sessionToken: string; expiration: string };
}

export interface ImdsServer {
  readonly endpoint: string;
  close(): Promise<void>;
}

const MAX_TTL = 21600;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain', 'content-length': Buffer.byteLength(body), server: 'EC2ws', ...headers });
  res.end(body);
}

/** The metadata tree for one instance: path (without /latest/) -> leaf text, or a listing. */
function lookupPath(src: ImdsSource, path: string): string | undefined {
  const now = src.instance();
  if (!now) return undefined;
  const { instance, enis } = now;
  const sorted = [...enis].sort((a, b) => a.deviceIndex - b.deviceIndex);
  const primary = sorted[0];
  const byMac = new Map(sorted.map((e) => [e.mac, e]));
  const listing = (entries: string[]): string => entries.join('\n');

  const m = /^meta-data\/network\/interfaces\/macs\/([0-9a-f:]{17})\/?(.*)$/.exec(path);
  if (m) {
    const eni = byMac.get(m[1]!);
    if (!eni) return undefined;
    const leaf: Record<string, string> = {
      'device-number': String(eni.deviceIndex),
      'interface-id': eni.eniId,
      'local-ipv4s': eni.privateIps.join('\n'),
      mac: eni.mac,
      'owner-id': src.accountId,
      'subnet-id': eni.subnetId,
      'vpc-id': eni.vpcId,
    };
    if (m[2] === '') return listing(Object.keys(leaf));
    return leaf[m[2]!];
  }

  const identity = JSON.stringify({
    accountId: src.accountId,
    architecture: 'x86_64',
    availabilityZone: instance.az,
    imageId: 'ami-0fa4e00000000000f',
    instanceId: instance.instanceId,
    instanceType: 't3.micro',
    pendingTime: '2026-01-01T00:00:00Z',
    privateIp: primary?.privateIps[0] ?? null,
    region: src.region,
    version: '2017-09-30',
  }, null, 2);
  const creds = JSON.stringify({
    Code: 'Success',
    LastUpdated: new Date().toISOString().replace(/\.\d+Z$/, 'Z'),
    Type: 'AWS-HMAC',
    AccessKeyId: src.role.accessKeyId,
    SecretAccessKey: src.role.secretAccessKey,
    Token: src.role.sessionToken,
    Expiration: src.role.expiration,
  }, null, 2);
  const tree: Record<string, string> = {
    'meta-data': listing(['ami-id', 'iam/', 'instance-id', 'instance-type', 'local-ipv4', 'mac', 'network/', 'placement/']),
    'meta-data/ami-id': 'ami-0fa4e00000000000f',
    'meta-data/instance-id': instance.instanceId,
    'meta-data/instance-type': 't3.micro',
    'meta-data/local-ipv4': primary?.privateIps[0] ?? '',
    'meta-data/mac': primary?.mac ?? '',
    'meta-data/placement': listing(['availability-zone', 'region']),
    'meta-data/placement/availability-zone': instance.az,
    'meta-data/placement/region': src.region,
    'meta-data/network': listing(['interfaces/']),
    'meta-data/network/interfaces': listing(['macs/']),
    'meta-data/network/interfaces/macs': listing(sorted.map((e) => `${e.mac}/`)),
    'meta-data/iam': listing(['info', 'security-credentials/']),
    'meta-data/iam/info': JSON.stringify({ Code: 'Success', InstanceProfileArn: `arn:aws:iam::${src.accountId}:instance-profile/${src.role.name}` }),
    'meta-data/iam/security-credentials': src.role.name,
    [`meta-data/iam/security-credentials/${src.role.name}`]: creds,
    dynamic: listing(['instance-identity/']),
    'dynamic/instance-identity': listing(['document']),
    'dynamic/instance-identity/document': identity,
  };
  return tree[path.replace(/\/$/, '')];
}

export async function startImds(src: ImdsSource, opts: { tokenTtlMax?: number; now?: () => number; host?: string } = {}): Promise<ImdsServer> {
  const now = opts.now ?? (() => Date.now());
  const tokens = new Map<string, number>(); // token -> expiry (ms)

  const handle = (req: IncomingMessage, res: ServerResponse): void => {
    // SDK clients join the endpoint's path "/" and "/latest/…" into "//latest/…": collapse it.
    const path = (req.url ?? '/').split('?')[0]!.replace(/\/{2,}/g, '/');
    if (path === '/latest/api/token') {
      if (req.method !== 'PUT') return send(res, 405, 'Method Not Allowed: the token is created with PUT', { allow: 'PUT' });
      if (req.headers['x-forwarded-for'] !== undefined) return send(res, 403, 'Forbidden: token requests carrying X-Forwarded-For are refused');
      const raw = req.headers['x-aws-ec2-metadata-token-ttl-seconds'];
      if (raw === undefined) return send(res, 400, 'Bad Request: missing X-aws-ec2-metadata-token-ttl-seconds');
      const ttl = Number(raw);
      if (!/^\d+$/.test(String(raw)) || ttl < 1 || ttl > MAX_TTL) {
        return send(res, 400, `Bad Request: X-aws-ec2-metadata-token-ttl-seconds must be 1..${MAX_TTL}, got '${String(raw)}'`);
      }
      const granted = Math.min(ttl, opts.tokenTtlMax ?? MAX_TTL);
      const token = randomBytes(30).toString('base64url');
      tokens.set(token, now() + granted * 1000);
      return send(res, 200, token, { 'x-aws-ec2-metadata-token-ttl-seconds': String(granted) });
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'Method Not Allowed', { allow: 'GET, HEAD, PUT' });
    const token = req.headers['x-aws-ec2-metadata-token'];
    const expiry = typeof token === 'string' ? tokens.get(token) : undefined;
    if (expiry === undefined || expiry <= now()) {
      if (expiry !== undefined) tokens.delete(token as string);
      return send(res, 401, 'Unauthorized: IMDSv2 only: PUT /latest/api/token first and send X-aws-ec2-metadata-token');
    }
    if (!path.startsWith('/latest/')) return send(res, 404, 'Not Found');
    const body = lookupPath(src, path.slice('/latest/'.length));
    if (body === undefined) return send(res, 404, 'Not Found');
    return send(res, 200, body);
  };

  const { server, url } = await listenHttp(handle, opts.host);
  return {
    endpoint: url,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
