/**
 * The aws provider (README.md beside this file): one class for the three modes, each mode a
 * small strategy (modes/). This file does what they share: calls one at a time and in order,
 * the fence (providers/common/fence.ts) checked before any write and claimed before the move, preflight
 * (credentials, resources, DryRun of every action the configuration uses), and keeping the
 * connection warm so a takeover's first request leaves at once.
 */
import { ProviderError, type ProviderRequest, type StatusReport, type VipProvider } from '../../src/ports/vip-provider.js';
import { fenceVerdict, FENCE_TTL_FACTOR, type FenceRecord, type FenceVerdict } from '../common/fence.js';
import { fenced, type CallRequest } from '../common/cloud-call.js';
import type { ProviderDeps, ProviderGroup } from '../common/plugin.js';
import { dryRunTags, writeFence } from './fence-tags.js';
import { fenceTagKey, report, type AwsMode, type ModeContext, type Observation } from './modes/mode.js';
import type { AwsOptions } from './options.js';
import { Ec2Session, type AwsComponents, type Identity } from './session.js';
import { grantHint } from './actions.js';

/** A backup's connection stays open: one cheap Describe after this long without a request. */
export const KEEP_WARM_MS = 30_000;

export class AwsProvider implements VipProvider {
  readonly kind: string;
  /** A cloud address or route has one holder at a time: a handoff is break-before-make (docs/leases.md). */
  readonly singleHolder = true;
  readonly session: Ec2Session;
  private tail: Promise<void> = Promise.resolve();
  private readonly wall: () => number;
  private lastRequestAt = -Infinity;
  private cancelWarm: (() => void) | undefined;
  private closed = false;
  /**
   * The newest record seen of each other node. EC2's Describe answers are eventually consistent:
   * a stale answer may miss a newer master's record, or show the resource as it was before that
   * master took it. Remembered records cannot be un-seen by a stale read (monotonic reads), so a
   * cut-off old master that once saw the newer master's record stays fenced while it is fresh.
   */
  private readonly seen = new Map<string, FenceRecord>();
  /**
   * When our last record write succeeded (wall clock). A read that does not show it is stale
   * (read-your-writes): acting on it could take the resource from a master whose claim the
   * stale answer does not show yet. Trusted again after FENCE_TTL_FACTOR intervals (a deleted tag).
   */
  private lastWriteAtMs: number | undefined;
  /** Aborted by close(): ends a keep-warm read in flight (and its retries). */
  private readonly closing = new AbortController();

  constructor(
    readonly options: AwsOptions,
    private readonly group: ProviderGroup,
    private readonly deps: ProviderDeps,
    private readonly mode: AwsMode,
    components: AwsComponents = {},
  ) {
    this.kind = `aws:${options.mode}`;
    this.wall = components.wallClock ?? Date.now;
    this.session = new Ec2Session(options, group.name, this.kind, deps, {
      ...components,
      onSend: (action) => {
        this.lastRequestAt = this.deps.clock.now();
        components.onSend?.(action);
      },
    });
  }

  async validate(signal: AbortSignal): Promise<void> {
    const req: CallRequest = { signal };
    const id = await this.session.ready(req);
    await this.session.resolveCredentials(signal);
    await this.session.describeOwnEni(req); // ENI exists in this region; opens the connection
    const ctx = this.context(this.session.identity ?? id);
    const checks = [...(await this.mode.preflight(ctx, req))];
    if (this.group.fenced || this.mode.alwaysRecord) {
      const resources = this.mode.fenceResources(ctx);
      checks.push({ action: 'CreateTags', resources, send: (s, r) => dryRunTags(s, resources, ctx.fenceKey, r) });
    }
    const missing: { action: string; hint: string; error: ProviderError }[] = [];
    for (const check of checks) {
      try {
        await check.send(this.session, req);
      } catch (err) {
        if (err instanceof ProviderError && err.errorClass === 'auth') missing.push({ action: check.action, hint: grantHint(check.action, check.resources, this.session.scope), error: err });
        else throw err;
      }
    }
    if (missing.length === 1) throw missing[0]!.error;
    if (missing.length > 1) {
      throw new ProviderError('preflight', this.mode.subject(ctx.id), 'auth', {
        cause: missing[0]!.error,
        detail: `missing permissions: ${missing.map((m) => `ec2:${m.action}`).join(', ')}`,
        hint: missing.map((m) => m.hint).join('; '),
      });
    }
    await this.mode.validateLocal?.(signal);
    this.startWarm();
  }

  async status(signal: AbortSignal): Promise<StatusReport> {
    try {
      const ctx = this.context(await this.session.ready({ signal }));
      return report(await this.mode.read(ctx, { signal }));
    } catch (err) {
      if (signal.aborted) throw err;
      return { status: 'unknown', detail: (err as Error).message };
    }
  }

  /**
   * Read; check the fence; claim (write our record before the move, so a reader that still sees
   * the old holder also sees our claim: there is no window between the move and the tag in
   * which the old master's record still says it may take); move. The verdict comes before any
   * write, also while held: a cut-off old master that finds the resource on itself (moved there
   * by an operator, or a stale read) must not overwrite a newer master's record.
   */
  acquire(req: ProviderRequest): Promise<void> {
    return this.exclusive(req, 'acquiring', async (ctx) => {
      const obs = await this.mode.read(ctx, req);
      const record = req.fenced === true || this.mode.alwaysRecord;
      this.refuseStaleRead(obs, ctx);
      const verdict = this.verdict(obs, req);
      if (!verdict.take) throw fenced(this.session.callContext('CreateTags', []), 'higher-term', 'acquiring', this.mode.subject(ctx.id), verdict.detail);
      if (obs.held) {
        if (record && this.stale(ctx, obs, req)) await this.writeRecord(ctx, req, false, obs);
        return;
      }
      if (record) await this.writeRecord(ctx, req, false, obs);
      await this.mode.take(ctx, req, obs);
      this.deps.logger.info({ term: req.term, from: obs.holder }, `${this.kind}: took ${this.mode.subject(ctx.id)} (${req.reason})`);
    });
  }

  release(req: ProviderRequest): Promise<void> {
    return this.exclusive(req, 'releasing', async (ctx) => {
      const obs = await this.mode.read(ctx, req);
      if (!obs.anyOurs) return;
      await this.mode.drop(ctx, req, obs);
      this.deps.logger.info({ term: req.term }, `${this.kind}: released ${this.mode.subject(ctx.id)} (${req.reason})`);
      // Our record becomes a released one: it fences nobody, and for route it is what makes the
      // routes, left in place, not ours any more. Other nodes' records are never touched.
      const recorded = req.fenced === true || this.mode.alwaysRecord;
      const mine = this.mine(obs);
      if (recorded && (mine.length === 0 || mine.some((r) => !r.released))) await this.writeRecord(ctx, req, true);
    });
  }

  async close(): Promise<void> {
    this.closed = true;
    this.cancelWarm?.();
    this.closing.abort(new Error('provider closed'));
    await this.tail;
    await this.mode.close?.();
    this.session.close();
  }

  /** The first other node's record (read now, or seen before and newer) that fences us (fence.ts fenceVerdict), else take. */
  private verdict(obs: Observation, req: ProviderRequest): FenceVerdict {
    for (const record of obs.fences) {
      if (record.node === this.deps.nodeId) continue;
      const known = this.seen.get(record.node);
      if (!known || record.term > known.term || (record.term === known.term && record.atMs >= known.atMs)) this.seen.set(record.node, record);
    }
    for (const record of this.seen.values()) {
      const v = fenceVerdict(record, req, this.deps.nodeId, this.wall(), FENCE_TTL_FACTOR * this.group.reassertIntervalMs);
      if (!v.take) return v;
    }
    return { take: true };
  }

  private mine(obs: Observation): readonly FenceRecord[] {
    return obs.fences.filter((r) => r.node === this.deps.nodeId);
  }

  /** Our record needs rewriting: missing on a resource, of another term, released, or older than reassert/2. */
  private stale(ctx: ModeContext, obs: Observation, req: ProviderRequest): boolean {
    const mine = this.mine(obs);
    if (mine.length < this.mode.fenceResources(ctx, obs).length) return true;
    return mine.some((f) => f.term !== req.term || f.released || this.wall() - f.atMs > this.group.reassertIntervalMs / 2);
  }

  private async writeRecord(ctx: ModeContext, req: ProviderRequest, released: boolean, obs?: Observation): Promise<void> {
    const atMs = this.wall();
    await writeFence(this.session, this.mode.fenceResources(ctx, obs), ctx.fenceKey, { term: req.term, node: this.deps.nodeId, atMs, released }, req);
    this.lastWriteAtMs = atMs;
  }

  /** Rejects (transient: the driver retries) a read older than our own last write. */
  private refuseStaleRead(obs: Observation, ctx: ModeContext): void {
    const wrote = this.lastWriteAtMs;
    if (wrote === undefined || this.wall() - wrote >= FENCE_TTL_FACTOR * this.group.reassertIntervalMs) return;
    const newest = Math.max(-1, ...this.mine(obs).map((r) => r.atMs));
    if (newest >= wrote) return;
    throw new ProviderError('acquiring', this.mode.subject(ctx.id), 'transient', {
      detail: `the answer is older than our own fence record written ${Math.round(this.wall() - wrote)} ms ago (EC2 reads are eventually consistent); not acting on it`,
    });
  }

  private context(id: Identity): ModeContext {
    return { session: this.session, id, group: this.group.name, fenceKey: this.mode.perNodeKey ? fenceTagKey(this.group.name, this.deps.nodeId) : fenceTagKey(this.group.name), nodeId: this.deps.nodeId };
  }

  /** One call at a time, in the order they were made (a later call waits for the earlier one). */
  private exclusive(req: ProviderRequest, operation: string, fn: (ctx: ModeContext) => Promise<void>): Promise<void> {
    const run = async () => {
      if (req.signal.aborted) throw new ProviderError(operation, this.kind, 'fenced', { detail: 'aborted before it started' });
      const ctx = this.context(await this.session.ready(req));
      await fn(ctx);
    };
    const mine = this.tail.then(run, run);
    this.tail = mine.then(() => undefined, () => undefined);
    return mine.catch((err: unknown) => {
      if (err instanceof ProviderError) throw err;
      throw new ProviderError(operation, this.kind, 'transient', { cause: err, detail: (err as Error).message });
    });
  }

  /** While idle, one cheap Describe every KEEP_WARM_MS keeps the TLS connection (and the credentials) fresh. */
  private startWarm(): void {
    if (this.cancelWarm || this.closed) return;
    const tick = () => {
      const now = this.deps.clock.now();
      const due = this.lastRequestAt + KEEP_WARM_MS;
      if (now >= due) {
        void this.status(this.closing.signal).then(
          (s) => {
            if (s.status === 'unknown') this.deps.logger.debug({ detail: s.detail }, `${this.kind}: keep-warm read failed`);
          },
          () => undefined, // aborted by close()
        );
      }
      this.cancelWarm = this.closed ? undefined : this.deps.clock.schedule(now >= due ? now + KEEP_WARM_MS : due, tick);
    };
    this.cancelWarm = this.deps.clock.schedule(this.deps.clock.now() + KEEP_WARM_MS, tick);
  }
}
