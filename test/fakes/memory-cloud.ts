/**
 * An in-memory "shared cloud" with one movable resource (think: an Elastic IP), and a cloud
 * provider for it. It exists to prove the conformance and convergence suites
 * (test/conformance/provider.ts, convergence.ts) can pass and can fail before the real cloud
 * providers exist, and to keep them honest afterwards (test/conformance/memory-cloud.test.ts).
 *
 * The resource behaves like EC2's addresses: one holder at a time; associating takes it from
 * whoever holds it (AllowReassociation) and returns a new association id; disassociating needs
 * the current association id, so a release built on a stale read cannot remove somebody else's
 * association; fence records are tags on the resource, read with it and written by a separate
 * request (no compare-and-set, as with EC2 CreateTags). Faults (FaultSpec) hit requests as the
 * strict fakes' do: throttling, 5xx, hangs, lost responses, stale reads.
 *
 * MemoryCloudProvider is a cloud provider as issue 9 asks for one: every request through
 * cloudCall (providers/common/cloud-call.ts), the fence checked before writing it
 * (providers/common/fence.ts), idempotent acquire and release. `mutant` breaks one rule on
 * purpose, so tests can show the suites catch it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { cloudCall, fenced, type CallContext, type CallPolicy, type Classified } from '../../providers/common/cloud-call.js';
import { encodeFence, fenceVerdict, FENCE_TTL_FACTOR, parseFence, type FenceRecord } from '../../providers/common/fence.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { Metrics } from '../../src/ports/metrics.js';
import type { ProviderRequest, StatusReport, VipProvider } from '../../src/ports/vip-provider.js';
import type { FaultSpec } from '../conformance/convergence.js';
import { Rng } from '../sim/rng.js';

/** What a read returns: the holder, its association, and the tags (fence records). */
export interface CloudRecord {
  readonly holder?: string;
  readonly associationId?: string;
  readonly tags: Readonly<Record<string, string>>;
}

export type CloudErrorCode = 'Throttling' | 'InternalError' | 'ConnectionReset' | 'AssociationNotFound' | 'RequestAborted';

export class MemoryCloudError extends Error {
  constructor(readonly code: CloudErrorCode, message: string) {
    super(`${code}: ${message}`);
  }
}

interface ActiveFault {
  readonly spec: FaultSpec;
  hits: number;
}

export interface MemoryCloudOptions {
  readonly seed: number;
  /** Each request takes a uniform time in [min, max] ms (default 0–5). */
  readonly latencyMs?: readonly [number, number];
}

export class MemoryCloud {
  /** Requests received (reads and mutations). */
  sent = 0;
  /** Mutating requests received. */
  mutations = 0;
  private record: CloudRecord = { tags: {} };
  /** Every state the resource was in, with the time it began (stale reads answer from here). */
  private readonly history: { at: number; record: CloudRecord }[] = [{ at: -Infinity, record: this.record }];
  private faults: ActiveFault[] = [];
  private readonly rng: Rng;
  private readonly latency: readonly [number, number];
  private associations = 0;

  constructor(o: MemoryCloudOptions) {
    this.rng = new Rng(o.seed);
    this.latency = o.latencyMs ?? [0, 5];
  }

  /** The holder now (the truth, for tests). */
  holder(): string | undefined {
    return this.record.holder;
  }

  inject(fault: FaultSpec): void {
    this.faults.push({ spec: fault, hits: 0 });
  }

  clearFaults(): void {
    this.faults = [];
  }

  /** An operator's move: associates with `node` (or disassociates), leaving the tags alone. */
  moveBehindBack(node: string | undefined): void {
    this.set(node === undefined ? { tags: this.record.tags } : this.associated(node));
  }

  describe(signal: AbortSignal): Promise<CloudRecord> {
    return this.request('read', signal, () => this.record);
  }

  /** Takes the resource for `node` from whoever holds it; resolves with the new association id. */
  associate(node: string, signal: AbortSignal): Promise<string> {
    return this.request('write', signal, () => {
      this.set(this.associated(node));
      return this.record.associationId as string;
    });
  }

  disassociate(associationId: string, signal: AbortSignal): Promise<void> {
    return this.request('write', signal, () => {
      if (this.record.associationId !== associationId) throw new MemoryCloudError('AssociationNotFound', `association ${associationId} does not exist`);
      this.set({ tags: this.record.tags });
    });
  }

  /** Sets one tag (CreateTags: other keys stay as they are). */
  tag(key: string, value: string, signal: AbortSignal): Promise<void> {
    return this.request('write', signal, () => this.set({ ...this.record, tags: { ...this.record.tags, [key]: value } }));
  }

  private associated(node: string): CloudRecord {
    return { holder: node, associationId: `assoc-${++this.associations}`, tags: this.record.tags };
  }

  private set(record: CloudRecord): void {
    this.record = record;
    this.history.push({ at: performance.now(), record });
  }

  private recordAsOf(at: number): CloudRecord {
    for (let i = this.history.length - 1; i >= 0; i--) {
      const h = this.history[i];
      if (h && h.at <= at) return h.record;
    }
    return { tags: {} };
  }

  /** The fault that hits this request, if any (counting the hit). */
  private faultFor(op: 'read' | 'write'): FaultSpec | undefined {
    for (const f of this.faults) {
      const { kind, times, probability = 1 } = f.spec;
      if ((kind === 'lost-response' && op !== 'write') || (kind === 'stale-read' && op !== 'read')) continue;
      if (times !== undefined && f.hits >= times) continue;
      if (!this.rng.chance(probability)) continue;
      f.hits += 1;
      return f.spec;
    }
    return undefined;
  }

  private async request<T>(op: 'read' | 'write', signal: AbortSignal, apply: () => T): Promise<T> {
    this.sent += 1;
    if (op === 'write') this.mutations += 1;
    const fault = this.faultFor(op);
    const arrived = performance.now();
    await sleep(this.rng.int(this.latency[0], this.latency[1]), undefined, { signal }).catch(() => undefined);
    if (signal.aborted) throw new MemoryCloudError('RequestAborted', 'the client gave up');
    switch (fault?.kind) {
      case undefined:
        return apply();
      case 'throttle':
        throw new MemoryCloudError('Throttling', 'rate exceeded');
      case 'server-error':
        throw new MemoryCloudError('InternalError', 'an internal error occurred');
      case 'hang':
        await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        throw new MemoryCloudError('RequestAborted', 'no answer before the client gave up');
      case 'lost-response':
        apply();
        throw new MemoryCloudError('ConnectionReset', 'the connection closed before the answer');
      case 'stale-read':
        return this.recordAsOf(arrived - (fault.staleMs ?? 100)) as T;
    }
  }
}

/** Broken on purpose: each mutant breaks one rule the suites must catch. */
export type MemoryCloudMutant =
  | 'no-fence' // acquire ignores the fence record
  | 'trusts-memory' // status and acquire trust what this node last did: a move behind its back goes unseen
  | 'release-any' // release disassociates whoever holds the resource
  | 'ignore-current' // requests are sent even when the decision is no longer current
  | 'always-move' // acquire re-associates even when it already holds
  | 'shared-fence'; // one fence record for all nodes: a stale "I hold it" refresh overwrites the new master's

export interface MemoryCloudProviderOptions {
  readonly cloud: MemoryCloud;
  /** This node's id: the holder name and the fence record's node. */
  readonly node: string;
  readonly clock: Clock;
  readonly metrics: Metrics;
  readonly logger: Logger;
  /** The group's reassert_interval: the fence TTL is FENCE_TTL_FACTOR × it. */
  readonly reassertIntervalMs: number;
  readonly policy?: CallPolicy;
  readonly random?: () => number;
  readonly mutant?: MemoryCloudMutant;
}

/** Short timeouts and backoffs for tests on the real clock (a hang costs 150 ms). */
export const TEST_CALL_POLICY: CallPolicy = { attemptTimeoutMs: 150, deadlineMs: 3_000, initialBackoffMs: 10, maxBackoffMs: 100 };

export class MemoryCloudProvider implements VipProvider {
  readonly kind = 'memory-cloud';
  private readonly ctx: CallContext;
  private readonly subject: string;
  /** trusts-memory: what this node last did. */
  private believed: 'held' | 'not-held' = 'not-held';
  /** Calls run one at a time, in the order they were made (the suite's "back to back" case). */
  private tail: Promise<unknown> = Promise.resolve();

  constructor(private readonly o: MemoryCloudProviderOptions) {
    this.subject = `the shared address for ${o.node}`;
    this.ctx = {
      group: 'vip',
      provider: this.kind,
      clock: o.clock,
      metrics: o.metrics,
      logger: o.logger,
      policy: o.policy ?? TEST_CALL_POLICY,
      ...(o.random ? { random: o.random } : {}),
      classify,
    };
  }

  async validate(signal: AbortSignal): Promise<void> {
    await this.describe('validating', { signal });
  }

  async status(signal: AbortSignal): Promise<StatusReport> {
    if (this.o.mutant === 'trusts-memory') return { status: this.believed, detail: `${this.believed} (from memory)` };
    try {
      const r = await this.describe('reading', { signal });
      const held = r.holder === this.o.node;
      return {
        status: held ? 'held' : 'not-held',
        detail: `${r.holder ? `associated with ${r.holder} (${r.associationId ?? '?'})` : 'not associated'}, fence ${JSON.stringify(r.tags)}`,
        ...(r.holder ? { holder: r.holder } : {}),
      };
    } catch (err) {
      return { status: 'unknown', detail: err instanceof Error ? err.message : String(err) };
    }
  }

  acquire(req: ProviderRequest): Promise<void> {
    return this.serial(() => this.acquireNow(req));
  }

  release(req: ProviderRequest): Promise<void> {
    return this.serial(() => this.releaseNow(req));
  }

  private serial(fn: () => Promise<void>): Promise<void> {
    const run = this.tail.then(fn, fn);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private async acquireNow(req: ProviderRequest): Promise<void> {
    if (this.o.mutant === 'trusts-memory' && this.believed === 'held') return;
    const call = this.callRequest(req);
    const seen = await this.describe('acquiring', call);
    if (this.o.mutant !== 'no-fence') {
      // Checked also when we seem to hold it: a stale read may say so while a newer master
      // holds it, and refreshing our record would then unfence the old term.
      for (const other of this.records(seen)) {
        const verdict = fenceVerdict(other, req, this.o.node, Date.now(), FENCE_TTL_FACTOR * this.o.reassertIntervalMs);
        if (!verdict.take) throw fenced(this.ctx, 'higher-term', 'acquiring', this.subject, verdict.detail);
      }
    }
    // Fence first, then the move: a lower term that reads after this sees our claim.
    await this.writeFence(call, { term: req.term, node: this.o.node, atMs: Date.now(), released: false });
    if (seen.holder !== this.o.node || this.o.mutant === 'always-move') {
      await cloudCall(this.ctx, 'associating', this.subject, call, (signal) => this.o.cloud.associate(this.o.node, signal));
    }
    this.believed = 'held';
  }

  private async releaseNow(req: ProviderRequest): Promise<void> {
    const call = this.callRequest(req);
    const seen = await this.describe('releasing', call);
    if ((seen.holder !== this.o.node && this.o.mutant !== 'release-any') || seen.associationId === undefined) {
      this.believed = 'not-held';
      return; // nothing of ours to release
    }
    try {
      const id = seen.associationId;
      await cloudCall(this.ctx, 'disassociating', this.subject, call, (signal) => this.o.cloud.disassociate(id, signal));
    } catch (err) {
      // The association we read is gone: someone took the resource (or our lost answer did it).
      if (!(err instanceof Error && err.cause instanceof MemoryCloudError && err.cause.code === 'AssociationNotFound')) throw err;
      this.believed = 'not-held';
      return;
    }
    const mine = this.records(seen).find((r) => r.node === this.o.node);
    if (mine) await this.writeFence(call, { ...mine, atMs: Date.now(), released: true });
    this.believed = 'not-held';
  }

  /**
   * Each node writes its own record (tag `fence:<node>`), so no write of one node can replace
   * another's: a cut-off master that reads a stale "I hold it" and refreshes its record leaves
   * the new master's higher term in place. (`shared-fence`: one tag `fence` for everybody.)
   */
  private fenceKey(node: string): string {
    return this.o.mutant === 'shared-fence' ? 'fence' : `fence:${node}`;
  }

  /** The fence records on the resource; a record counts only under its own node's key. */
  private records(seen: CloudRecord): FenceRecord[] {
    return Object.entries(seen.tags)
      .map(([key, text]) => ({ key, record: parseFence(text) }))
      .filter((t): t is { key: string; record: FenceRecord } => t.record !== undefined && t.key === this.fenceKey(t.record.node))
      .map((t) => t.record);
  }

  private writeFence(call: { signal: AbortSignal; isCurrent?: () => boolean }, record: FenceRecord): Promise<void> {
    const key = this.fenceKey(this.o.node);
    return cloudCall(this.ctx, 'tagging', this.subject, call, (signal) => this.o.cloud.tag(key, encodeFence(record), signal));
  }

  private callRequest(req: ProviderRequest): { signal: AbortSignal; isCurrent?: () => boolean } {
    return this.o.mutant === 'ignore-current' || !req.isCurrent ? { signal: req.signal } : { signal: req.signal, isCurrent: req.isCurrent };
  }

  private describe(operation: string, req: { signal: AbortSignal; isCurrent?: () => boolean }): Promise<CloudRecord> {
    return cloudCall(this.ctx, `${operation}: describing`, this.subject, req, (signal) => this.o.cloud.describe(signal));
  }
}

function classify(err: unknown): Classified {
  if (!(err instanceof MemoryCloudError)) return { errorClass: 'transient', detail: err instanceof Error ? err.message : String(err) };
  switch (err.code) {
    case 'Throttling':
      return { errorClass: 'throttled', detail: err.message };
    case 'InternalError':
    case 'ConnectionReset':
    case 'RequestAborted':
      return { errorClass: 'transient', detail: err.message };
    case 'AssociationNotFound':
      return { errorClass: 'not-found', detail: err.message };
  }
}
