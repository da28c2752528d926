/**
 * The simulator's VipProvider and the world's record of who holds the VIP (issue 8 finding 12).
 *
 * A HostRecord is the host's own state ("the VIP is bound here"), kept by the simulated world,
 * not by the node: it outlives a crash, so a node restarted on the same host finds a stale VIP
 * exactly as vipd finds a stale address after SIGKILL. The invariant checker reads the records.
 *
 * SimProvider carries out calls on its host's record the way a real provider does: it first
 * looks (a round trip), then changes the record, then confirms (another round trip), each part
 * taking virtual time on the node's own clock. An acquire can fail (retryably) before or after
 * the change; an abort before the change leaves the record alone, and so does a call whose
 * decision is no longer current (ProviderRequest.isCurrent, asked before the look and before the
 * change, as providers/common/cloud-call.ts asks before each request). The total latency of a call is
 * bounded by `maxLatencyMs`, which is the bound R of docs/leases.md for this provider. Releases
 * do not fail here: the lease proof assumes a release completes within R, and a release that
 * fails leaves the VIP bound however long it takes (only fencing by term, as cloud providers
 * can, covers that).
 */
import type { Clock } from '../../src/ports/clock.js';
import { ProviderError, type ProviderRequest, type VipProvider, type StatusReport } from '../../src/ports/vip-provider.js';
import type { Rng } from './rng.js';

export interface RecordChange {
  readonly at: number;
  readonly held: boolean;
  readonly term: number;
}

export class HostRecord {
  private isHeld = false;
  readonly changes: RecordChange[] = [];
  /** status() reads of this record (the reconcile loop's), across the host's processes. */
  reads = 0;

  /** `now` is the world's (real) time, not the node's drifting view. */
  constructor(
    readonly host: string,
    private readonly now: () => number,
  ) {}

  get held(): boolean {
    return this.isHeld;
  }

  set(held: boolean, term: number): void {
    if (held === this.isHeld) return;
    this.isHeld = held;
    this.changes.push({ at: this.now(), held, term });
  }
}

export interface SimProviderOptions {
  /** The node's clock (drifting, stalled with the node): a stalled process makes no progress. */
  readonly clock: Clock;
  readonly rng: Rng;
  /** Bound on one call, ms (both round trips together). */
  readonly maxLatencyMs: number;
  /** Probability that an acquire fails (half of failures happen after the change took effect). */
  readonly failure: number;
}

export interface SimCall {
  readonly op: 'acquire' | 'release';
  readonly term: number;
  readonly at: number;
}

export class SimProvider implements VipProvider {
  readonly kind = 'sim';
  /** Every call, when it was issued (node clock). */
  readonly calls: SimCall[] = [];
  /** Calls (or their change) not carried out because their decision was no longer current. */
  refused = 0;

  constructor(
    readonly record: HostRecord,
    private readonly opts: SimProviderOptions,
  ) {}

  async validate(): Promise<void> {}

  async status(signal: AbortSignal): Promise<StatusReport> {
    await this.roundTrip(signal);
    this.record.reads += 1;
    return { status: this.record.held ? 'held' : 'not-held' };
  }

  acquire(req: ProviderRequest): Promise<void> {
    return this.change('acquire', true, req);
  }

  release(req: ProviderRequest): Promise<void> {
    return this.change('release', false, req);
  }

  private async change(op: 'acquire' | 'release', held: boolean, req: ProviderRequest): Promise<void> {
    const { rng, failure } = this.opts;
    this.calls.push({ op, term: req.term, at: this.opts.clock.now() });
    // As cloudCall does before each request: a decision no longer current sends nothing.
    this.refuseIfStale(op, req);
    const fails = held && failure > 0 && rng.chance(failure);
    const failsAfterChange = fails && rng.chance(0.5);
    await this.roundTrip(req.signal);
    if (fails && !failsAfterChange) throw new ProviderError(op, `sim VIP on ${this.record.host}`, true, { detail: 'simulated failure before the change' });
    this.refuseIfStale(op, req);
    this.record.set(held, req.term);
    await this.roundTrip(req.signal);
    if (failsAfterChange) throw new ProviderError(op, `sim VIP on ${this.record.host}`, true, { detail: 'simulated failure after the change' });
  }

  private refuseIfStale(op: 'acquire' | 'release', req: ProviderRequest): void {
    if (!req.isCurrent || req.isCurrent()) return;
    this.refused += 1;
    throw new ProviderError(op, `sim VIP on ${this.record.host}`, 'fenced', { detail: 'not sent: a newer decision replaced this one' });
  }

  /** Half a call's latency budget at most, on the node's clock; rejects when aborted. */
  private roundTrip(signal: AbortSignal): Promise<void> {
    const { clock, rng, maxLatencyMs } = this.opts;
    const ms = rng.next() * (maxLatencyMs / 2);
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason as Error);
      const onAbort = (): void => {
        cancel();
        reject(signal.reason as Error);
      };
      const cancel = clock.schedule(clock.now() + ms, () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      });
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
