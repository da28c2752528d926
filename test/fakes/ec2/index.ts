/**
 * A strict local fake of the EC2 Query API (plus per-instance IMDSv2 servers) on 127.0.0.1,
 * for the real @aws-sdk/client-ec2 and the AWS CLI (`--endpoint-url`). Strict: every request's
 * SigV4 signature is checked against the test credentials, and unknown actions or parameters
 * are errors naming them. Stateful: associations, private addresses, routes and tags follow
 * EC2's rules (world.ts). Faults are injected per action (faults.ts). docs/testing.md,
 * "Cloud fakes", says how tests and the demo use it; serve.ts runs it as a process.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { isIP } from 'node:net';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ACTIONS, type ActionContext } from './actions.js';
import { FaultPlan, type FaultSpec } from './faults.js';
import { startImds, type ImdsServer } from './imds.js';
import { parseParams } from './params.js';
import { seededRng } from './rng.js';
import { verifySigV4, type SigningCredential } from './sigv4.js';
import {
  ACCOUNT_ID, VPC_CIDR, VPC_ID, addressOnPrivateIp, emptyWorld, eniHoldingIp, getAddress, getEni, getRouteTable, IdMint,
  type FakeInstance, type InstanceInput, type WorldState,
} from './world.js';
import { EC2_API_VERSION, Ec2ApiError, errorXml, successXml } from './xml.js';

export type { FaultSpec } from './faults.js';
export type { FakeInstance, InstanceInput } from './world.js';

/** AWS's documented example key pair: obviously not a real credential. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;
/** The temporary credentials every fake IMDS hands out for its instance role. */
export const ROLE_NAME = 'vipd-fake-role';

export interface Ec2FakeOptions {
  apiLatencyMs?: number;
  seed?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string }[];
  region?: string;
  /**
   * AssociateAddress without AllowReassociation on an associated address: 'refuse'
   * (Resource.AlreadyAssociated, the default and what the brief and the CLI guides rely on)
   * or 'allow' (the current API reference says reassociation is automatic in VPC-only
   * accounts and only AllowReassociation=false refuses). A provider must work with both.
   */
  implicitReassociation?: 'refuse' | 'allow';
}

export interface RequestRecord {
  action: string;
  params: Record<string, string>;
  /** performance.now() when the request arrived. */
  at: number;
  accessKeyId?: string;
  /** HTTP status sent; 0 when none was (hang, lost-response). */
  status: number;
  /** The error code, or 'hang' / 'lost-response'. */
  error?: string;
}

export interface Ec2Fake {
  readonly endpoint: string;
  readonly region: string;
  readonly credentials: { accessKeyId: string; secretAccessKey: string };
  /** What every fake IMDS serves under iam/security-credentials/ (accepted with its token). */
  readonly roleCredentials: { accessKeyId: string; secretAccessKey: string; sessionToken: string };
  addInstance(i: InstanceInput): FakeInstance;
  addAddress(a: { allocationId?: string; publicIp: string }): { allocationId: string; publicIp: string };
  addRouteTable(rt: { routeTableId?: string; routes?: { cidr: string; eniId?: string; instanceId?: string }[] }): { routeTableId: string };
  imds(instanceId: string, opts?: { tokenTtlMax?: number }): Promise<{ endpoint: string; close(): Promise<void> }>;
  addressOwner(allocationId: string): { eniId: string; instanceId: string; privateIp: string; associationId: string } | undefined;
  secondaryIpOwner(ip: string): { eniId: string; instanceId: string } | undefined;
  routeTarget(routeTableId: string, cidr: string): { eniId?: string; instanceId?: string } | undefined;
  /** Tags on a resource as they are now. */
  tagsOf(resourceId: string): Record<string, string>;
  moveAddress(allocationId: string, eniId: string | undefined, privateIp?: string): void;
  moveSecondaryIp(ip: string, eniId: string | undefined): void;
  setRoute(routeTableId: string, cidr: string, eniId: string | undefined): void;
  deny(action: string, opts?: { resource?: string }): void;
  allow(action: string): void;
  inject(f: FaultSpec): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  readonly requests: RequestRecord[];
  on(event: 'request', fn: (r: RequestRecord) => void): void;
  off(event: 'request', fn: (r: RequestRecord) => void): void;
  close(): Promise<void>;
}

const DOC_PUBLIC = /^203\.0\.113\.\d{1,3}$/;
const DOC_PRIVATE = /^(198\.51\.100|192\.0\.2)\.\d{1,3}$/;
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

function arnOf(region: string, id: string): string {
  const type = id.startsWith('eipalloc-') ? 'elastic-ip' : id.startsWith('eni-') ? 'network-interface' : id.startsWith('rtb-') ? 'route-table' : id.startsWith('i-') ? 'instance' : 'resource';
  return `arn:aws:ec2:${region}:${ACCOUNT_ID}:${type}/${id}`;
}

export async function startEc2Fake(opts: Ec2FakeOptions = {}): Promise<Ec2Fake> {
  const region = opts.region ?? 'us-east-1';
  const rng = seededRng(opts.seed ?? 1);
  const mint = new IdMint(rng);
  const faults = new FaultPlan(rng);
  const events = new EventEmitter();
  const requests: RequestRecord[] = [];
  const hung = new Set<ServerResponse>();
  const imdsServers = new Set<ImdsServer>();
  const denied = new Map<string, Set<string> | 'all'>();
  let latency = opts.apiLatencyMs ?? 0;
  let closed = false;

  const pairs = opts.credentials && opts.credentials.length > 0 ? opts.credentials : [TEST_CREDENTIALS];
  const role = { accessKeyId: 'ASIAFAKEROLE0EXAMPLE', secretAccessKey: 'fakeRoleSecret/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: `FwoGZXIvYXdzE-fake-${mint.id('tok')}` };
  const keyStore = new Map<string, SigningCredential>(pairs.map((c) => [c.accessKeyId, { ...c }]));
  keyStore.set(role.accessKeyId, role);

  const live: WorldState = emptyWorld();
  /** Snapshots after each change, for stale reads: oldest first. */
  let history: { at: number; state: WorldState }[] = [{ at: performance.now(), state: structuredClone(live) }];

  const commit = (): void => {
    const now = performance.now();
    history.push({ at: now, state: structuredClone(live) });
    const keepFrom = history.findIndex((h) => h.at >= now - 120_000);
    if (keepFrom > 1) history = history.slice(keepFrom - 1);
  };
  const snapshotAgo = (ms: number): WorldState => {
    const cutoff = performance.now() - ms;
    let best = history[0]!.state;
    for (const h of history) if (h.at <= cutoff) best = h.state;
    return best;
  };
  /** World building: the new object has always existed, so it is in every snapshot too. */
  const build = (fn: (w: WorldState) => void): void => {
    fn(live);
    for (const h of history) fn(h.state);
  };

  const record = (r: RequestRecord): void => {
    requests.push(r);
    events.emit('request', r);
  };

  const refuseImplicit = (opts.implicitReassociation ?? 'refuse') === 'refuse';

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const at = performance.now();
    const body = await readBody(req);
    const requestId = randomUUID();
    const rec: RequestRecord = { action: '', params: {}, at, status: 0 };
    const authz = req.headers.authorization;
    const akid = typeof authz === 'string' ? /Credential=([^/,\s]+)\//.exec(authz)?.[1] : undefined;
    if (akid !== undefined) rec.accessKeyId = akid;
    if (latency > 0) await sleep(latency);
    if (closed) return;

    const reply = (status: number, xml: string): void => {
      rec.status = status;
      res.writeHead(status, { 'content-type': 'text/xml;charset=UTF-8', 'content-length': Buffer.byteLength(xml), 'x-amzn-requestid': requestId, server: 'AmazonEC2' });
      res.end(xml);
    };
    const fail = (e: Ec2ApiError): void => {
      rec.error = e.code;
      reply(e.status, errorXml(e.code, e.message, requestId));
    };

    let lose = false;
    try {
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
      rec.params = Object.fromEntries(form);
      rec.action = form.get('Action') ?? '';

      rec.accessKeyId = verifySigV4(
        { method: req.method, url: req.url ?? '/', rawHeaders: req.rawHeaders, body },
        { region, service: 'ec2', lookup: (id) => keyStore.get(id), now: Date.now() },
      );

      const action = form.get('Action');
      if (action === undefined) throw new Ec2ApiError('MissingAction', 'The request must contain the parameter Action');
      const def = ACTIONS[action];
      if (!def) throw new Ec2ApiError('InvalidAction', `The action ${action} is not valid for this web service (the fake EC2 serves ${Object.keys(ACTIONS).join(', ')})`);
      const version = form.get('Version');
      if (version === undefined) throw new Ec2ApiError('MissingParameter', 'The request must contain the parameter Version');
      if (version !== EC2_API_VERSION) throw new Ec2ApiError('InvalidParameterValue', `Version ${version} is not served here (the fake speaks ${EC2_API_VERSION})`);
      const rest = new Map([...form].filter(([k]) => k !== 'Action' && k !== 'Version'));
      const p = parseParams(action, def.spec, rest);

      const drawn = faults.draw(action, !def.mutating);
      if (drawn.failure?.kind === 'throttle') throw new Ec2ApiError('RequestLimitExceeded', 'Request limit exceeded.', 503);
      if (drawn.failure?.kind === 'server-error') throw new Ec2ApiError('InternalError', 'An internal error has occurred', 500);
      if (drawn.failure?.kind === 'hang') {
        rec.error = 'hang';
        hung.add(res);
        res.on('close', () => hung.delete(res));
        record(rec);
        return;
      }
      lose = drawn.lose;

      const touched = def.resources(p);
      const rule = denied.get(action);
      const deniedOn = rule === 'all' ? (touched[0] ?? '*') : touched.find((r) => rule?.has(r));
      if (rule !== undefined && deniedOn !== undefined) {
        const resource = deniedOn === '*' ? '*' : arnOf(region, deniedOn);
        throw new Ec2ApiError('UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT_ID}:user/vipd-test is not authorized to perform: ec2:${action} on resource: ${resource} because no identity-based policy allows the ec2:${action} action`, 403);
      }
      if (p.bool('DryRun') === true) throw new Ec2ApiError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', 412);

      const ctx: ActionContext = { live, view: drawn.staleMs !== undefined ? snapshotAgo(drawn.staleMs) : live, mint, region, refuseImplicitReassociation: refuseImplicit };
      const before = def.mutating ? structuredClone(live) : undefined;
      let out;
      try {
        out = def.run(ctx, p);
      } catch (e) {
        // An action fails as a whole: undo any partial change before answering.
        if (before) Object.assign(live, before);
        throw e;
      }
      if (def.mutating) commit();
      if (lose) {
        rec.status = 0;
        rec.error = 'lost-response';
        req.socket.destroy();
        record(rec);
        return;
      }
      reply(200, successXml(action, requestId, out));
    } catch (e) {
      if (!(e instanceof Ec2ApiError)) {
        fail(new Ec2ApiError('InternalError', `fake EC2 bug: ${(e as Error).stack ?? String(e)}`, 500));
      } else if (lose) {
        rec.error = 'lost-response';
        req.socket.destroy();
      } else {
        fail(e);
      }
    }
    record(rec);
  }

  const server = createServer((req, res) => void handle(req, res));
  server.keepAliveTimeout = 60_000; // longer than SDK idle reuse, so a reused socket is not reset under it
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  const knownActions = Object.keys(ACTIONS);
  const requireAction = (action: string, what: string): void => {
    if (!ACTIONS[action]) throw new Error(`${what}: unknown action '${action}' (the fake serves ${knownActions.join(', ')})`);
  };

  const fake: Ec2Fake = {
    endpoint: `http://127.0.0.1:${port}`,
    region,
    credentials: { accessKeyId: pairs[0]!.accessKeyId, secretAccessKey: pairs[0]!.secretAccessKey },
    roleCredentials: role,
    requests,

    addInstance(input) {
      const instanceId = input.instanceId ?? mint.id('i');
      if (live.instances[instanceId]) throw new Error(`addInstance: ${instanceId} already exists`);
      if (input.enis.length === 0) throw new Error(`addInstance ${instanceId}: an instance needs at least one ENI`);
      const az = input.az ?? `${region}a`;
      const enis = input.enis.map((e, deviceIndex) => {
        const ips = [e.privateIp, ...(e.secondaryIps ?? [])];
        for (const ip of ips) {
          if (!DOC_PRIVATE.test(ip) || isIP(ip) !== 4) throw new Error(`addInstance ${instanceId}: private address ${ip} must be in 198.51.100.0/24 or 192.0.2.0/24 (documentation ranges only)`);
          if (eniHoldingIp(live, ip)) throw new Error(`addInstance ${instanceId}: ${ip} is already on ${eniHoldingIp(live, ip)!.eniId}`);
        }
        const eniId = e.eniId ?? mint.id('eni');
        if (live.enis[eniId]) throw new Error(`addInstance ${instanceId}: ENI ${eniId} already exists`);
        return { eniId, mac: e.mac ?? mint.mac(), subnetId: e.subnetId ?? 'subnet-0fa4e000000000001', vpcId: VPC_ID, az, instanceId, attachmentId: mint.id('eni-attach'), deviceIndex, privateIps: ips };
      });
      build((w) => {
        w.instances[instanceId] = { instanceId, az, eniIds: enis.map((e) => e.eniId) };
        for (const e of enis) w.enis[e.eniId] = structuredClone(e);
      });
      return { instanceId, az, enis: enis.map((e) => ({ eniId: e.eniId, mac: e.mac, subnetId: e.subnetId, privateIp: e.privateIps[0]! })) };
    },

    addAddress(a) {
      if (!DOC_PUBLIC.test(a.publicIp) || isIP(a.publicIp) !== 4) throw new Error(`addAddress: public address ${a.publicIp} must be in 203.0.113.0/24 (documentation range only)`);
      if (Object.values(live.addresses).some((x) => x.publicIp === a.publicIp)) throw new Error(`addAddress: ${a.publicIp} already exists`);
      const allocationId = a.allocationId ?? mint.id('eipalloc');
      if (live.addresses[allocationId]) throw new Error(`addAddress: ${allocationId} already exists`);
      build((w) => {
        w.addresses[allocationId] = { allocationId, publicIp: a.publicIp, association: undefined };
      });
      return { allocationId, publicIp: a.publicIp };
    },

    addRouteTable(rt) {
      const routeTableId = rt.routeTableId ?? mint.id('rtb');
      if (live.routeTables[routeTableId]) throw new Error(`addRouteTable: ${routeTableId} already exists`);
      const routes = (rt.routes ?? []).map((r) => {
        const eniId = r.eniId ?? (r.instanceId ? live.instances[r.instanceId]?.eniIds[0] : undefined);
        if (eniId === undefined || !live.enis[eniId]) throw new Error(`addRouteTable ${routeTableId}: route ${r.cidr} needs an existing eniId or instanceId`);
        return { cidr: r.cidr.includes(':') ? r.cidr.toLowerCase() : r.cidr, ipv6: r.cidr.includes(':'), eniId, origin: 'CreateRoute' as const };
      });
      build((w) => {
        w.routeTables[routeTableId] = { routeTableId, vpcId: VPC_ID, routes: [{ cidr: VPC_CIDR, ipv6: false, eniId: undefined, origin: 'CreateRouteTable' }, ...structuredClone(routes)] };
      });
      return { routeTableId };
    },

    async imds(instanceId, o = {}) {
      if (!live.instances[instanceId]) throw new Error(`imds: no instance ${instanceId}`);
      const server = await startImds({
        region,
        accountId: ACCOUNT_ID,
        instance: () => {
          const inst = live.instances[instanceId];
          return inst ? { instance: inst, enis: inst.eniIds.map((id) => live.enis[id]!) } : undefined;
        },
        role: { name: ROLE_NAME, ...role, expiration: new Date(Date.now() + 6 * 3600_000).toISOString().replace(/\.\d+Z$/, 'Z') },
      }, o.tokenTtlMax !== undefined ? { tokenTtlMax: o.tokenTtlMax } : {});
      imdsServers.add(server);
      return {
        endpoint: server.endpoint,
        close: async () => {
          imdsServers.delete(server);
          await server.close();
        },
      };
    },

    addressOwner(allocationId) {
      const a = live.addresses[allocationId];
      if (!a?.association) return undefined;
      const eni = live.enis[a.association.eniId]!;
      return { eniId: eni.eniId, instanceId: eni.instanceId ?? '', privateIp: a.association.privateIp, associationId: a.association.associationId };
    },
    secondaryIpOwner(ip) {
      const eni = eniHoldingIp(live, ip);
      return eni ? { eniId: eni.eniId, instanceId: eni.instanceId ?? '' } : undefined;
    },
    routeTarget(routeTableId, cidr) {
      const r = live.routeTables[routeTableId]?.routes.find((x) => x.cidr === cidr);
      if (!r) return undefined;
      if (r.eniId === undefined) return {};
      const instanceId = live.enis[r.eniId]?.instanceId;
      return instanceId !== undefined ? { eniId: r.eniId, instanceId } : { eniId: r.eniId };
    },
    tagsOf(resourceId) {
      return { ...(live.tags[resourceId] ?? {}) };
    },

    moveAddress(allocationId, eniId, privateIp) {
      const a = getAddress(live, allocationId);
      if (eniId === undefined) {
        a.association = undefined;
      } else {
        const eni = getEni(live, eniId);
        const ip = privateIp ?? eni.privateIps[0]!;
        if (!eni.privateIps.includes(ip)) throw new Error(`moveAddress: ${ip} is not on ${eniId}`);
        const occupant = addressOnPrivateIp(live, eniId, ip);
        if (occupant && occupant !== a) occupant.association = undefined;
        a.association = { associationId: mint.id('eipassoc'), eniId, privateIp: ip };
      }
      commit();
    },
    moveSecondaryIp(ip, eniId) {
      const holder = eniHoldingIp(live, ip);
      if (holder && holder.privateIps[0] === ip) throw new Error(`moveSecondaryIp: ${ip} is the primary address of ${holder.eniId}`);
      const target = eniId === undefined ? undefined : getEni(live, eniId);
      if (holder === target) return;
      if (holder) holder.privateIps = holder.privateIps.filter((x) => x !== ip);
      const eip = holder ? addressOnPrivateIp(live, holder.eniId, ip) : undefined;
      if (target) {
        target.privateIps.push(ip);
        if (eip) eip.association!.eniId = target.eniId;
      } else if (eip) {
        eip.association = undefined;
      }
      commit();
    },
    setRoute(routeTableId, cidr, eniId) {
      const rt = getRouteTable(live, routeTableId);
      const existing = rt.routes.find((r) => r.cidr === cidr);
      if (existing?.eniId === undefined && existing) throw new Error(`setRoute: ${cidr} is the local route of ${routeTableId}`);
      if (eniId === undefined) rt.routes = rt.routes.filter((r) => r !== existing);
      else if (existing) existing.eniId = getEni(live, eniId).eniId;
      else rt.routes.push({ cidr, ipv6: cidr.includes(':'), eniId: getEni(live, eniId).eniId, origin: 'CreateRoute' });
      commit();
    },

    deny(action, o) {
      requireAction(action, 'deny');
      if (o?.resource === undefined) {
        denied.set(action, 'all');
        return;
      }
      const cur = denied.get(action);
      if (cur === 'all') return;
      const set = cur ?? new Set<string>();
      set.add(o.resource);
      denied.set(action, set);
    },
    allow(action) {
      requireAction(action, 'allow');
      denied.delete(action);
    },
    inject(f) {
      faults.add(f, knownActions);
    },
    clearFaults() {
      faults.clear();
    },
    setLatency(ms) {
      if (!(ms >= 0)) throw new Error(`setLatency: ${ms} is not a latency in ms`);
      latency = ms;
    },
    on(event, fn) {
      events.on(event, fn);
    },
    off(event, fn) {
      events.off(event, fn);
    },
    async close() {
      if (closed) return;
      closed = true;
      for (const res of hung) res.destroy();
      await Promise.all([...imdsServers].map((s) => s.close()));
      imdsServers.clear();
      for (const s of sockets) s.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
