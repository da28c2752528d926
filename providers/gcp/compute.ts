/**
 * The Compute API as the modes use it: one method per request, each made through cloudCall()
 * (providers/common/cloud-call.ts, the one retry loop), with the permission and resource the
 * hint names when it is refused. The generated clients (@google-cloud/compute v6) use the REST
 * transport (google-gax "fallback"), whose stub keeps one keep-alive agent per protocol, so
 * every request after validate() reuses the warm connection. Per call: gax retries off
 * (`retry.retryCodes: []`), and the attempt's abort signal reaches the socket (auth.ts).
 * Pointing the clients at a local server: providers/gcp/README.md "Endpoints".
 */
// The clients one by one: the package index loads every client of v1, v1beta and v1small
// (measured here: 7.8 s to import it, 1.3 s for these six), and vipd starts with it.
import type { protos } from '@google-cloud/compute';
import { AddressesClient } from '@google-cloud/compute/build/src/v1/addresses_client.js';
import { GlobalOperationsClient } from '@google-cloud/compute/build/src/v1/global_operations_client.js';
import { InstancesClient } from '@google-cloud/compute/build/src/v1/instances_client.js';
import { NetworksClient } from '@google-cloud/compute/build/src/v1/networks_client.js';
import { RoutesClient } from '@google-cloud/compute/build/src/v1/routes_client.js';
import { ZoneOperationsClient } from '@google-cloud/compute/build/src/v1/zone_operations_client.js';
// google-gax is @google-cloud/compute's own transport (a dependency of it, not of vipd): types only.
import type { CallOptions } from 'google-gax';
import { cloudCall, DEFAULT_CALL_POLICY, type CallContext, type CallRequest } from '../common/cloud-call.js';
import { attemptScope, type AttemptScope, type MetadataCompute } from './auth.js';
import { classifyError, failureFacts } from './classify.js';

export type Instance = protos.google.cloud.compute.v1.IInstance;
export type NetworkInterface = protos.google.cloud.compute.v1.INetworkInterface;
export type Operation = protos.google.cloud.compute.v1.IOperation;
export type Route = protos.google.cloud.compute.v1.IRoute;
export type Address = protos.google.cloud.compute.v1.IAddress;
export type MetadataItems = protos.google.cloud.compute.v1.IMetadata;

/** An instance by zone and name. */
export interface InstanceRef {
  readonly zone: string;
  readonly name: string;
}

type ClientOptions = NonNullable<ConstructorParameters<typeof InstancesClient>[0]>;

/** What a mutating call changes (for settleOperations) and how its body is sent. */
interface Mutation {
  readonly target: UnsureTarget;
  readonly emptyFields?: readonly string[];
}

/** cloudCall is the one retry loop: no gax retries on any call. */
const NO_GAX_RETRY: CallOptions = { retry: { retryCodes: [] } as unknown as CallOptions['retry'] };

export interface ComputeApiOptions {
  readonly project: string;
  /** Compute API root (config `endpoint`); undefined: the library's default. */
  readonly endpoint: string | undefined;
  readonly auth: MetadataCompute;
  /** cloudCall's context without the classifier (each call brings its own target). */
  readonly ctx: Omit<CallContext, 'classify'>;
  /** The service account, for hints. */
  readonly principal: () => string | undefined;
}

/** A zone's instance, or the project's routes (global operations). */
export type UnsureTarget = { readonly zone: string; readonly instance: string } | { readonly zone: undefined; readonly routes: true };

/** A zonal or global operation to wait for. */
export interface PendingOperation {
  readonly name: string;
  /** Undefined for a global operation. */
  readonly zone: string | undefined;
  /** What the operation does, for messages. */
  readonly what: string;
}

/** The clients a mode uses besides InstancesClient (each costs ~150 ms of CPU to build: it parses the protos). */
export type ClientName = 'addresses' | 'routes' | 'networks' | 'zoneOps' | 'globalOps';

/** close() waits for running requests up to an attempt's timeout plus this. */
const CLOSE_SLACK_MS = 1_000;

export class ComputeApi {
  readonly project: string;
  private readonly clientOptions: ClientOptions;
  private readonly instances: InstancesClient;
  private built: { addresses?: AddressesClient; routes?: RoutesClient; networks?: NetworksClient; zoneOps?: ZoneOperationsClient; globalOps?: GlobalOperationsClient } = {};
  /**
   * Operations this provider started and has not yet seen DONE. An aborted acquire leaves its
   * operation running on the server; release (and the next acquire) wait for these first, so
   * nothing this node started lands after it released (operations.ts settleOperations).
   */
  readonly inflight = new Map<string, PendingOperation>();
  /**
   * Where a mutation was sent but no answer came back (aborted, timed out, connection lost): it
   * may have started an operation we never learnt the name of. settleOperations lists the
   * unfinished operations there before release or acquire reads anything.
   */
  readonly unsure = new Map<string, UnsureTarget>();
  private closed = false;
  /**
   * Requests whose HTTP exchange has not settled. An aborted attempt rejects its caller at once
   * (withSignal) while the library's own promise settles later; close() waits for these before
   * closing the clients, since a generated client closed under a request still running rejects
   * it from inside the library with "The client has already been closed".
   */
  private readonly running = new Set<Promise<unknown>>();

  /** `clients`: built now (warm for a takeover); any other is built on first use. */
  constructor(private readonly options: ComputeApiOptions, clients: readonly ClientName[]) {
    this.project = options.project;
    this.clientOptions = computeClientOptions(options.endpoint, options.auth);
    this.instances = new InstancesClient(this.clientOptions);
    for (const c of clients) this.client(c);
  }

  private client(name: 'addresses'): AddressesClient;
  private client(name: 'routes'): RoutesClient;
  private client(name: 'networks'): NetworksClient;
  private client(name: 'zoneOps'): ZoneOperationsClient;
  private client(name: 'globalOps'): GlobalOperationsClient;
  private client(name: ClientName): unknown;
  private client(name: ClientName): unknown {
    const o = this.clientOptions;
    switch (name) {
      case 'addresses': return (this.built.addresses ??= new AddressesClient(o));
      case 'routes': return (this.built.routes ??= new RoutesClient(o));
      case 'networks': return (this.built.networks ??= new NetworksClient(o));
      case 'zoneOps': return (this.built.zoneOps ??= new ZoneOperationsClient(o));
      case 'globalOps': return (this.built.globalOps ??= new GlobalOperationsClient(o));
    }
  }

  private track<T>(p: Promise<T>): Promise<T> {
    this.running.add(p);
    const done = (): void => void this.running.delete(p);
    p.then(done, done);
    return p;
  }

  /** Human name of an instance for messages and hints. */
  instanceName(ref: InstanceRef): string {
    return `instance ${ref.name} in zone ${ref.zone} of project ${this.project}`;
  }

  /**
   * One request through cloudCall: `action` names it in metrics and errors; `permission` and
   * `resource` go into the hint when it is refused.
   */
  call<T>(action: string, resource: string, permission: string, req: CallRequest, request: () => Promise<T>, mutation?: Mutation): Promise<T> {
    const principal = this.options.principal();
    const ctx: CallContext = {
      ...this.options.ctx,
      classify: (err) => classifyError(err, { permission, resource, ...(principal !== undefined ? { principal } : {}) }),
    };
    const scope = (signal: AbortSignal): AttemptScope => ({ signal, ...(mutation?.emptyFields ? { emptyFields: mutation.emptyFields } : {}) });
    return cloudCall(ctx, action, resource, req, async (signal) => {
      // A closed generated client throws from a promise nobody awaits (an unhandled rejection):
      // never call one. Classified invalid: not retried.
      if (this.closed) throw new Error('the provider is closed');
      try {
        return await withSignal(scope(signal), () => this.track(request()));
      } catch (err) {
        // No HTTP answer: the request may have been carried out all the same.
        if (mutation && failureFacts(err).status === undefined) {
          const t = mutation.target;
          this.unsure.set(t.zone !== undefined ? `${t.zone}/${t.instance}` : 'global/routes', t);
        }
        throw err;
      }
    });
  }

  getInstance(ref: InstanceRef, req: CallRequest): Promise<Instance> {
    return this.call('instances.get', this.instanceName(ref), 'compute.instances.get', req, async () => {
      const [instance] = await this.instances.get({ project: this.project, zone: ref.zone, instance: ref.name }, NO_GAX_RETRY);
      return instance;
    });
  }

  /** instances.list of one zone, all pages. */
  listInstances(zone: string, req: CallRequest): Promise<Instance[]> {
    return this.call('instances.list', `the instances in zone ${zone} of project ${this.project}`, 'compute.instances.list', req, async () => {
      const [list] = await this.instances.list({ project: this.project, zone }, { ...NO_GAX_RETRY, autoPaginate: true });
      return list;
    });
  }

  updateNetworkInterface(ref: InstanceRef, nic: string, resource: NetworkInterface, what: string, req: CallRequest): Promise<PendingOperation> {
    return this.call('instances.updateNetworkInterface', `${nic} of ${this.instanceName(ref)}`, 'compute.instances.updateNetworkInterface', req, async () => {
      const [op] = await this.instances.updateNetworkInterface(
        { project: this.project, zone: ref.zone, instance: ref.name, networkInterface: nic, networkInterfaceResource: resource },
        NO_GAX_RETRY,
      );
      return this.started(pending(op, ref.zone, what));
    }, { target: { zone: ref.zone, instance: ref.name }, emptyFields: ['aliasIpRanges'] });
  }

  addAccessConfig(ref: InstanceRef, nic: string, accessConfig: protos.google.cloud.compute.v1.IAccessConfig, req: CallRequest): Promise<PendingOperation> {
    return this.call('instances.addAccessConfig', `${nic} of ${this.instanceName(ref)}`, 'compute.instances.addAccessConfig', req, async () => {
      const [op] = await this.instances.addAccessConfig(
        { project: this.project, zone: ref.zone, instance: ref.name, networkInterface: nic, accessConfigResource: accessConfig },
        NO_GAX_RETRY,
      );
      return this.started(pending(op, ref.zone, `adding access config ${accessConfig.name ?? ''} (${accessConfig.natIP ?? 'ephemeral'}) to ${ref.name}`));
    }, { target: { zone: ref.zone, instance: ref.name } });
  }

  deleteAccessConfig(ref: InstanceRef, nic: string, accessConfig: string, req: CallRequest): Promise<PendingOperation> {
    return this.call('instances.deleteAccessConfig', `access config "${accessConfig}" on ${nic} of ${this.instanceName(ref)}`, 'compute.instances.deleteAccessConfig', req, async () => {
      const [op] = await this.instances.deleteAccessConfig(
        { project: this.project, zone: ref.zone, instance: ref.name, networkInterface: nic, accessConfig },
        NO_GAX_RETRY,
      );
      return this.started(pending(op, ref.zone, `deleting access config "${accessConfig}" from ${ref.name}`));
    }, { target: { zone: ref.zone, instance: ref.name } });
  }

  setMetadata(ref: InstanceRef, metadata: MetadataItems, req: CallRequest): Promise<PendingOperation> {
    return this.call('instances.setMetadata', `the metadata of ${this.instanceName(ref)}`, 'compute.instances.setMetadata', req, async () => {
      const [op] = await this.instances.setMetadata({ project: this.project, zone: ref.zone, instance: ref.name, metadataResource: metadata }, NO_GAX_RETRY);
      return this.started(pending(op, ref.zone, `writing the fence record on ${ref.name}`));
    }, { target: { zone: ref.zone, instance: ref.name } });
  }

  /** The subset of `permissions` the caller has on the instance. */
  testInstancePermissions(ref: InstanceRef, permissions: readonly string[], req: CallRequest): Promise<string[]> {
    return this.call('instances.testIamPermissions', this.instanceName(ref), 'compute.instances.get', req, async () => {
      const [answer] = await this.instances.testIamPermissions(
        { project: this.project, zone: ref.zone, resource: ref.name, testPermissionsRequestResource: { permissions: [...permissions] } },
        NO_GAX_RETRY,
      );
      return answer.permissions ?? [];
    });
  }

  getAddress(region: string, name: string, req: CallRequest): Promise<Address> {
    return this.call('addresses.get', this.addressName(region, name), 'compute.addresses.get', req, async () => {
      const [address] = await this.client('addresses').get({ project: this.project, region, address: name }, NO_GAX_RETRY);
      return address;
    });
  }

  testAddressPermissions(region: string, name: string, permissions: readonly string[], req: CallRequest): Promise<string[]> {
    return this.call('addresses.testIamPermissions', this.addressName(region, name), 'compute.addresses.get', req, async () => {
      const [answer] = await this.client('addresses').testIamPermissions(
        { project: this.project, region, resource: name, testPermissionsRequestResource: { permissions: [...permissions] } },
        NO_GAX_RETRY,
      );
      return answer.permissions ?? [];
    });
  }

  addressName(region: string, name: string): string {
    return `address ${name} in region ${region} of project ${this.project}`;
  }

  getNetwork(name: string, req: CallRequest): Promise<protos.google.cloud.compute.v1.INetwork> {
    return this.call('networks.get', `network ${name} of project ${this.project}`, 'compute.networks.get', req, async () => {
      const [network] = await this.client('networks').get({ project: this.project, network: name }, NO_GAX_RETRY);
      return network;
    });
  }

  /** routes.list with a server-side filter, all pages. */
  listRoutes(filter: string, req: CallRequest): Promise<Route[]> {
    return this.call('routes.list', `the routes of project ${this.project}`, 'compute.routes.list', req, async () => {
      const [list] = await this.client('routes').list({ project: this.project, filter }, { ...NO_GAX_RETRY, autoPaginate: true });
      return list;
    });
  }

  insertRoute(route: Route, req: CallRequest): Promise<PendingOperation> {
    return this.call('routes.insert', `route ${route.name ?? ''} of project ${this.project}`, 'compute.routes.create', req, async () => {
      const [op] = await this.client('routes').insert({ project: this.project, routeResource: route }, NO_GAX_RETRY);
      return this.started(pending(op, undefined, `creating route ${route.name ?? ''}`));
    }, { target: { zone: undefined, routes: true } });
  }

  deleteRoute(name: string, req: CallRequest): Promise<PendingOperation> {
    return this.call('routes.delete', `route ${name} of project ${this.project}`, 'compute.routes.delete', req, async () => {
      const [op] = await this.client('routes').delete({ project: this.project, route: name }, NO_GAX_RETRY);
      return this.started(pending(op, undefined, `deleting route ${name}`));
    }, { target: { zone: undefined, routes: true } });
  }

  private started(op: PendingOperation): PendingOperation {
    this.inflight.set(`${op.zone ?? 'global'}/${op.name}`, op);
    return op;
  }

  /** Unfinished operations on an instance (zoneOperations.list) or on routes (globalOperations.list). */
  unfinishedOperations(t: UnsureTarget, req: CallRequest): Promise<PendingOperation[]> {
    if (t.zone !== undefined) {
      return this.call('zoneOperations.list', `the operations in zone ${t.zone} of project ${this.project}`, 'compute.zoneOperations.list', req, async () => {
        const [ops] = await this.client('zoneOps').list({ project: this.project, zone: t.zone, filter: 'status != DONE' }, { ...NO_GAX_RETRY, autoPaginate: true });
        return ops.filter((op) => (op.targetLink ?? '').endsWith(`/zones/${t.zone}/instances/${t.instance}`) && op.name).map((op) => ({ name: op.name ?? '', zone: t.zone, what: `${String(op.operationType)} on ${t.instance}` }));
      });
    }
    return this.call('globalOperations.list', `the global operations of project ${this.project}`, 'compute.globalOperations.list', req, async () => {
      const [ops] = await this.client('globalOps').list({ project: this.project, filter: 'status != DONE' }, { ...NO_GAX_RETRY, autoPaginate: true });
      return ops.filter((op) => /\/global\/routes\/vipd-/.test(op.targetLink ?? '') && op.name).map((op) => ({ name: op.name ?? '', zone: undefined, what: `${String(op.operationType)} ${op.targetLink ?? ''}` }));
    });
  }

  /** One poll of an operation (zoneOperations.get or globalOperations.get). */
  getOperation(op: PendingOperation, req: CallRequest): Promise<Operation> {
    const where = op.zone !== undefined ? `zone ${op.zone} of project ${this.project}` : `project ${this.project}`;
    const permission = op.zone !== undefined ? 'compute.zoneOperations.get' : 'compute.globalOperations.get';
    const action = op.zone !== undefined ? 'zoneOperations.get' : 'globalOperations.get';
    return this.call(action, `operation ${op.name} (${op.what}) in ${where}`, permission, req, async () => {
      const [answer] = op.zone !== undefined
        ? await this.client('zoneOps').get({ project: this.project, zone: op.zone, operation: op.name }, NO_GAX_RETRY)
        : await this.client('globalOps').get({ project: this.project, operation: op.name }, NO_GAX_RETRY);
      if (String(answer.status) === 'DONE') this.inflight.delete(`${op.zone ?? 'global'}/${op.name}`);
      return answer;
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    // Bounded: every attempt is aborted at its timeout, which ends its HTTP request.
    const { clock } = this.options.ctx;
    const policy = this.options.ctx.policy ?? DEFAULT_CALL_POLICY;
    let cancel: (() => void) | undefined;
    const waited = new Promise<void>((resolve) => (cancel = clock.schedule(clock.now() + policy.attemptTimeoutMs + CLOSE_SLACK_MS, resolve)));
    await Promise.race([Promise.allSettled([...this.running]), waited]);
    cancel?.();
    await Promise.allSettled([this.instances, ...Object.values(this.built)].map((c: { close(): Promise<void> }) => c.close()));
  }
}

/**
 * Client options for a Compute API root. `apiEndpoint` is the host only: the client's own `port`
 * (default 443) wins over a port in it, so the port is passed apart; `protocol` reaches gax's
 * REST stub. With no endpoint the library's default (compute.googleapis.com:443, https) is used.
 */
export function computeClientOptions(endpoint: string | undefined, authClient: MetadataCompute): ClientOptions {
  const base: ClientOptions = { fallback: true, authClient };
  if (endpoint === undefined) return base;
  const url = new URL(endpoint);
  const https = url.protocol === 'https:';
  return { ...base, apiEndpoint: url.hostname.replace(/^\[|\]$/g, ''), port: url.port ? Number(url.port) : https ? 443 : 80, protocol: https ? 'https' : 'http' };
}

/** The mutation's Operation: the generated clients resolve to an LRO wrapper whose latestResponse is it. */
function pending(wrapper: unknown, zone: string | undefined, what: string): PendingOperation {
  const op = (wrapper as { latestResponse?: Operation } | undefined)?.latestResponse;
  if (!op?.name) throw new Error(`the API answered ${what} without an operation`);
  return { name: op.name, zone, what };
}

/**
 * Runs one request with the attempt's signal: the transport interceptor aborts the HTTP request
 * with it (auth.ts), and the promise rejects at once on abort even if the library does not.
 */
function withSignal<T>(scope: AttemptScope, request: () => Promise<T>): Promise<T> {
  const { signal } = scope;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    if (signal.aborted) return onAbort();
    signal.addEventListener('abort', onAbort, { once: true });
    attemptScope.run(scope, request).then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(err instanceof Error ? err : new Error(String(err)));
      },
    );
  });
}
