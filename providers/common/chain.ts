/**
 * A group with several providers (`providers:` in the file, docs/configuration.md): one
 * VipProvider that runs them as one. Acquire goes in the listed order (move an Elastic IP, then
 * replace a route to it) and release in reverse, like a stack of resources (ClusterLabs groups
 * start in order and stop in reverse). The chain holds the VIP only when every member does.
 */
import { ProviderError, type ProviderRequest, type StatusReport, type VipProvider } from '../../src/ports/vip-provider.js';

export class ChainProvider implements VipProvider {
  readonly kind: string;
  /** One member with a single holder makes the whole chain break-before-make (docs/leases.md, "Handoff"). */
  readonly singleHolder: boolean;

  constructor(private readonly members: readonly VipProvider[]) {
    if (members.length === 0) throw new ProviderError('configuring', 'a provider chain', 'invalid', { detail: 'no providers' });
    this.kind = members.map((m) => m.kind).join('+');
    this.singleHolder = members.some((m) => m.singleHolder === true);
  }

  /** All of them, side by side (each warms its own connection); the first failure in list order is thrown. */
  async validate(signal: AbortSignal): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.validate(signal)));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }

  /** held iff every member is held; unknown if any is unknown (then nobody can say), else not-held. */
  async status(signal: AbortSignal): Promise<StatusReport> {
    const reports = await Promise.all(this.members.map((m) => m.status(signal)));
    const status = reports.some((r) => r.status === 'unknown') ? 'unknown' : reports.every((r) => r.status === 'held') ? 'held' : 'not-held';
    const detail = reports.map((r, i) => `${this.members[i]?.kind}: ${r.status}${r.detail ? ` (${r.detail})` : ''}`).join('; ');
    const holder = reports.find((r) => r.holder !== undefined)?.holder;
    return holder === undefined ? { status, detail } : { status, detail, holder };
  }

  /**
   * In order; a failure stops the chain there and is thrown. The members before it stay
   * acquired: status() then says not-held, and the driver's retry of acquire (idempotent)
   * carries on from where it stopped. No member is acquired for a superseded decision.
   */
  async acquire(req: ProviderRequest): Promise<void> {
    for (const member of this.members) {
      req.signal.throwIfAborted();
      await member.acquire(req);
    }
  }

  /**
   * In reverse order, and every member even when one fails: releasing as much as possible is
   * what keeps the VIP from being answered by two nodes. The first failure is thrown afterwards.
   */
  async release(req: ProviderRequest): Promise<void> {
    let failure: { error: unknown } | undefined;
    for (const member of [...this.members].reverse()) {
      try {
        await member.release(req);
      } catch (error) {
        failure ??= { error };
      }
    }
    if (failure) throw failure.error;
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled(this.members.map((m) => m.close?.()));
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
