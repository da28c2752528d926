/**
 * Notify hooks and webhooks (issue 11 §3, docs/notify.md): on every role change of a group,
 * - its state hook (`master`, `backup`, `fault`, `stop`) runs, as keepalived's notify_master,
 *   notify_backup, notify_fault and notify_stop do, and
 * - its generic `script` runs with keepalived's arguments `INSTANCE NAME STATE PRIORITY`, so
 *   existing keepalived notify scripts work unchanged, and
 * - each webhook gets an HTTP POST of the event as JSON, retried with backoff.
 * The commands of one group run one at a time, in event order, each bounded by its timeout (the
 * process group is killed, src/adapters/health/exec-probe.ts); groups do not wait for each other;
 * nothing here is awaited by the election. Exit status and the last output line are logged.
 */
import type { Role } from '../core/election/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import type { RoleChange } from './instance-runner.js';

/** keepalived's state words (its notify scripts' third argument). */
export type NotifyState = 'MASTER' | 'BACKUP' | 'FAULT' | 'STOP';

export interface GroupNotify {
  readonly master?: readonly string[];
  readonly backup?: readonly string[];
  readonly fault?: readonly string[];
  readonly stop?: readonly string[];
  /** Called as `script... INSTANCE NAME STATE PRIORITY` on every change. */
  readonly script?: readonly string[];
  readonly timeoutMs: number;
  readonly webhooks: readonly Webhook[];
}

export interface Webhook {
  readonly url: string;
  readonly timeoutMs: number;
  /** Attempts in all (>= 1); the delay doubles from WEBHOOK_FIRST_RETRY_MS. */
  readonly attempts: number;
}

export const WEBHOOK_FIRST_RETRY_MS = 500;

export interface NotifyOptions {
  readonly groups: ReadonlyMap<string, GroupNotify>;
  /** Runs a command (no shell) until `signal` aborts: exit status 0 is `ok`. */
  readonly run: (argv: readonly [string, ...string[]], signal: AbortSignal) => Promise<{ ok: boolean; detail: string }>;
  /** POSTs `body` (JSON) to `url`; resolves with the HTTP status, rejects on a network error. */
  readonly post: (url: string, body: string, signal: AbortSignal) => Promise<number>;
  readonly clock: Clock;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

/** The state a role change notifies, if any (entering Initialize is a stop; leaving it, nothing). */
export function notifyState(to: Role): NotifyState | undefined {
  switch (to) {
    case 'Master':
      return 'MASTER';
    case 'Backup':
      return 'BACKUP';
    case 'Fault':
      return 'FAULT';
    case 'Initialize':
      return 'STOP';
  }
}

export interface NotifyEvent extends RoleChange {
  readonly state: NotifyState;
}

export class NotifyHooks {
  /** Per group, the tail of its chain of commands (one at a time, in order). */
  private readonly chains = new Map<string, Promise<void>>();
  private readonly pending = new Set<Promise<void>>();
  private readonly controllers = new Set<AbortController>();

  constructor(private readonly opts: NotifyOptions) {}

  /** A group changed role: queue its hooks and webhooks. Never throws, never waits. */
  roleChanged(c: RoleChange): void {
    const n = this.opts.groups.get(c.group);
    const state = notifyState(c.to);
    if (!n || !state || (c.from === 'Initialize' && c.to === 'Initialize')) return;
    const e: NotifyEvent = { ...c, state };
    const commands: Array<readonly [string, ...string[]]> = [];
    const specific = state === 'MASTER' ? n.master : state === 'BACKUP' ? n.backup : state === 'FAULT' ? n.fault : n.stop;
    const [s0, ...sRest] = specific ?? [];
    if (s0 !== undefined) commands.push([s0, ...sRest]);
    const [g0, ...gRest] = n.script ?? [];
    if (g0 !== undefined) commands.push([g0, ...gRest, 'INSTANCE', c.group, state, String(c.priority)]);
    const prior = this.chains.get(c.group) ?? Promise.resolve();
    const next = prior.then(async () => {
      for (const argv of commands) await this.runOne(c.group, state, argv, n.timeoutMs);
    });
    this.chains.set(c.group, next);
    this.track(next);
    for (const w of n.webhooks) this.track(this.deliver(w, e));
  }

  /** Waits for what is queued (a stop's hooks), at most `ms`; then aborts the rest. */
  async drain(ms: number): Promise<void> {
    let cancel: (() => void) | undefined;
    const deadline = new Promise<void>((resolve) => {
      cancel = this.opts.clock.schedule(this.opts.clock.now() + ms, resolve);
    });
    await Promise.race([Promise.allSettled([...this.pending]).then(() => undefined), deadline]);
    cancel?.();
    for (const c of this.controllers) c.abort(new Error('vipd is stopping'));
  }

  private track(p: Promise<void>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async runOne(group: string, state: NotifyState, argv: readonly [string, ...string[]], timeoutMs: number): Promise<void> {
    const { clock, logger, metrics } = this.opts;
    const controller = new AbortController();
    this.controllers.add(controller);
    const started = clock.now();
    const cancel = clock.schedule(started + timeoutMs, () => controller.abort(new Error(`timed out after ${timeoutMs} ms`)));
    try {
      const r = await this.opts.run(argv, controller.signal).catch((err: unknown) => ({ ok: false, detail: err instanceof Error ? err.message : String(err) }));
      const detail = controller.signal.aborted && !r.ok ? `${r.detail} (timed out after ${timeoutMs} ms)` : r.detail;
      metrics.inc('vipd_notify_total', { group, kind: 'command', result: r.ok ? 'ok' : 'failed' });
      const line = `notify ${state} for ${group}: ${argv.join(' ')}: ${detail} (${Math.round(clock.now() - started)} ms)`;
      if (r.ok) logger.info({ group, state, argv }, line);
      else logger.warn({ group, state, argv }, line);
    } finally {
      cancel();
      this.controllers.delete(controller);
    }
  }

  private async deliver(w: Webhook, e: NotifyEvent): Promise<void> {
    const { clock, logger, metrics } = this.opts;
    const body = JSON.stringify({ type: 'role-change', group: e.group, node: e.nodeId, from: e.from, to: e.to, state: e.state, reason: e.reason, term: e.term, priority: e.priority });
    let delay = WEBHOOK_FIRST_RETRY_MS;
    let last = '';
    for (let attempt = 1; attempt <= w.attempts; attempt++) {
      const controller = new AbortController();
      this.controllers.add(controller);
      const cancel = clock.schedule(clock.now() + w.timeoutMs, () => controller.abort(new Error(`timed out after ${w.timeoutMs} ms`)));
      try {
        const status = await this.opts.post(w.url, body, controller.signal);
        if (status >= 200 && status < 300) {
          metrics.inc('vipd_notify_total', { group: e.group, kind: 'webhook', result: 'ok' });
          logger.debug({ group: e.group, url: w.url, attempt }, `webhook ${w.url}: HTTP ${status}`);
          return;
        }
        last = `HTTP ${status}`;
      } catch (err) {
        last = controller.signal.aborted ? `timed out after ${w.timeoutMs} ms` : err instanceof Error ? err.message : String(err);
      } finally {
        cancel();
        this.controllers.delete(controller);
      }
      if (attempt === w.attempts || this.stopping(controller)) break;
      logger.warn({ group: e.group, url: w.url, attempt }, `webhook ${w.url} for ${e.group} ${e.state}: ${last}; retrying in ${delay} ms (attempt ${attempt} of ${w.attempts})`);
      await new Promise<void>((resolve) => clock.schedule(clock.now() + delay, resolve));
      delay *= 2;
    }
    metrics.inc('vipd_notify_total', { group: e.group, kind: 'webhook', result: 'failed' });
    logger.warn({ group: e.group, url: w.url }, `webhook ${w.url} for ${e.group} ${e.state} failed after ${w.attempts} attempt(s): ${last}`);
  }

  private stopping(c: AbortController): boolean {
    return c.signal.aborted && c.signal.reason instanceof Error && c.signal.reason.message === 'vipd is stopping';
  }
}
