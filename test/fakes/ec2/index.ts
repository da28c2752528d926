/**
 * A strict local fake of the EC2 Query API (plus per-instance IMDSv2 servers) on 127.0.0.1,
 * for the real @aws-sdk/client-ec2 and the AWS CLI (`--endpoint-url`). Strict: every request's
 * SigV4 signature is checked against the test credentials, and unknown actions or parameters
 * are errors naming them. Stateful: associations, private addresses, routes and tags follow
 * EC2's rules (world.ts). Faults are injected per action (faults.ts). docs/testing.md,
 * "Cloud fakes", says how tests and the demo use it; serve.ts runs it as a process.
 */
import { EventEmitter } from 'node:events';
import type { ServerResponse } from 'node:http';
import { isIP, type Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import { ACTIONS } from './actions.js';
import { FaultPlan, type FaultSpec } from './faults.js';
import { startImds, type ImdsServer } from './imds.js';
import { listenHttp } from './listen.js';
import { Permissions } from './permissions.js';
import { queryHandler, type RequestRecord } from './query-server.js';
import { seededRng } from './rng.js';
import type { SigningCredential } from './sigv4.js';
import { Timeline } from './timeline.js';
import {
  ACCOUNT_ID, VPC_CIDR, VPC_ID, associate, eniHoldingIp, getAddress, getEni, getRouteTable, IdMint, reassignPrivateIp,
  type FakeInstance, type InstanceInput,
} from './world.js';

export type { FaultSpec } from './faults.js';
export type { FakeInstance, InstanceInput } from './world.js';
export type { RequestRecord } from './query-server.js';

/** AWS's documented example key pair: obviously not a real credential. */
export const TEST_CREDENTIALS = { accessKeyId: 'AKIAIOSFODNN7EXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } as const;
/** The instance role every fake IMDS names under iam/security-credentials/ (see roleCredentials). */
export const ROLE_NAME = 'vipd-fake-role';

export interface Ec2FakeOptions {
  apiLatencyMs?: number;
  seed?: number;
  credentials?: { accessKeyId: string; secretAccessKey: string }[];
  region?: string;
  /**
   * AssociateAddress without AllowReassociation on an associated address: 'refuse'
   * (Resource.AlreadyAssociated: the default, and what issue 9 and the common CLI HA guides expect)
   * or 'allow' (the current API reference says reassociation is automatic in VPC-only
   * accounts and only AllowReassociation=false refuses). A provider must work with both.
   */
  implicitReassociation?: 'refuse' | 'allow';
  /**
   * Where the API and the IMDS servers listen (default 127.0.0.1): loopback or a documentation
   * address a test put on a veth, so agents inside a namespace can reach the fake.
   */
  host?: string;
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

export async function startEc2Fake(opts: Ec2FakeOptions = {}): Promise<Ec2Fake> {
  const region = opts.region ?? 'us-east-1';
  const rng = seededRng(opts.seed ?? 1);
  const mint = new IdMint(rng);
  const faults = new FaultPlan(rng);
  const events = new EventEmitter();
  const requests: RequestRecord[] = [];
  const hung = new Set<ServerResponse>();
  const imdsServers = new Set<ImdsServer>();
  const permissions = new Permissions(region);
  const timeline = new Timeline();
  const live = timeline.live;
  let latency = opts.apiLatencyMs ?? 0;
  let closed = false;

  const pairs = opts.credentials && opts.credentials.length > 0 ? opts.credentials : [TEST_CREDENTIALS];
  const role = { accessKeyId: 'ASIAFAKEROLE0EXAMPLE', secretAccessKey: 'fakeRoleSecret/K7MDENG/bPxRfiCYEXAMPLEKEY', sessionToken: `FwoGZXIvYXdzE-fake-${mint.id('tok')}` };
  const keyStore = new Map<string, SigningCredential>(pairs.map((c) => [c.accessKeyId, { ...c }]));
  keyStore.set(role.accessKeyId, role);

  const handle = queryHandler({
    region,
    keys: (id) => keyStore.get(id),
    timeline,
    mint,
    faults,
    permissions,
    refuseImplicitReassociation: (opts.implicitReassociation ?? 'refuse') === 'refuse',
    latencyMs: () => latency,
    closed: () => closed,
    hung,
    record: (r) => {
      r.doneAt = performance.now();
      requests.push(r);
      events.emit('request', r);
    },
  });

  const host = opts.host ?? '127.0.0.1';
  const { server, url } = await listenHttp((req, res) => void handle(req, res), host);
  server.keepAliveTimeout = 60_000; // longer than SDK idle reuse, so a reused socket is not reset under it
  const sockets = new Set<Socket>();
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  const knownActions = Object.keys(ACTIONS);
  const requireAction = (action: string, what: string): void => {
    if (!ACTIONS[action]) throw new Error(`${what}: unknown action '${action}' (the fake serves ${knownActions.join(', ')})`);
  };

  const fake: Ec2Fake = {
    endpoint: url,
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
      timeline.build((w) => {
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
      timeline.build((w) => {
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
      timeline.build((w) => {
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
      }, { host, ...(o.tokenTtlMax !== undefined ? { tokenTtlMax: o.tokenTtlMax } : {}) });
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
        associate(live, mint, a, eniId, ip);
      }
      timeline.commit();
    },
    moveSecondaryIp(ip, eniId) {
      const holder = eniHoldingIp(live, ip);
      if (holder && holder.privateIps[0] === ip) throw new Error(`moveSecondaryIp: ${ip} is the primary address of ${holder.eniId}`);
      reassignPrivateIp(live, ip, eniId === undefined ? undefined : getEni(live, eniId));
      timeline.commit();
    },
    setRoute(routeTableId, cidr, eniId) {
      const rt = getRouteTable(live, routeTableId);
      const existing = rt.routes.find((r) => r.cidr === cidr);
      if (existing && existing.eniId === undefined) throw new Error(`setRoute: ${cidr} is the local route of ${routeTableId}`);
      if (eniId === undefined) rt.routes = rt.routes.filter((r) => r !== existing);
      else if (existing) existing.eniId = getEni(live, eniId).eniId;
      else rt.routes.push({ cidr, ipv6: cidr.includes(':'), eniId: getEni(live, eniId).eniId, origin: 'CreateRoute' });
      timeline.commit();
    },

    deny(action, o) {
      requireAction(action, 'deny');
      permissions.deny(action, o?.resource);
    },
    allow(action) {
      requireAction(action, 'allow');
      permissions.allow(action);
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
