/**
 * A small IMDSv2 client (EC2 User Guide, "Use the Instance Metadata Service to access instance
 * metadata": a session token from PUT /latest/api/token, sent as X-aws-ec2-metadata-token on
 * every GET). Its own, not @aws-sdk/ec2-metadata-service's MetadataService: that one fetches a
 * new token and builds a new HTTP handler for every path, and reads ~/.aws/config; discovery
 * here is four GETs once at start, each with a timeout and the caller's signal, never IMDSv1.
 */
import { request } from 'node:http';

/** Where IMDS answers when nothing else is configured (link-local; never contacted by tests). */
export const DEFAULT_IMDS_ENDPOINT = 'http://169.254.169.254';
const TOKEN_TTL_SECONDS = 300;

export class ImdsError extends Error {
  override readonly name = 'ImdsError';
  constructor(message: string, readonly status: number | undefined, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export class ImdsClient {
  private token: Promise<string> | undefined;
  private readonly base: URL;

  constructor(endpoint: string, private readonly timeoutMs: number) {
    this.base = new URL(endpoint);
  }

  get endpoint(): string {
    return this.base.origin;
  }

  /** GET /latest/meta-data/PATH (or /latest/PATH when it starts with "dynamic/"). */
  async get(path: string, signal: AbortSignal): Promise<string> {
    this.token ??= this.send('PUT', '/latest/api/token', { 'x-aws-ec2-metadata-token-ttl-seconds': String(TOKEN_TTL_SECONDS) }, signal);
    let token: string;
    try {
      token = await this.token;
    } catch (err) {
      this.token = undefined;
      throw err;
    }
    const full = path.startsWith('dynamic/') ? `/latest/${path}` : `/latest/meta-data/${path}`;
    try {
      return await this.send('GET', full, { 'x-aws-ec2-metadata-token': token }, signal);
    } catch (err) {
      if (err instanceof ImdsError && err.status === 401) this.token = undefined; // expired: the next call fetches a new one
      throw err;
    }
  }

  private send(method: 'GET' | 'PUT', path: string, headers: Record<string, string>, signal: AbortSignal): Promise<string> {
    return new Promise((resolve, reject) => {
      const req = request(
        { protocol: this.base.protocol, hostname: this.base.hostname, port: this.base.port || 80, method, path, headers, signal, timeout: this.timeoutMs },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => {
            const body = Buffer.concat(chunks).toString('utf8');
            if (res.statusCode === 200) return resolve(body.trim());
            reject(new ImdsError(`${method} ${path} on ${this.base.origin}: HTTP ${res.statusCode ?? '?'} ${body.slice(0, 120)}`, res.statusCode));
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new ImdsError(`${method} ${path} on ${this.base.origin}: no answer within ${this.timeoutMs} ms`, undefined)));
      req.on('error', (err) => reject(err instanceof ImdsError ? err : new ImdsError(`${method} ${path} on ${this.base.origin}: ${err.message}`, undefined, { cause: err })));
      req.end();
    });
  }
}
