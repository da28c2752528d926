/**
 * One EC2 session per provider: the SDK client (retries off, keep-alive, timeouts), this
 * node's identity (region, instance, ENI, account), and `send`, the only way the provider
 * reaches EC2: every request goes through cloudCall (providers/common/cloud-call.ts) with the
 * AWS classifier (classify.ts) and is named by an action of actions.ts.
 *
 * Everything a takeover needs is resolved before it (issue 9, "A fast path"): validate() calls
 * ready(), which discovers the identity through IMDSv2 (unless configured), resolves the
 * credentials, and makes a Describe request on the kept-alive connection; a takeover then
 * pays no metadata round trip, DNS lookup or TLS handshake.
 */
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import type { AwsCredentialIdentity, AwsCredentialIdentityProvider } from '@aws-sdk/types';
import type { EC2Client } from '@aws-sdk/client-ec2';
import { ProviderError } from '../../src/ports/vip-provider.js';
import { cloudCall, DEFAULT_CALL_POLICY, type CallContext, type CallPolicy, type CallRequest } from '../common/cloud-call.js';
import type { ProviderDeps } from '../common/plugin.js';
import type { ArnScope, Ec2Action } from './actions.js';
import { classifyAws, errorCode } from './classify.js';
import { DEFAULT_IMDS_ENDPOINT, ImdsClient } from './imds.js';
import type { AwsOptions } from './options.js';
import { ec2, httpHandlerModule, loadSdk } from './sdk.js';

/** Who this node is in EC2. */
export interface Identity {
  readonly region: string;
  readonly eniId: string;
  readonly instanceId: string | undefined;
  /** Owner of the ENI, from DescribeNetworkInterfaces (for ARNs in hints). */
  readonly account: string | undefined;
  /** The ENI's primary private address, from DescribeNetworkInterfaces. */
  readonly primaryIp?: string | undefined;
  /** Where region and ENI came from, for `vipd check`. */
  readonly source: string;
}

/** Seams for tests and the bench (never set by the configuration). */
export interface AwsComponents {
  /** Instead of the SDK's default chain (env, profile, IMDS role). */
  readonly credentials?: AwsCredentialIdentityProvider;
  /** Wall clock for fence records (default Date.now). */
  readonly wallClock?: () => number;
  readonly callPolicy?: Partial<CallPolicy>;
  readonly random?: () => number;
  /** Called right before each request is handed to the SDK (the bench measures decision → request). */
  readonly onSend?: (action: Ec2Action) => void;
}

const IMDS_TIMEOUT_MS = 1_000;
/** IMDS is on the instance's own link: a few seconds of retries cover a restart of it, not more. */
const IMDS_DEADLINE_MS = 3_000;
/** Sockets kept per client: a takeover sends a handful of requests at most, one at a time. */
const MAX_SOCKETS = 8;

export class Ec2Session {
  private identityP: Promise<Identity> | undefined;
  private known: Identity | undefined;
  private ec2: EC2Client | undefined;
  private credentialText: string | undefined;
  private readonly agents = { http: new HttpAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }), https: new HttpsAgent({ keepAlive: true, maxSockets: MAX_SOCKETS }) };
  private readonly imds: ImdsClient;
  private readonly policy: CallPolicy;

  constructor(
    readonly options: AwsOptions,
    readonly group: string,
    readonly kind: string,
    readonly deps: ProviderDeps,
    readonly components: AwsComponents = {},
  ) {
    this.imds = new ImdsClient(options.imdsEndpoint ?? deps.env.AWS_EC2_METADATA_SERVICE_ENDPOINT ?? DEFAULT_IMDS_ENDPOINT, Math.min(IMDS_TIMEOUT_MS, options.requestTimeoutMs));
    this.policy = { ...DEFAULT_CALL_POLICY, attemptTimeoutMs: options.requestTimeoutMs, ...components.callPolicy };
  }

  /** The identity once ready() has succeeded. */
  get identity(): Identity | undefined {
    return this.known;
  }

  get scope(): ArnScope {
    return { region: this.known?.region ?? this.options.region ?? this.deps.env.AWS_REGION ?? 'REGION', account: this.known?.account };
  }

  /** Discovers the identity once (again after a failure), with the client it needs. */
  ready(req: CallRequest): Promise<Identity> {
    this.identityP ??= this.discover(req).then(
      (id) => (this.known = id),
      (err: unknown) => {
        this.identityP = undefined;
        throw err;
      },
    );
    return this.identityP;
  }

  /** The SDK client; ready() creates it. */
  get client(): EC2Client {
    if (!this.ec2) throw new Error('Ec2Session.client before ready()');
    return this.ec2;
  }

  /** One EC2 request through cloudCall. `resources` are the ids it names (for hints). */
  send<T>(action: Ec2Action, subject: string, resources: readonly string[], req: CallRequest, attempt: (client: EC2Client, signal: AbortSignal) => Promise<T>): Promise<T> {
    const client = this.client;
    return cloudCall(this.callContext(action, resources), action, subject, req, (signal) => {
      this.components.onSend?.(action);
      return attempt(client, signal);
    });
  }

  /** Resolves the credentials now (preflight, warm-up); rejects with a ProviderError class auth. */
  async resolveCredentials(signal: AbortSignal): Promise<string> {
    const client = this.client;
    try {
      const creds = await raceAbort(client.config.credentials(), signal);
      this.credentialText = describeCredentials(creds);
      return this.credentialText;
    } catch (err) {
      if (signal.aborted) throw err;
      const c = classifyAws(err, { action: 'DescribeNetworkInterfaces', resources: [], scope: this.scope });
      throw new ProviderError('resolving', 'AWS credentials', 'auth', { cause: err, detail: c.detail, hint: c.hint ?? 'set AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or AWS_PROFILE, or attach an instance role' });
    }
  }

  close(): void {
    this.ec2?.destroy();
    this.agents.http.destroy();
    this.agents.https.destroy();
  }

  /** The cloudCall context of one action (also for `fenced()` refusals, which count against it). */
  callContext(action: Ec2Action | 'IMDS', resources: readonly string[]): CallContext {
    return {
      group: this.group,
      provider: this.kind,
      clock: this.deps.clock,
      metrics: this.deps.metrics,
      logger: this.deps.logger,
      policy: this.policy,
      ...(this.components.random ? { random: this.components.random } : {}),
      classify: (err) => classifyAws(err, { action, resources, scope: this.scope, ...(this.credentialText ? { credentials: this.credentialText } : {}) }),
    };
  }

  private async discover(req: CallRequest): Promise<Identity> {
    const o = this.options;
    const fromEnv = this.deps.env.AWS_REGION;
    const needImds = (o.region === undefined && !fromEnv) || o.eniId === undefined;
    let region = o.region ?? fromEnv;
    let eniId = o.eniId;
    let instanceId = o.instanceId;
    const sources: string[] = [o.region ? 'region from the configuration' : fromEnv ? 'region from AWS_REGION' : 'region from IMDS'];
    if (needImds) {
      const imdsContext = { ...this.callContext('IMDS', []), policy: { ...this.policy, attemptTimeoutMs: IMDS_TIMEOUT_MS, deadlineMs: IMDS_DEADLINE_MS } };
      const get = (path: string) => cloudCall(imdsContext, 'IMDS', `${this.imds.endpoint}/latest/meta-data/${path}`, req, (signal) => this.imds.get(path, signal))
        .catch((err: unknown) => {
          throw new ProviderError('discovering', `this instance through IMDSv2 at ${this.imds.endpoint}`, err instanceof ProviderError && err.errorClass === 'fenced' ? 'fenced' : 'transient', {
            cause: err,
            detail: (err as Error).message,
            hint: 'not on EC2, or IMDS unreachable (hop limit, http-tokens): set region, eni_id and instance_id in the provider configuration, or imds_endpoint / AWS_EC2_METADATA_SERVICE_ENDPOINT',
          });
        });
      instanceId ??= await get('instance-id');
      region ??= await get('placement/region');
      if (eniId === undefined) {
        const mac = await get('mac');
        eniId = await get(`network/interfaces/macs/${mac}/interface-id`);
        sources.push(`ENI of MAC ${mac} from IMDS`);
      }
    }
    if (o.eniId) sources.push('ENI from the configuration');
    if (!region || !eniId) throw new ProviderError('discovering', 'this instance', 'invalid', { detail: 'no region or ENI' });
    await loadSdk();
    const { NodeHttpHandler } = httpHandlerModule();
    this.ec2 = new (ec2().EC2Client)({
      region,
      maxAttempts: 1, // cloudCall is the one retry loop (docs/providers.md)
      ...(o.endpoint ? { endpoint: o.endpoint } : {}),
      ...(this.components.credentials ? { credentials: this.components.credentials } : {}),
      requestHandler: new NodeHttpHandler({
        httpAgent: this.agents.http,
        httpsAgent: this.agents.https,
        connectionTimeout: Math.min(o.requestTimeoutMs, 2_000),
        requestTimeout: o.requestTimeoutMs,
        // Without it requestTimeout only logs a warning and a hung endpoint waits forever.
        throwOnRequestTimeout: true,
      }),
    });
    const identity = { region, eniId, instanceId, account: undefined as string | undefined, source: sources.join(', ') };
    this.known = identity;
    return identity;
  }

  /**
   * Describes this node's ENI: it must exist in the region (a wrong region shows here first),
   * its owner is the account for ARNs, and the request opens the kept-alive connection.
   */
  async describeOwnEni(req: CallRequest): Promise<void> {
    const id = await this.ready(req);
    const out = await this.send('DescribeNetworkInterfaces', id.eniId, [id.eniId], req, (c, signal) =>
      c.send(new (ec2().DescribeNetworkInterfacesCommand)({ NetworkInterfaceIds: [id.eniId] }), { abortSignal: signal }),
    ).catch((err: unknown) => {
      if (err instanceof ProviderError && err.errorClass === 'not-found') {
        throw new ProviderError('DescribeNetworkInterfaces', id.eniId, 'not-found', {
          cause: err,
          detail: `this node's interface ${id.eniId} does not exist in region ${id.region} (${id.source})`,
          hint: 'set region / AWS_REGION to the instance\'s region, or fix eni_id',
        });
      }
      throw err;
    });
    const eni = out.NetworkInterfaces?.[0];
    this.known = { ...id, account: eni?.OwnerId, primaryIp: eni?.PrivateIpAddress, instanceId: id.instanceId ?? eni?.Attachment?.InstanceId };
  }
}

function describeCredentials(c: AwsCredentialIdentity & { $source?: Record<string, string> }): string {
  const keys = Object.keys(c.$source ?? {});
  const from = keys.includes('CREDENTIALS_ENV_VARS') ? 'environment variables'
    : keys.some((k) => k.startsWith('CREDENTIALS_PROFILE')) ? `profile ${process.env.AWS_PROFILE ?? 'default'}`
      : keys.includes('CREDENTIALS_IMDS') ? 'the instance role (IMDS)'
        : keys.some((k) => k.includes('WEB_ID')) ? 'web identity'
          : keys.some((k) => k.includes('SSO')) ? 'SSO'
            : keys.includes('CREDENTIALS_PROCESS') ? 'credential_process' : 'the default chain';
  return `access key ${c.accessKeyId} from ${from}`;
}

function raceAbort<T>(p: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason as Error);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    p.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

export { errorCode };
