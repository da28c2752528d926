/**
 * Starts one of the repository's strict cloud fakes (test/fakes/ec2/serve.ts, an EC2 Query API
 * with IMDSv2; test/fakes/gcp/serve.ts, Compute REST with metadata servers) as a child process
 * on 127.0.0.1, for `vipd demo --cloud` and the multi-process tests, and reads and changes its
 * truth through the control URL the fake prints (`POST /control {op, ...}`, `GET /state`,
 * `GET /requests`; see each serve.ts).
 *
 * The fakes are test code: src/ never imports them, it runs the file. An installed package has
 * no test/ directory, so the cloud demo needs a source checkout (said so in the error).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { existsSync } from 'node:fs';
import { request } from 'node:http';
import { fileURLToPath } from 'node:url';
import { onLines } from './lines.js';

export type FakeKind = 'ec2' | 'gcp';

/** One request as the fake logged it (see the fake's serve.ts for the exact fields). */
export interface FakeRequest {
  /** Epoch milliseconds when the fake received it. */
  readonly t: number;
  /** EC2 action ("AssociateAddress") or Compute method ("instances.updateNetworkInterface"). */
  readonly action: string;
  /** Who sent it: the SigV4 access key id (EC2), the instance whose metadata server issued the token (GCP). */
  readonly caller?: string;
  /** EC2: the decoded Query parameters; GCP: the path and query. */
  readonly params?: unknown;
  /** GCP: the JSON body, when the fake logs it. */
  readonly body?: unknown;
  /** HTTP status answered (0: none, a hang or a response lost on purpose). */
  readonly status?: number;
  readonly error?: string;
}

/** A request record as the fakes serve it (EC2: action, accessKeyId, params; GCP: method, path, caller, body). */
interface RawRequest {
  readonly wallMs: number;
  readonly action?: string;
  readonly method?: string;
  readonly accessKeyId?: string;
  readonly caller?: string;
  readonly params?: unknown;
  readonly path?: string;
  readonly body?: unknown;
  readonly status?: number;
  readonly error?: string;
}

/** How this process reaches the control channel: its TCP URL, or a Unix socket relaying to it (a fake in a namespace). */
export interface ControlRoute {
  readonly socketPath?: string;
}

/** The repository root when this is a source checkout that has the fake, else undefined. */
export function fakeServerPath(kind: FakeKind): { root: string; script: string } | undefined {
  // src/cli/cloud-fake.ts (tsx) or dist/src/cli/cloud-fake.js (built): the root is 2 or 3 levels up.
  for (const up of ['../../', '../../../']) {
    const root = fileURLToPath(new URL(up, import.meta.url));
    const script = `${root}test/fakes/${kind}/serve.ts`;
    if (existsSync(script) && existsSync(`${root}node_modules/tsx`)) return { root, script };
  }
  return undefined;
}

/** Variables that would point an SDK elsewhere than the fake (or at a real account). */
const CLOUD_VARIABLE = /^(AWS_|GOOGLE_|CLOUDSDK_|GCE_METADATA_|GCLOUD_|GCP_|METADATA_SERVER_DETECTION$)/;

/**
 * This process's environment without any AWS_*, GOOGLE_*, CLOUDSDK_*, GCE_METADATA_* variable,
 * plus `extra`: a child pointed at a fake must not pick up a developer's profile, keys or project.
 */
export function cloudFreeEnv(extra: Readonly<Record<string, string>> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!CLOUD_VARIABLE.test(k)) env[k] = v;
  return { ...env, ...extra };
}

export class CloudFake {
  private stderr = '';
  /** Set when the fake runs in another network namespace: its control port is reached through a relay. */
  route: ControlRoute = {};

  private constructor(
    readonly kind: FakeKind,
    private readonly proc: ChildProcessWithoutNullStreams,
    /** The JSON line the fake printed: endpoint, region/project, per-instance metadata endpoints. */
    readonly info: Readonly<Record<string, unknown>>,
  ) {
    proc.stderr.on('data', (d: Buffer) => {
      if (this.stderr.length < 64 * 1024) this.stderr += d.toString();
    });
  }

  /**
   * Spawns the fake with `args` (e.g. ['--world', FILE]) and waits for its one JSON line.
   * `launcher` runs it inside a namespace (['ip', 'netns', 'exec', NS]); set `route` then to say
   * how this process reaches its control port there.
   */
  static async start(kind: FakeKind, args: readonly string[], opts: { launcher?: readonly string[]; timeoutMs?: number; detached?: boolean } = {}): Promise<CloudFake> {
    const where = fakeServerPath(kind);
    if (!where) {
      throw new Error(
        `the ${kind === 'ec2' ? 'AWS' : 'GCP'} demo needs a source checkout of vipd: it runs the ${kind === 'ec2' ? 'EC2' : 'Compute Engine'} fake ` +
          `from test/fakes/${kind}/serve.ts with tsx, which an installed package does not have (git clone the repository, npm ci, npm run demo -- --cloud ${kind === 'ec2' ? 'aws' : 'gcp'})`,
      );
    }
    const argv = [...(opts.launcher ?? []), process.execPath, '--import', 'tsx', where.script, ...args];
    const [file = process.execPath, ...rest] = argv;
    // stdin stays a pipe: the fake exits when it closes, so it never outlives this process, even
    // in its own process group (`detached`: a terminal's Ctrl-C leaves it up for the nodes' releases).
    const proc = spawn(file, rest, { cwd: where.root, env: cloudFreeEnv(), stdio: ['pipe', 'pipe', 'pipe'], detached: opts.detached ?? false });
    let err = '';
    proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const info = await new Promise<Record<string, unknown>>((resolve, reject) => {
      const t = setTimeout(() => fail(`printed nothing within ${opts.timeoutMs ?? 30_000} ms`), opts.timeoutMs ?? 30_000);
      const fail = (why: string) => {
        clearTimeout(t);
        proc.kill('SIGKILL');
        reject(new Error(`the ${kind} fake (${where.script}) ${why}${err.trim() ? `: ${err.trim().slice(-2000)}` : ''}`));
      };
      proc.once('exit', (code, sig) => fail(`exited (${sig ?? `code ${code}`}) before it was ready`));
      proc.once('error', (e) => fail(`did not start: ${e.message}`));
      let first = true;
      onLines(proc.stdout, (line) => {
        if (!first) return;
        first = false;
        try {
          const parsed = JSON.parse(line) as unknown;
          if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
          clearTimeout(t);
          proc.removeAllListeners('exit');
          resolve(parsed as Record<string, unknown>);
        } catch {
          fail(`printed ${JSON.stringify(line.slice(0, 200))} instead of its JSON line`);
        }
      });
    });
    return new CloudFake(kind, proc, info);
  }

  /** The fake's API endpoint (http://127.0.0.1:PORT). */
  get endpoint(): string {
    const e = this.info.endpoint;
    if (typeof e !== 'string') throw new Error(`the ${this.kind} fake printed no endpoint: ${JSON.stringify(this.info)}`);
    return e;
  }

  /** One control operation of the fake (its serve.ts lists them), e.g. ('moveAddress', { allocationId, eniId }). */
  async control<T = unknown>(op: string, fields: Readonly<Record<string, unknown>> = {}): Promise<T> {
    return (await this.http('POST', '/control', { ...fields, op })) as T;
  }

  /** The fake's summary of who holds what (GET /state). */
  async state<T = unknown>(): Promise<T> {
    return (await this.http('GET', '/state')) as T;
  }

  /** Every API request the fake received, oldest first, with epoch-ms times and who sent it. */
  async requests(): Promise<FakeRequest[]> {
    const raw = (await this.http('GET', '/requests')) as RawRequest[];
    return raw.map((r) => ({
      t: r.wallMs,
      action: r.action ?? r.method ?? 'unknown',
      ...(r.accessKeyId ?? r.caller ? { caller: r.accessKeyId ?? r.caller } : {}),
      ...(r.params !== undefined ? { params: r.params } : r.path !== undefined ? { params: { path: r.path } } : {}),
      ...(r.body !== undefined ? { body: r.body } : {}),
      ...(r.status !== undefined ? { status: r.status } : {}),
      ...(r.error !== undefined ? { error: r.error } : {}),
    }));
  }

  /** What the fake printed on stderr (for failure messages). */
  errors(): string {
    return this.stderr;
  }

  running(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** SIGTERM, then SIGKILL after `ms`; resolves when it has exited. */
  async stop(ms = 5_000): Promise<void> {
    if (!this.running()) return;
    const exited = new Promise<void>((resolve) => this.proc.once('exit', () => resolve()));
    this.proc.kill('SIGTERM');
    const t = setTimeout(() => this.proc.kill('SIGKILL'), ms);
    await exited;
    clearTimeout(t);
  }

  /** The control channel's URL, from the fake's JSON line. */
  private get controlUrl(): string {
    const c = this.info.control;
    if (typeof c !== 'string') throw new Error(`the ${this.kind} fake printed no control endpoint: ${JSON.stringify(this.info)}`);
    return c;
  }

  private http(method: string, path: string, body?: unknown): Promise<unknown> {
    const url = new URL(path, this.controlUrl);
    const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
    return new Promise((resolve, reject) => {
      const req = request(
        {
          method,
          path: `${url.pathname}${url.search}`,
          ...(this.route.socketPath ? { socketPath: this.route.socketPath } : { host: url.hostname, port: url.port }),
          headers: { 'content-type': 'application/json', ...(payload ? { 'content-length': payload.length } : {}) },
          timeout: 5_000,
        },
        (res) => {
          let text = '';
          res.setEncoding('utf8');
          res.on('data', (d: string) => (text += d));
          res.on('end', () => {
            if ((res.statusCode ?? 0) >= 300) return reject(new Error(`${method} ${path} on the ${this.kind} fake: HTTP ${res.statusCode}: ${text.slice(0, 500)}`));
            try {
              resolve(text ? JSON.parse(text) : undefined);
            } catch {
              reject(new Error(`${method} ${path} on the ${this.kind} fake: not JSON: ${text.slice(0, 200)}`));
            }
          });
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} on the ${this.kind} fake: no answer within 5 s`)));
      req.on('error', reject);
      req.end(payload);
    });
  }
}
