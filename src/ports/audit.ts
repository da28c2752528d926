/**
 * Where every decision and action goes as a structured event (issue 11 §6, docs/api.md
 * "event"): role changes, who this node follows as master (the client-visible move, seen from
 * any member), provider calls, check and member changes, operator requests. The
 * runtime's EventLog (src/runtime/event-log.ts) implements it, keeps the recent ones for
 * `/v1/events` and the WebSocket stream, and writes each as a log line.
 */
import type { Role } from '../core/election/types.js';

export type AuditEvent =
  | { readonly type: 'role'; readonly group: string; readonly from: Role; readonly to: Role; readonly reason: string; readonly term: number; readonly priority: number }
  | { readonly type: 'master'; readonly group: string; readonly from: string | null; readonly to: string | null; readonly term: number }
  | { readonly type: 'provider'; readonly group: string; readonly op: 'acquire' | 'release'; readonly outcome: 'ok' | 'error' | 'aborted' | 'fenced'; readonly term: number; readonly ms: number; readonly error?: string }
  | { readonly type: 'check'; readonly check: string; readonly status: string; readonly detail: string }
  | { readonly type: 'member'; readonly id: string; readonly from: string; readonly to: string }
  | { readonly type: 'maintenance'; readonly group: string; readonly on: boolean }
  | { readonly type: 'promote'; readonly group: string; readonly by: number; readonly until: number | null }
  | { readonly type: 'reload'; readonly outcome: 'applied' | 'refused' | 'unchanged' | 'partial'; readonly summary: string };

export interface Audit {
  /** Records one event. Never blocks, never throws; the event is copied. */
  record(event: AuditEvent): void;
}
