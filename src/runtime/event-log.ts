/**
 * The recent events of this node (issue 11 §6): a bounded ring, numbered from 1 so that a
 * client asks for what came after the last one it saw (`/v1/events?since=`), and subscribers
 * for the WebSocket stream. Each event is also one structured log line (role and member changes
 * are already one line each, from the election and from membership, with their reasons, so they
 * are not repeated).
 */
import type { Audit, AuditEvent } from '../ports/audit.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';

export type LoggedEvent = AuditEvent & { readonly seq: number; readonly at: number };

/** Events kept for `/v1/events` (docs/api.md). */
export const EVENT_LOG_SIZE = 2000;

export class EventLog implements Audit {
  private readonly ring: LoggedEvent[] = [];
  private seq = 0;
  private readonly subscribers = new Set<(e: LoggedEvent) => void>();

  constructor(private readonly opts: { clock: Clock; logger: Logger; metrics: Metrics; size?: number; wallClock?: () => number }) {}

  record(event: AuditEvent): void {
    this.seq += 1;
    const e: LoggedEvent = { ...event, seq: this.seq, at: (this.opts.wallClock ?? Date.now)() };
    this.ring.push(e);
    if (this.ring.length > (this.opts.size ?? EVENT_LOG_SIZE)) this.ring.shift();
    this.opts.metrics.inc('vipd_events_total', { type: event.type });
    if (event.type !== 'role' && event.type !== 'member') this.opts.logger.info({ audit: event.type, ...event }, describe(event));
    for (const s of this.subscribers) {
      try {
        s(e);
      } catch (err) {
        // A subscriber (a WebSocket client) must never break recording for the others.
        this.opts.logger.warn({ err }, 'event subscriber failed; dropped it');
        this.subscribers.delete(s);
      }
    }
  }

  /** Events with seq > `since`, oldest first, at most `limit`. */
  since(since: number, limit = 500): { events: LoggedEvent[]; next: number } {
    const events = this.ring.filter((e) => e.seq > since).slice(0, Math.max(0, limit));
    return { events, next: events.at(-1)?.seq ?? Math.max(since, 0) };
  }

  get last(): number {
    return this.seq;
  }

  /** Calls `fn` for every event from now on; returns the unsubscribe. */
  subscribe(fn: (e: LoggedEvent) => void): () => void {
    this.subscribers.add(fn);
    return () => this.subscribers.delete(fn);
  }
}

/** One line for the log, saying what happened in words. */
export function describe(e: AuditEvent): string {
  switch (e.type) {
    case 'role':
      return `${e.group}: ${e.from} -> ${e.to} (${e.reason})`;
    case 'master':
      return `${e.group}: master ${e.from ?? 'none'} -> ${e.to ?? 'none'} at term ${e.term}`;
    case 'provider':
      return `${e.group}: provider ${e.op} at term ${e.term}: ${e.outcome} in ${e.ms} ms${e.error ? ` (${e.error})` : ''}`;
    case 'check':
      return `check ${e.check}: ${e.status} (${e.detail})`;
    case 'member':
      return `member ${e.id}: ${e.from} -> ${e.to}`;
    case 'maintenance':
      return `${e.group}: maintenance ${e.on ? 'on: draining, held out of the election' : 'off: back in the election'}`;
    case 'promote':
      return e.until === null ? `${e.group}: promote ended` : `${e.group}: promoted by ${e.by} until ${new Date(e.until).toISOString()}`;
    case 'reload':
      return `reload ${e.outcome}: ${e.summary}`;
  }
}
