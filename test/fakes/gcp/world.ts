/**
 * The fake's state: instances with their network interfaces (alias IP ranges, access configs,
 * fingerprints), static external addresses, routes and operations. Mutations from the API land
 * when their operation is DONE (operations.ts); the test-facing calls (moveAlias, …) land at once.
 * Every change records a snapshot, so a stale read can answer from the state of `staleMs` ago.
 */
import { invalid } from './errors.js';

export interface AliasIpRange {
  ipCidrRange: string;
  subnetworkRangeName?: string;
}
export interface AccessConfig {
  name: string;
  natIP: string;
  type: 'ONE_TO_ONE_NAT';
  networkTier: 'PREMIUM';
}
export interface Nic {
  name: string;
  /** Canonical paths: projects/P/global/networks/N, projects/P/regions/R/subnetworks/S. */
  network: string;
  subnetwork: string;
  networkIP: string;
  aliasIpRanges: AliasIpRange[];
  accessConfigs: AccessConfig[];
  fingerprint: string;
}
export interface Instance {
  id: string;
  name: string;
  zone: string;
  nics: Nic[];
  serviceAccount: string | null;
  creationTimestamp: string;
  /** Instance metadata (key/value items) and its fingerprint (instances.setMetadata). */
  metadata: { fingerprint: string; items: { key: string; value: string }[] };
  /** The operation still running on this instance: GCP refuses a second one (resourceNotReady). */
  pendingOp?: string;
}
export interface Address {
  id: string;
  name: string;
  region: string;
  address: string;
  creationTimestamp: string;
}
export interface Route {
  id: string;
  name: string;
  network: string;
  destRange: string;
  priority: number;
  nextHopInstance?: string;
  description?: string;
  tags?: string[];
  creationTimestamp: string;
}
export type OperationScope = { kind: 'zone'; zone: string } | { kind: 'region'; region: string } | { kind: 'global' };
export interface OperationError {
  code: string;
  message: string;
}
export interface Operation {
  id: string;
  name: string;
  scope: OperationScope;
  operationType: string;
  targetLink: string;
  targetId?: string;
  status: 'PENDING' | 'RUNNING' | 'DONE';
  progress: number;
  user: string;
  insertTime: string;
  startTime: string;
  endTime?: string;
  error?: OperationError[];
  httpErrorStatusCode?: number;
  httpErrorMessage?: string;
}

export interface State {
  instances: Map<string, Instance>;
  addresses: Map<string, Address>;
  routes: Map<string, Route>;
  operations: Map<string, Operation>;
}

const MAX_OPERATIONS = 500;
/** Ephemeral external addresses (an access config without natIP): 203.0.113.200-249. */
const EPHEMERAL_POOL = Array.from({ length: 50 }, (_, i) => `203.0.113.${200 + i}`);

const instanceKey = (zone: string, name: string): string => `${zone}/${name}`;
const addressKey = (region: string, name: string): string => `${region}/${name}`;
export const regionOf = (zone: string): string => zone.replace(/-[a-z]$/, '');

/** Normalise an alias range as GCP echoes it: a bare address becomes /32. */
export const normaliseRange = (r: string): string => (r.includes('/') ? r : `${r}/32`);

function ipv4ToInt(ip: string): number | undefined {
  const p = ip.split('.');
  if (p.length !== 4 || p.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return undefined;
  return p.reduce((acc, x) => acc * 256 + Number(x), 0);
}

/** [first, last] of an IPv4 CIDR, or undefined when it is not one. */
export function cidrSpan(cidr: string): [number, number] | undefined {
  const [ip, lenText = '32'] = normaliseRange(cidr).split('/');
  const base = ipv4ToInt(ip ?? '');
  const len = Number(lenText);
  if (base === undefined || !Number.isInteger(len) || len < 0 || len > 32) return undefined;
  const size = 2 ** (32 - len);
  if (base % size !== 0) return undefined;
  return [base, base + size - 1];
}

const overlaps = (a: [number, number], b: [number, number]): boolean => a[0] <= b[1] && b[0] <= a[1];

export class World {
  state: State = { instances: new Map(), addresses: new Map(), routes: new Map(), operations: new Map() };
  private readonly history: { at: number; state: State }[] = [];
  private counter = 0;
  /** Until the first API request, the world is being built: that is the oldest state a stale read sees. */
  private sealed = false;

  constructor(
    readonly project: string,
    readonly projectNumber: string,
    private readonly now: () => number,
  ) {
    this.snapshot();
  }

  nextId(): string {
    this.counter += 1;
    return String(5_000_000_000_000_000_000n + BigInt(this.counter) * 7_919n);
  }

  /** A numeric id derived from a name (resources the fake does not store, like networks). */
  stableId(name: string): string {
    let h = 0n;
    for (const ch of name) h = (h * 131n + BigInt(ch.charCodeAt(0))) % 9_000_000_000_000_000_000n;
    return String(1_000_000_000_000_000_000n + h);
  }

  newFingerprint(): string {
    this.counter += 1;
    return Buffer.from(`fp${this.counter.toString(16).padStart(6, '0')}`).toString('base64');
  }

  /** Record the current state for stale reads (call after every change). */
  snapshot(): void {
    if (!this.sealed) this.history.length = 0;
    this.history.push({ at: this.now(), state: structuredClone(this.state) });
    const horizon = this.now() - 120_000;
    while (this.history.length > 2 && (this.history[1] as { at: number }).at < horizon) this.history.shift();
  }

  /** The world as built so far is the initial state; later changes are history. */
  seal(): void {
    this.sealed = true;
  }

  /** The state as it was `staleMs` ago (the newest snapshot at or before then). */
  view(staleMs = 0): State {
    if (staleMs <= 0) return this.state;
    const at = this.now() - staleMs;
    let best = this.history[0] as { at: number; state: State };
    for (const h of this.history) if (h.at <= at) best = h;
    return best.state;
  }

  // --- lookups -----------------------------------------------------------------------------

  instance(zone: string, name: string, s: State = this.state): Instance | undefined {
    return s.instances.get(instanceKey(zone, name));
  }
  instanceByName(name: string): Instance | undefined {
    for (const i of this.state.instances.values()) if (i.name === name) return i;
    return undefined;
  }
  address(region: string, name: string, s: State = this.state): Address | undefined {
    return s.addresses.get(addressKey(region, name));
  }
  addressByIp(ip: string): Address | undefined {
    for (const a of this.state.addresses.values()) if (a.address === ip) return a;
    return undefined;
  }

  /** Canonical path of an instance: projects/P/zones/Z/instances/I. */
  instancePath(i: Pick<Instance, 'zone' | 'name'>): string {
    return `projects/${this.project}/zones/${i.zone}/instances/${i.name}`;
  }

  /** Who holds an alias range (overlapping ranges count: GCP refuses them), other than `except`. */
  aliasHolder(range: string, except?: { instance: Instance; nic: Nic }): { instance: Instance; nic: Nic; range: string } | undefined {
    const span = cidrSpan(range);
    if (!span) return undefined;
    for (const instance of this.state.instances.values()) {
      for (const nic of instance.nics) {
        if (except && except.instance === instance && except.nic.name === nic.name) continue;
        for (const r of nic.aliasIpRanges) {
          const s = cidrSpan(r.ipCidrRange);
          if (s && overlaps(s, span)) return { instance, nic, range: r.ipCidrRange };
        }
        const primary = cidrSpan(nic.networkIP);
        if (primary && overlaps(primary, span)) return { instance, nic, range: nic.networkIP };
      }
    }
    return undefined;
  }

  /** Who uses an external address through an access config. */
  natHolder(ip: string): { instance: Instance; nic: Nic; accessConfig: AccessConfig } | undefined {
    for (const instance of this.state.instances.values())
      for (const nic of instance.nics)
        for (const ac of nic.accessConfigs) if (ac.natIP === ip) return { instance, nic, accessConfig: ac };
    return undefined;
  }

  /** An ephemeral external address no interface uses and no static address reserves. */
  freeEphemeralIp(taken: ReadonlySet<string> = new Set()): string | undefined {
    return EPHEMERAL_POOL.find((ip) => !taken.has(ip) && !this.natHolder(ip) && !this.addressByIp(ip));
  }

  /**
   * A resource reference as GCP accepts it — a full URL (any host), "projects/P/…" or a partial
   * path "zones/Z/instances/I" / "global/networks/N" — as the canonical "projects/P/…" path.
   */
  canonical(ref: string, field: string): string {
    let r = ref;
    const v1 = r.indexOf('/compute/v1/');
    if (v1 >= 0) r = r.slice(v1 + '/compute/v1/'.length);
    else if (/^https?:/.test(r)) throw invalid(`Invalid value for field '${field}': '${ref}'. The URL is malformed.`);
    if (!r.startsWith('projects/')) r = `projects/${this.project}/${r}`;
    return r;
  }

  // --- building the world ------------------------------------------------------------------

  addInstance(i: Instance): void {
    const key = instanceKey(i.zone, i.name);
    if (this.state.instances.has(key)) throw new Error(`gcp fake: instance ${i.name} already exists in ${i.zone}`);
    for (const nic of i.nics) {
      for (const r of nic.aliasIpRanges) {
        const holder = this.aliasHolder(r.ipCidrRange);
        if (holder) throw new Error(`gcp fake: alias range ${r.ipCidrRange} of ${i.name} overlaps ${holder.range} on ${holder.instance.name}`);
      }
      for (const ac of nic.accessConfigs) {
        const holder = this.natHolder(ac.natIP);
        if (holder) throw new Error(`gcp fake: external address ${ac.natIP} of ${i.name} is already on ${holder.instance.name}`);
      }
    }
    this.state.instances.set(key, i);
    this.snapshot();
  }

  addAddress(a: Address): void {
    const key = addressKey(a.region, a.name);
    if (this.state.addresses.has(key)) throw new Error(`gcp fake: address ${a.name} already exists in ${a.region}`);
    if (this.addressByIp(a.address)) throw new Error(`gcp fake: address ${a.address} is already reserved`);
    this.state.addresses.set(key, a);
    this.snapshot();
  }

  // --- changes (each records a snapshot) -----------------------------------------------------

  setAliases(nic: Nic, ranges: AliasIpRange[]): void {
    nic.aliasIpRanges = ranges.map((r) => ({ ...r, ipCidrRange: normaliseRange(r.ipCidrRange) }));
    nic.fingerprint = this.newFingerprint();
    this.snapshot();
  }

  addAccessConfig(nic: Nic, ac: AccessConfig): void {
    nic.accessConfigs = [...nic.accessConfigs, ac];
    nic.fingerprint = this.newFingerprint();
    this.snapshot();
  }

  removeAccessConfig(nic: Nic, name: string): void {
    nic.accessConfigs = nic.accessConfigs.filter((ac) => ac.name !== name);
    nic.fingerprint = this.newFingerprint();
    this.snapshot();
  }

  setMetadataItems(i: Instance, items: { key: string; value: string }[]): void {
    i.metadata = { fingerprint: this.newFingerprint(), items: items.map((x) => ({ ...x })) };
    this.snapshot();
  }

  putRoute(r: Route): void {
    this.state.routes.set(r.name, r);
    this.snapshot();
  }

  removeRoute(name: string): boolean {
    const had = this.state.routes.delete(name);
    if (had) this.snapshot();
    return had;
  }

  /**
   * Keep an operation; the oldest DONE ones beyond MAX_OPERATIONS are forgotten (GCP too keeps
   * operations only for a while), so a long demo's snapshots stay small.
   */
  putOperation(op: Operation): void {
    this.state.operations.set(op.name, op);
    if (this.state.operations.size > MAX_OPERATIONS)
      for (const [name, o] of this.state.operations) {
        if (this.state.operations.size <= MAX_OPERATIONS) break;
        if (o.status === 'DONE') this.state.operations.delete(name);
      }
    this.snapshot();
  }
}
