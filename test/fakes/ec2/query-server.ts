/**
 * One EC2 Query API request, start to finish, in the order EC2 answers: the form body, the
 * SigV4 signature, Action and Version, the action's parameters (strict), injected faults, IAM
 * (deny), DryRun, then the action itself on the world — or, under `lost-response`, the action
 * and then a cut connection.
 */
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { ACTIONS, type ActionContext } from './actions.js';
import type { FaultPlan } from './faults.js';
import { parseParams } from './params.js';
import type { Permissions } from './permissions.js';
import { verifySigV4, type SigningCredential } from './sigv4.js';
import type { Timeline } from './timeline.js';
import type { IdMint } from './world.js';
import { EC2_API_VERSION, Ec2ApiError, errorXml, successXml } from './xml.js';

export interface RequestRecord {
  action: string;
  params: Record<string, string>;
  /** performance.now() when the request arrived. */
  at: number;
  /** performance.now() when its outcome was settled (a change applied, the answer sent): at + latency + work. */
  doneAt: number;
  accessKeyId?: string;
  /** HTTP status sent; 0 when none was (hang, lost-response). */
  status: number;
  /** The error code, or 'hang' / 'lost-response'. */
  error?: string;
}

export interface QueryServerEnv {
  readonly region: string;
  readonly keys: (accessKeyId: string) => SigningCredential | undefined;
  readonly timeline: Timeline;
  readonly mint: IdMint;
  readonly faults: FaultPlan;
  readonly permissions: Permissions;
  readonly refuseImplicitReassociation: boolean;
  readonly latencyMs: () => number;
  readonly closed: () => boolean;
  /** Responses held open by the `hang` fault (the fake destroys them on close). */
  readonly hung: Set<ServerResponse>;
  readonly record: (r: RequestRecord) => void;
}

const MAX_BODY = 1 << 20;

function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? undefined : Buffer.concat(chunks)));
    req.on('error', () => resolve(undefined));
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The form fields of a POST / with a form body, refusing anything else and repeated keys. */
function formOf(req: IncomingMessage, body: Buffer | undefined): Map<string, string> {
  if (body === undefined) throw new Ec2ApiError('InvalidRequest', `Request body exceeds ${MAX_BODY} bytes or could not be read`);
  if (req.method !== 'POST' || (req.url ?? '/') !== '/') {
    throw new Ec2ApiError('InvalidRequest', `The fake EC2 serves only POST / with a form body (got ${req.method} ${req.url})`);
  }
  const contentType = req.headers['content-type'] ?? '';
  if (!/^application\/x-www-form-urlencoded\b/i.test(contentType)) {
    throw new Ec2ApiError('InvalidRequest', `Content-Type must be application/x-www-form-urlencoded, got '${contentType}'`);
  }
  const form = new Map<string, string>();
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) {
    if (form.has(k)) throw new Ec2ApiError('InvalidParameterValue', `The parameter ${k} appears more than once`);
    form.set(k, v);
  }
  return form;
}

export function queryHandler(env: QueryServerEnv): (req: IncomingMessage, res: ServerResponse) => Promise<void> {
  return async (req, res) => {
    const at = performance.now();
    const body = await readBody(req);
    const requestId = randomUUID();
    const rec: RequestRecord = { action: '', params: {}, at, doneAt: at, status: 0 };
    const authz = req.headers.authorization;
    const akid = typeof authz === 'string' ? /Credential=([^/,\s]+)\//.exec(authz)?.[1] : undefined;
    if (akid !== undefined) rec.accessKeyId = akid;
    const latency = env.latencyMs();
    if (latency > 0) await sleep(latency);
    if (env.closed()) return;

    const reply = (status: number, xml: string): void => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml), 'x-amzn-requestid': requestId, server: 'AmazonEC2' });
      res.end(xml);
    };
    /** No answer: the change (if any) stands, the client sees a reset connection. */
    const cut = (): void => {
      rec.status = 0;
      rec.error = 'lost-response';
      req.socket.destroy();
    };

    let lose = false;
    try {
      const form = formOf(req, body);
      rec.params = Object.fromEntries(form);
      rec.action = form.get('Action') ?? '';
      rec.accessKeyId = verifySigV4(
        { method: req.method ?? '', url: req.url ?? '/', rawHeaders: req.rawHeaders, body: body! },
        { region: env.region, service: 'ec2', lookup: env.keys, now: Date.now() },
      );

      const action = form.get('Action');
      if (action === undefined) throw new Ec2ApiError('MissingAction', 'The request must contain the parameter Action');
      const def = ACTIONS[action];
      if (!def) throw new Ec2ApiError('InvalidAction', `The action ${action} is not valid for this web service (the fake EC2 serves ${Object.keys(ACTIONS).join(', ')})`);
      const version = form.get('Version');
      if (version === undefined) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter Version');
      if (version !== EC2_API_VERSION) throw new Ec2ApiError('InvalidParameterValue', `Version ${version} is not served here (the fake speaks ${EC2_API_VERSION})`);
      const p = parseParams(action, def.spec, new Map([...form].filter(([k]) => k !== 'Action' && k !== 'Version')));

      const drawn = env.faults.draw(action, !def.mutating);
      if (drawn.failure?.kind === 'throttle') throw new Ec2ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503);
      if (drawn.failure?.kind === 'server-error') throw new Ec2ApiError('InternalError', 'An internal error has occurred', 500);
      if (drawn.failure?.kind === 'hang') {
        rec.error = 'hang';
        env.hung.add(res);
        res.on('close', () => env.hung.delete(res));
        env.record(rec);
        return;
      }
      lose = drawn.lose;

      const denied = env.permissions.refusal(action, def.resources(p));
      if (denied) throw denied;
      if (p.bool('DryRun') === true) throw new Ec2ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);

      const tl = env.timeline;
      const ctx: ActionContext = {
        live: tl.live,
        view: drawn.staleMs !== undefined ? tl.ago(drawn.staleMs) : tl.live,
        mint: env.mint,
        region: env.region,
        refuseImplicitReassociation: env.refuseImplicitReassociation,
      };
      const out = def.mutating ? tl.atomically(() => def.run(ctx, p)) : def.run(ctx, p);
      if (def.mutating) tl.commit();
      if (lose) cut();
      else reply(200, successXml(action, requestId, out));
    } catch (e) {
      if (!(e instanceof Ec2ApiError)) {
        reply(500, errorXml('InternalError', `fake EC2 bug: ${(e as Error).stack ?? String(e)}`, requestId));
        rec.error = 'InternalError';
      } else if (lose) {
        cut();
      } else {
        rec.error = e.code;
        reply(e.status, errorXml(e.code, e.message, requestId));
      }
    }
    env.record(rec);
  };
}
