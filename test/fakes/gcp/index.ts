/**
 * A strict local fake of the Compute Engine v1 REST API and of the GCE metadata server, on
 * 127.0.0.1, for the real @google-cloud/compute clients (REST transport) and google-auth-library's
 * Compute credentials. docs/testing.md "Cloud fakes: GCP" says how to point the clients at it.
 *
 * Strict: routes and fields come from the client's own protos (schema.ts); an unknown path is 404,
 * an unknown query or body field 400; every request needs a bearer token that one of the fake's
 * metadata servers issued (else 401), and a denied permission is 403 naming it. Stateful: which
 * interface holds which alias range and access config, interface fingerprints, routes, and
 * operations that land their change when they turn DONE (operations.ts). Faults: faults.ts.
 */
import { randomBytes } from 'node:crypto';
import { EventEmitter } from 'node:events';
import type http from 'node:http';
import { listenHttp } from '../ec2/listen.js';
import { HANDLERS, type ApiContext, type Call } from './compute-api.js';
import { ApiError, invalid, unauthenticated } from './errors.js';
import { Faults, type Fault } from './faults.js';
import { startMetadataServer, type MetadataRequest } from './metadata-server.js';
import { Operations } from './operations.js';
import { Renderer } from './render.js';
import { matchMethod, messageProblems, requestFieldType, unknownQueryParams } from './schema.js';
import { normaliseRange, regionOf, World, type Instance } from './world.js';

export type { Fault, FaultKind } from './faults.js';
export type { MetadataRequest } from './metadata-server.js';

export interface GcpFakeOptions {
  /** Delay before every Compute request is handled (default 0). */
  apiLatencyMs?: number;
  /** How long zonal/global operations stay RUNNING before their change lands (default 50). */
  operationDelayMs?: number;
  /** Seed of the fault generator (default 1). */
  seed?: number;
  /** Project id (default 'vipd-test'). */
  project?: string;
  /** How long operations.wait holds a request before answering RUNNING (GCP: 2 minutes; default 120000). */
  waitCapMs?: number;
  /**
   * Where the Compute and metadata servers listen (default 127.0.0.1): loopback or a documentation
   * address a test put on a veth, so agents inside a namespace can reach the fake.
   */
  host?: string;
}

export interface NewInstance {
  name: string;
  zone?: string;
  nics: {
    name?: string;
    network?: string;
    subnetwork?: string;
    networkIP: string;
    aliasIpRanges?: { ipCidrRange: string; subnetworkRangeName?: string }[];
    accessConfigs?: { name: string; natIP?: string }[];
  }[];
  /** The attached service account; null for none (its metadata server then has no token to give). */
  serviceAccount?: string | null;
}

export interface RequestRecord {
  /** API method name ("instances.get"), or "unknown". */
  method: string;
  httpMethod: string;
  /** Path and query. */
  path: string;
  /** performance.now() when the request arrived. */
  at: number;
  /** HTTP status sent (0: none was — a hang, or a response lost on purpose). */
  status: number;
  error?: string;
  /** The fault that hit the request, if any. */
  fault?: string;
  /** The instance whose metadata server issued the bearer token. */
  caller?: string;
  /** The parsed JSON body (the resource a mutation sent), when there was one. */
  body?: unknown;
}

export interface GcpFake {
  readonly endpoint: string;
  readonly project: string;
  readonly projectNumber: string;
  addInstance(i: NewInstance): { id: string; selfLink: string };
  addAddress(a: { name: string; region?: string; address: string }): void;
  metadata(instanceName: string): Promise<{ host: string; close(): Promise<void> }>;
  aliasOwner(ipCidrRange: string): { instance: string; nic: string } | undefined;
  externalOwner(address: string): { instance: string; nic: string; accessConfig: string } | undefined;
  routes(): { name: string; destRange: string; nextHopInstance?: string; priority: number; description?: string }[];
  /** An instance's metadata items (instances.setMetadata), as a key -> value record. */
  instanceMetadata(instanceName: string): Record<string, string>;
  /** An interface's current state (fingerprint, alias ranges, access configs). */
  nic(instanceName: string, nicName?: string): { fingerprint: string; aliasIpRanges: string[]; accessConfigs: { name: string; natIP: string }[] };
  moveAlias(ipCidrRange: string, toInstance: string | undefined, toNic?: string): void;
  moveExternal(address: string, toInstance: string | undefined, toNic?: string): void;
  deleteRoute(name: string): void;
  /** Finish every running operation now (for tests that hold operations open with a long operationDelayMs). */
  settleOperations(): void;
  deny(permission: string): void;
  allow(permission: string): void;
  /** Forget every token issued so far: the next Compute request with one gets 401. */
  revokeTokens(): void;
  inject(f: Fault): void;
  clearFaults(): void;
  setLatency(ms: number): void;
  readonly requests: RequestRecord[];
  readonly metadataRequests: MetadataRequest[];
  on(event: 'request', fn: (r: RequestRecord) => void): void;
  off(event: 'request', fn: (r: RequestRecord) => void): void;
  close(): Promise<void>;
}

const MAX_BODY = 1 << 20;

export async function startGcpFake(opts: GcpFakeOptions = {}): Promise<GcpFake> {
  const project = opts.project ?? 'vipd-test';
  const world = new World(project, '424242424242', () => performance.now());
  let endpoint = '';
  const render = new Renderer(world, () => endpoint);
  const operationDelayMs = opts.operationDelayMs ?? 50;
  const operations = new Operations(world, () => operationDelayMs);
  const faults = new Faults(opts.seed ?? 1);
  const denied = new Set<string>();
  const tokens = new Map<string, { instance: string; email: string }>();
  const events = new EventEmitter();
  const requests: RequestRecord[] = [];
  const metadataRequests: MetadataRequest[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const metadataServers = new Set<{ close(): Promise<void> }>();
  let latencyMs = opts.apiLatencyMs ?? 0;
  let closed = false;
  const ctx: ApiContext = { world, render, operations, denied, waitCapMs: opts.waitCapMs ?? 120_000 };

  const sleep = (ms: number): Promise<void> =>
    ms <= 0
      ? Promise.resolve()
      : new Promise((resolve) => {
          const t = setTimeout(() => {
            timers.delete(t);
            resolve();
          }, ms);
          timers.add(t);
        });

  const record = (r: RequestRecord): void => {
    requests.push(r);
    events.emit('request', r);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse, raw: string): Promise<void> => {
    const at = performance.now();
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const httpMethod = req.method ?? 'GET';
    const rec: RequestRecord = { method: 'unknown', httpMethod, path: url.pathname + url.search, at, status: 0 };
    const reply = (status: number, body: unknown): void => {
      rec.status = status;
      record(rec);
      res.writeHead(status, { 'Content-Type': 'application/json; charset=UTF-8' });
      res.end(JSON.stringify(body));
    };
    const fail = (e: ApiError): void => {
      rec.error = e.message;
      reply(e.httpStatus, e.body());
    };
    await sleep(latencyMs);
    if (closed) return void res.destroy();
    const matched = matchMethod(httpMethod, url.pathname);
    if (!matched) return fail(new ApiError(404, 'NOT_FOUND', 'notFound', `The requested URL ${httpMethod} ${url.pathname} was not found on this server (not a Compute v1 method the gcp fake serves).`));
    const { method, params } = matched;
    rec.method = method.name;
    world.seal();
    const auth = /^Bearer (.+)$/.exec(req.headers.authorization ?? '');
    const holder = auth ? tokens.get(auth[1] as string) : undefined;
    if (!holder) return fail(unauthenticated());
    rec.caller = holder.instance;
    const unknown = unknownQueryParams(method, url.searchParams);
    if (unknown.length > 0)
      return fail(invalid(`Invalid JSON payload received. Unknown name "${unknown[0]}": Cannot bind query parameter. Field '${unknown[0]}' could not be found in request message.`));
    let body: unknown;
    if (method.bodyField) {
      try {
        // The REST client sends "" for an empty body message (e.g. testIamPermissions with no permissions).
        body = raw.length > 0 && raw !== '""' ? JSON.parse(raw) : undefined;
      } catch {
        return fail(invalid('Invalid JSON payload received. Unexpected token.'));
      }
      if (body !== undefined) rec.body = body;
      const field = requestFieldType(method.requestType, method.bodyField);
      const problems = body === undefined ? [] : messageProblems(field, body);
      if (problems.length > 0) return fail(invalid(`Invalid JSON payload received. ${problems.join('; ')}`));
    } else if (raw.length > 0 && raw !== '{}' && raw !== 'null' && raw !== '""') {
      return fail(invalid(`Invalid JSON payload received. ${method.name} takes no request body.`));
    }
    const { fault, stale } = faults.draw(method.name, httpMethod);
    if (fault.kind === 'refuse') {
      rec.fault = fault.fault;
      return fail(fault.error);
    }
    if (fault.kind === 'hang') {
      rec.fault = 'hang';
      record(rec);
      return; // held until the client gives up or the fake closes
    }
    if (stale !== undefined) rec.fault = 'stale-read';
    const call: Call = { method, params, query: url.searchParams, body, view: world.view(stale ?? 0), user: holder.email };
    let out: unknown;
    try {
      out = await (HANDLERS[method.name] as (c: Call, x: ApiContext) => unknown)(call, ctx);
    } catch (e) {
      if (e instanceof ApiError) {
        if (fault.kind === 'lost-response') {
          rec.fault = 'lost-response';
          rec.error = e.message;
          record(rec);
          return void res.destroy();
        }
        return fail(e);
      }
      rec.error = `gcp fake bug: ${(e as Error).stack ?? String(e)}`;
      return reply(500, new ApiError(500, 'INTERNAL', 'backendError', rec.error).body());
    }
    const problems = messageProblems(method.responseType, out);
    if (problems.length > 0) {
      rec.error = `gcp fake bug: its ${method.responseType} answer does not fit the protos: ${problems.join('; ')}`;
      return reply(500, new ApiError(500, 'INTERNAL', 'backendError', rec.error).body());
    }
    if (fault.kind === 'lost-response') {
      rec.fault = 'lost-response';
      record(rec);
      return void res.destroy();
    }
    reply(200, out);
  };

  const host = opts.host ?? '127.0.0.1';
  const { server, url } = await listenHttp((req, res) => {
    let raw = '';
    let size = 0;
    req.setEncoding('utf8');
    req.on('data', (c: string) => {
      size += c.length;
      if (size > MAX_BODY) req.destroy();
      else raw += c;
    });
    req.on('end', () => {
      handle(req, res, raw).catch((e: unknown) => {
        if (!res.headersSent) {
          res.writeHead(500, { 'Content-Type': 'application/json; charset=UTF-8' });
          res.end(JSON.stringify(new ApiError(500, 'INTERNAL', 'backendError', `gcp fake bug: ${String(e)}`).body()));
        }
      });
    });
  }, host);
  endpoint = url;

  const instanceNamed = (name: string): Instance => {
    const i = world.instanceByName(name);
    if (!i) throw new Error(`gcp fake: no instance named ${name}`);
    return i;
  };
  const nicOf = (i: Instance, nicName = 'nic0') => {
    const n = i.nics.find((x) => x.name === nicName);
    if (!n) throw new Error(`gcp fake: instance ${i.name} has no network interface ${nicName}`);
    return n;
  };

  const fake: GcpFake = {
    endpoint,
    project,
    projectNumber: world.projectNumber,
    addInstance(n) {
      const zone = n.zone ?? 'us-central1-a';
      const region = regionOf(zone);
      const ephemeral = new Set<string>();
      const i: Instance = {
        id: world.nextId(),
        name: n.name,
        zone,
        serviceAccount: n.serviceAccount === undefined ? `${world.projectNumber}-compute@developer.gserviceaccount.com` : n.serviceAccount,
        creationTimestamp: new Date().toISOString(),
        metadata: { fingerprint: world.newFingerprint(), items: [] },
        nics: n.nics.map((c, idx) => ({
          name: c.name ?? `nic${idx}`,
          network: world.canonical(c.network ?? 'global/networks/default', 'network'),
          subnetwork: world.canonical(c.subnetwork ?? `regions/${region}/subnetworks/default`, 'subnetwork'),
          networkIP: c.networkIP,
          aliasIpRanges: (c.aliasIpRanges ?? []).map((r) => ({ ...r, ipCidrRange: normaliseRange(r.ipCidrRange) })),
          accessConfigs: (c.accessConfigs ?? []).map((ac) => {
            const natIP = ac.natIP ?? world.freeEphemeralIp(ephemeral);
            if (natIP === undefined) throw new Error(`gcp fake: no ephemeral external address left for ${n.name}`);
            ephemeral.add(natIP);
            return { name: ac.name, natIP, type: 'ONE_TO_ONE_NAT' as const, networkTier: 'PREMIUM' as const };
          }),
          fingerprint: world.newFingerprint(),
        })),
      };
      world.addInstance(i);
      return { id: i.id, selfLink: render.link(world.instancePath(i)) };
    },
    addAddress(a) {
      world.addAddress({ id: world.nextId(), name: a.name, region: a.region ?? 'us-central1', address: a.address, creationTimestamp: new Date().toISOString() });
    },
    async metadata(instanceName) {
      instanceNamed(instanceName);
      const m = await startMetadataServer({
        host,
        world,
        instance: instanceName,
        issueToken: (instance, email) => {
          const t = `ya29.fake-${instance}-${randomBytes(12).toString('hex')}`;
          tokens.set(t, { instance, email });
          return t;
        },
        onRequest: (r) => metadataRequests.push(r),
      });
      metadataServers.add(m);
      return {
        host: m.host,
        close: async () => {
          metadataServers.delete(m);
          await m.close();
        },
      };
    },
    aliasOwner(range) {
      const r = normaliseRange(range);
      for (const i of world.state.instances.values())
        for (const n of i.nics) if (n.aliasIpRanges.some((a) => a.ipCidrRange === r)) return { instance: i.name, nic: n.name };
      return undefined;
    },
    externalOwner(address) {
      const h = world.natHolder(address);
      return h ? { instance: h.instance.name, nic: h.nic.name, accessConfig: h.accessConfig.name } : undefined;
    },
    routes() {
      return [...world.state.routes.values()].map((r) => ({
        name: r.name,
        destRange: r.destRange,
        priority: r.priority,
        ...(r.nextHopInstance !== undefined ? { nextHopInstance: r.nextHopInstance.split('/').pop() as string } : {}),
        ...(r.description !== undefined ? { description: r.description } : {}),
      }));
    },
    instanceMetadata(instanceName) {
      return Object.fromEntries(instanceNamed(instanceName).metadata.items.map((x) => [x.key, x.value]));
    },
    nic(instanceName, nicName) {
      const n = nicOf(instanceNamed(instanceName), nicName);
      return {
        fingerprint: n.fingerprint,
        aliasIpRanges: n.aliasIpRanges.map((r) => r.ipCidrRange),
        accessConfigs: n.accessConfigs.map((ac) => ({ name: ac.name, natIP: ac.natIP })),
      };
    },
    moveAlias(range, toInstance, toNic) {
      const r = normaliseRange(range);
      for (const i of world.state.instances.values())
        for (const n of i.nics) if (n.aliasIpRanges.some((a) => a.ipCidrRange === r)) world.setAliases(n, n.aliasIpRanges.filter((a) => a.ipCidrRange !== r));
      if (toInstance !== undefined) {
        const n = nicOf(instanceNamed(toInstance), toNic);
        world.setAliases(n, [...n.aliasIpRanges, { ipCidrRange: r }]);
      }
    },
    moveExternal(address, toInstance, toNic) {
      const h = world.natHolder(address);
      if (h) world.removeAccessConfig(h.nic, h.accessConfig.name);
      if (toInstance !== undefined) {
        const n = nicOf(instanceNamed(toInstance), toNic);
        for (const ac of n.accessConfigs) world.removeAccessConfig(n, ac.name);
        world.addAccessConfig(n, { name: h?.accessConfig.name ?? 'external-nat', natIP: address, type: 'ONE_TO_ONE_NAT', networkTier: 'PREMIUM' });
      }
    },
    deleteRoute(name) {
      if (!world.removeRoute(name)) throw new Error(`gcp fake: no route named ${name}`);
    },
    settleOperations: () => operations.settle(),
    deny: (p) => void denied.add(p),
    allow: (p) => void denied.delete(p),
    revokeTokens: () => tokens.clear(),
    inject: (f) => faults.inject(f),
    clearFaults: () => faults.clear(),
    setLatency: (ms) => void (latencyMs = ms),
    requests,
    metadataRequests,
    on: (event, fn) => void events.on(event, fn),
    off: (event, fn) => void events.off(event, fn),
    async close() {
      if (closed) return;
      closed = true;
      for (const t of timers) clearTimeout(t);
      timers.clear();
      operations.close();
      await Promise.all([...metadataServers].map((m) => m.close()));
      metadataServers.clear();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
  return fake;
}
