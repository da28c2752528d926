/**
 * Carries out "this node now holds the VIP" (local bind + gratuitous ARP, a cloud address move).
 * Providers act; they never decide (metallb keeps announcing apart from deciding).
 * Every operation is idempotent (ClusterLabs resource agents): acquire first checks whether it
 * already holds the VIP; release of something not held succeeds.
 */
export type VipStatus = 'held' | 'not-held' | 'unknown';

export interface ProviderRequest {
  /** Election term of the decision; a provider may fence calls older than what it has applied. */
  readonly term: number;
  readonly reason: string;
  /** Aborted when the decision is superseded or the agent stops. */
  readonly signal: AbortSignal;
}

export interface VipProvider {
  /** Provider type, e.g. "noop", "local", "aws". */
  readonly kind: string;
  /** Checks configuration and permissions before the election starts; rejects with ProviderError. */
  validate(signal: AbortSignal): Promise<void>;
  /** Whether this node holds the VIP now. May block on I/O; never throws for "not held". */
  status(signal: AbortSignal): Promise<VipStatus>;
  /** Makes this node hold the VIP. Idempotent. Rejects with ProviderError. */
  acquire(req: ProviderRequest): Promise<void>;
  /** Makes this node not hold the VIP. Idempotent; "nothing to release" is success. */
  release(req: ProviderRequest): Promise<void>;
}

/** Error from a provider: what it was doing, to what, why, and whether a retry can help. */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly operation: string,
    readonly subject: string,
    readonly retryable: boolean,
    options?: { cause?: unknown; detail?: string },
  ) {
    super(`${operation} ${subject}${options?.detail ? `: ${options.detail}` : ''}`, options?.cause === undefined ? undefined : { cause: options.cause });
  }
}
