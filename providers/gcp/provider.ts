/**
 * GcpProvider: one VipProvider for the three modes. It discovers who this instance is (the
 * metadata server, with the config's overrides), keeps a token and a warm connection, runs the
 * preflight, and serialises acquire/release so calls issued back to back take effect in order.
 * The modes (alias-ip.ts, external-ip.ts, route.ts) do the moving. README.md beside this file.
 */
import type { ProviderRequest, StatusReport, VipProvider } from '../../src/ports/vip-provider.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import { cloudCall, DEFAULT_CALL_POLICY, type CallContext, type CallRequest } from '../common/cloud-call.js';
import type { ProviderDeps, ProviderGroup } from '../common/plugin.js';
import { AliasIpMode } from './alias-ip.js';
import { attemptScope, MetadataCompute, TokenKeeper } from './auth.js';
import { classifyError, permissionHint } from './classify.js';
import { ComputeApi, type ClientName } from './compute.js';
import { memberRef, regionOf, type Identity, type ModeContext } from './context.js';
import { ExternalIpMode } from './external-ip.js';
import { MetadataClient, metadataBase } from './metadata.js';
import { settleOperations } from './operations.js';
import type { GcpMode } from './mode.js';
import { GCP_PERMISSIONS, ROLE_FILE } from './permissions.js';
import { RouteMode } from './route.js';
import type { GcpOptions } from './schema.js';

/** What tests may replace. */
export interface GcpProviderHooks {
  /** Wall clock for fence records (default Date.now). */
  readonly wallNow?: () => number;
}

/** The Compute clients each mode uses (built at discovery, so a takeover builds none). */
const CLIENTS: Readonly<Record<GcpOptions['mode'], readonly ClientName[]>> = {
  'alias-ip': ['zoneOps'],
  'external-ip': ['addresses', 'zoneOps'],
  route: ['routes', 'networks', 'zoneOps', 'globalOps'],
};

interface Ready {
  readonly mode: GcpMode;
  readonly context: ModeContext;
}

export class GcpProvider implements VipProvider {
  readonly kind: string;
  /** A cloud address or route has one holder at a time: a handoff is break-before-make (docs/leases.md). */
  readonly singleHolder = true;
  private readonly metadata: MetadataClient;
  private readonly auth: MetadataCompute;
  private readonly keeper: TokenKeeper;
  private readonly callCtx: Omit<CallContext, 'classify'>;
  private ready: Promise<Ready> | undefined;
  private api: ComputeApi | undefined;
  /** acquire/release in call order (conformance: "calls issued back to back take effect in order"). */
  private queue: Promise<void> = Promise.resolve();
  private closed = false;

  constructor(
    private readonly options: GcpOptions,
    private readonly group: ProviderGroup,
    private readonly deps: ProviderDeps,
    private readonly hooks: GcpProviderHooks = {},
  ) {
    this.kind = `gcp:${options.mode}`;
    this.metadata = new MetadataClient(metadataBase(options.metadataHost, deps.env), options.requestTimeoutMs);
    this.auth = new MetadataCompute(this.metadata, options.requestTimeoutMs);
    this.keeper = new TokenKeeper(this.auth, deps.clock, deps.logger);
    this.callCtx = {
      group: group.name,
      provider: this.kind,
      clock: deps.clock,
      metrics: deps.metrics,
      logger: deps.logger,
      policy: { ...DEFAULT_CALL_POLICY, attemptTimeoutMs: options.requestTimeoutMs },
    };
  }

  /**
   * Preflight and warm-up: identity, a token (kept fresh from now on), every named resource,
   * every permission the mode uses. Afterwards a takeover's first request goes out on the open
   * connection with a cached token.
   */
  async validate(signal: AbortSignal): Promise<void> {
    const { mode, context } = await this.prepare(signal);
    const req = { signal };
    await this.keeperStarted(signal);
    await mode.preflight(req);
    await this.checkPermissions(context, req);
  }

  async status(signal: AbortSignal): Promise<StatusReport> {
    try {
      const { mode } = await this.prepare(signal);
      return await mode.status({ signal });
    } catch (err) {
      return { status: 'unknown', detail: err instanceof Error ? err.message : String(err) };
    }
  }

  acquire(req: ProviderRequest): Promise<void> {
    return this.serialised(async () => {
      const { mode, context } = await this.prepare(req.signal);
      await settleOperations(context.api, context.clock, req);
      await mode.acquire(req);
    });
  }

  release(req: ProviderRequest): Promise<void> {
    return this.serialised(async () => {
      const { mode, context } = await this.prepare(req.signal);
      await settleOperations(context.api, context.clock, req);
      await mode.release(req);
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.keeper.close();
    await this.api?.close();
  }

  private serialised(fn: () => Promise<void>): Promise<void> {
    const run = this.queue.then(fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async keeperStarted(signal: AbortSignal): Promise<void> {
    await this.step('metadata.token', `the access token from the metadata server ${this.metadata.base}`, 'compute.instances.get', { signal }, () => this.keeper.start());
  }

  /** Identity and mode, once; a failure is not kept (the next call tries again). */
  private prepare(signal: AbortSignal): Promise<Ready> {
    if (this.closed) return Promise.reject(new ProviderError('using', this.kind, 'invalid', { detail: 'the provider is closed' }));
    if (!this.ready) {
      this.ready = this.discover(signal);
      this.ready.catch(() => {
        this.ready = undefined;
      });
    }
    return this.ready;
  }

  private async discover(signal: AbortSignal): Promise<Ready> {
    const o = this.options;
    const needMetadata = o.project === undefined || o.zone === undefined || o.instance === undefined;
    const found = await this.step('metadata.identity', `this instance's identity from the metadata server ${this.metadata.base}`, 'compute.instances.get', { signal }, async (attempt) => {
      if (needMetadata) return this.metadata.identity(attempt);
      const serviceAccount = await this.metadata.get('instance/service-accounts/default/email', attempt).catch(() => undefined);
      return { project: o.project ?? '', zone: o.zone ?? '', instance: o.instance ?? '', instanceId: '', serviceAccount };
    });
    const identity: Identity = {
      project: o.project ?? found.project,
      zone: o.zone ?? found.zone,
      region: regionOf(o.zone ?? found.zone),
      instance: o.instance ?? found.instance,
      serviceAccount: found.serviceAccount,
    };
    const api = new ComputeApi({ project: identity.project, endpoint: o.endpoint, auth: this.auth, ctx: this.callCtx, principal: () => identity.serviceAccount }, CLIENTS[o.mode]);
    this.api = api;
    const context: ModeContext = {
      api,
      identity,
      self: { zone: identity.zone, name: identity.instance },
      nic: o.networkInterface,
      group: this.group,
      nodeId: this.deps.nodeId,
      clock: this.deps.clock,
      wallNow: this.hooks.wallNow ?? Date.now,
      logger: this.deps.logger,
      callCtx: this.callCtx,
      members: o.instances.map((text) => memberRef(text, identity.zone)),
    };
    const mode = o.mode === 'alias-ip' ? new AliasIpMode(context, o) : o.mode === 'external-ip' ? new ExternalIpMode(context, o) : new RouteMode(context, o);
    this.deps.logger.info({ project: identity.project, zone: identity.zone, instance: identity.instance }, `${this.kind}: ${mode.describe()}`);
    return { mode, context };
  }

  /**
   * testIamPermissions for the mode's permissions on the resources they apply to; every one
   * missing is named in one error (class auth) with the role file and the principal.
   */
  private async checkPermissions(m: ModeContext, req: CallRequest): Promise<void> {
    const uses = GCP_PERMISSIONS[this.options.mode];
    /** permission → the resources it is missing on */
    const missing = new Map<string, string[]>();
    const note = (permission: string, resource: string): void => void missing.set(permission, [...(missing.get(permission) ?? []), resource]);
    const onInstance = uses.filter((u) => u.scope === 'instance').map((u) => u.permission);
    for (const ref of [m.self, ...m.members]) {
      const granted = new Set(await m.api.testInstancePermissions(ref, onInstance, req));
      for (const p of onInstance) if (!granted.has(p)) note(p, m.api.instanceName(ref));
    }
    if (this.options.mode === 'external-ip') {
      const onAddress = uses.filter((u) => u.scope === 'address').map((u) => u.permission);
      const granted = new Set(await m.api.testAddressPermissions(m.identity.region, this.options.address, onAddress, req));
      for (const p of onAddress) if (!granted.has(p)) note(p, m.api.addressName(m.identity.region, this.options.address));
    }
    if (missing.size === 0) return;
    const who = m.identity.serviceAccount ?? 'the instance\'s service account';
    const names = [...missing.keys()];
    throw new ProviderError('checking permissions for', this.kind, 'auth', {
      detail: `missing ${[...missing].map(([p, on]) => `${p} on ${on.join(' and ')}`).join('; ')}`,
      hint: names.length === 1 ? permissionHint(names[0] ?? '', (missing.get(names[0] ?? '') ?? []).join(' and '), who) : `grant ${names.join(', ')} (${ROLE_FILE}) to ${who}`,
    });
  }

  /**
   * A request outside the Compute API (metadata, token), through cloudCall like every request:
   * timed, counted, retried when transient, with the metadata hints.
   */
  private step<T>(operation: string, subject: string, permission: string, req: CallRequest, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const ctx: CallContext = { ...this.callCtx, classify: (err) => classifyError(err, { permission, resource: subject }) };
    return cloudCall(ctx, operation, subject, req, (signal) => attemptScope.run({ signal }, () => fn(signal)));
  }
}
