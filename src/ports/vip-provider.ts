/**
 * Carries out "this node now holds the VIP" (local bind + gratuitous ARP, a cloud address move).
 * Providers act; they never decide (metallb keeps announcing apart from deciding).
 * Every operation is idempotent (ClusterLabs resource agents): acquire first checks whether it
 * already holds the VIP, and takes it from whoever holds it; release of something not held
 * succeeds. docs/providers.md describes the contract and each provider.
 */
export type VipStatus = 'held' | 'not-held' | 'unknown';

/** What status() found: the verdict, and for people (logs, `vipd check`) what it saw. */
export interface StatusReport {
  readonly status: VipStatus;
  /** e.g. "eipalloc-1 is associated with eni-2 (i-3)", or why the status is unknown. */
  readonly detail?: string;
  /** Who holds the resource, when the provider can tell (an instance, an interface). */
  readonly holder?: string;
}

export interface ProviderRequest {
  /** Election term of the decision (src/core/election/terms.ts). */
  readonly term: number;
  readonly reason: string;
  /** Aborted when the decision is superseded or the agent stops. */
  readonly signal: AbortSignal;
  /**
   * Whether the term is ordered across the cluster (unicast groups: a node adopts the highest
   * term it hears, and leases keep one master per term). Then a cloud provider records the
   * term on the resource and refuses to take it from a holder with a higher, fresh term
   * (providers/common/fence.ts). VRRP groups count terms per node: never fenced across nodes.
   * Absent means false.
   */
  readonly fenced?: boolean;
  /**
   * True while this call's decision is still the latest one for the group. A provider asks
   * right before it sends each request (providers/common/cloud-call.ts) and sends nothing for
   * a decision that is no longer current: it rejects with ProviderError class 'fenced'.
   * Absent means always current.
   */
  readonly isCurrent?: () => boolean;
}

export interface VipProvider {
  /** Provider type and mode, e.g. "noop", "local", "aws:eip", "gcp:alias-ip". */
  readonly kind: string;
  /**
   * True when the resource cannot have two holders at once (a cloud address association or
   * route): a handoff then releases before the successor acquires (break-before-make). Absent
   * or false: two nodes may hold briefly, and a handoff is make-before-break (the local
   * provider: the successor binds and announces, then the old master unbinds). docs/leases.md,
   * "Handoff".
   */
  readonly singleHolder?: boolean;
  /**
   * Preflight: configuration, credentials, that every named resource exists, and permission
   * for every action the provider will use (EC2 DryRun, GCP testIamPermissions). Rejects with
   * a ProviderError whose hint says what to grant or set. Also warms what a takeover needs
   * (credentials, identity, a kept-alive connection) so the first request leaves at once.
   */
  validate(signal: AbortSignal): Promise<void>;
  /** Whether this node holds the VIP now. May block on I/O; never throws ("unknown" + detail). */
  status(signal: AbortSignal): Promise<StatusReport>;
  /** Makes this node hold the VIP, taking it from any other holder. Idempotent. Rejects with ProviderError. */
  acquire(req: ProviderRequest): Promise<void>;
  /** Makes this node not hold the VIP. Idempotent; "nothing to release" is success. Never takes from another holder. */
  release(req: ProviderRequest): Promise<void>;
  /** Frees sockets and timers when the agent stops. Optional; idempotent. */
  close?(): Promise<void>;
}

/**
 * Why a provider call failed, which decides what the caller does next:
 * - throttled: the API asked us to slow down (EC2 RequestLimitExceeded, GCP 429): retry with backoff;
 * - transient: a 5xx, a timeout, a reset: retry with backoff;
 * - auth: credentials missing or refused, or a permission missing: fix from outside, retry slowly;
 * - not-found: a named resource does not exist (wrong id, wrong region): fix the config;
 * - invalid: the request or the configuration is wrong: fix the config;
 * - fenced: not sent, because the decision is no longer current or a higher term holds the
 *   resource (counted as vipd_provider_fenced_total): never retried for this decision.
 */
export type ErrorClass = 'throttled' | 'transient' | 'auth' | 'not-found' | 'invalid' | 'fenced';

export const ERROR_CLASSES: readonly ErrorClass[] = ['throttled', 'transient', 'auth', 'not-found', 'invalid', 'fenced'];

/** Whether retrying the same call soon can help. */
export function isRetryable(c: ErrorClass): boolean {
  return c === 'throttled' || c === 'transient';
}

export interface ProviderErrorOptions {
  readonly cause?: unknown;
  readonly detail?: string;
  /** What to do about it: the permission to grant, the setting to fix. */
  readonly hint?: string;
}

/** Error from a provider: what it was doing, to what, why, whether a retry can help, and how to fix it. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  readonly errorClass: ErrorClass;
  readonly hint: string | undefined;
  constructor(
    readonly operation: string,
    readonly subject: string,
    /** The error class; a boolean is the older form (true: transient, false: invalid). */
    errorClass: ErrorClass | boolean,
    options?: ProviderErrorOptions,
  ) {
    super(
      `${operation} ${subject}${options?.detail ? `: ${options.detail}` : ''}${options?.hint ? ` (${options.hint})` : ''}`,
      options?.cause === undefined ? undefined : { cause: options.cause },
    );
    this.errorClass = typeof errorClass === 'boolean' ? (errorClass ? 'transient' : 'invalid') : errorClass;
    this.hint = options?.hint;
  }

  get retryable(): boolean {
    return isRetryable(this.errorClass);
  }
}
