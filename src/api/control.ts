/**
 * What the API asks of the running agent (src/app/agent.ts implements it) and the JSON it
 * answers with (docs/api.md). The API never reaches into the election: it reads these views
 * and asks for the operator's actions, which the runtime carries out.
 */
import type { AuditEvent } from '../ports/audit.js';

export interface NodeView {
  readonly id: string;
  readonly version: string;
  readonly role: 'member' | 'witness';
  readonly address: string;
  readonly startedAt: number;
  readonly uptimeSeconds: number;
}

export interface GroupView {
  readonly name: string;
  readonly role: string;
  readonly term: number;
  readonly priority: number;
  readonly basePriority: number;
  readonly master: string | null;
  readonly vips: readonly string[];
  readonly faults: readonly { readonly resource: string; readonly reason: string }[];
  readonly maintenance: boolean;
  readonly promote: { readonly by: number; readonly until: number } | null;
}

export interface MemberView {
  readonly id: string;
  readonly address: string;
  readonly state: string;
  readonly incarnation: number;
  readonly since: number;
}

export interface CheckView {
  readonly name: string;
  readonly type: string;
  readonly status: string;
  readonly streak: number;
  readonly value: number | null;
  readonly history: readonly { readonly at: number; readonly ok: boolean; readonly ms: number; readonly detail: string }[];
}

export interface StatusView {
  readonly node: NodeView;
  readonly ready: boolean;
  readonly groups: readonly GroupView[];
  readonly members: readonly MemberView[];
  readonly checks: readonly CheckView[];
}

export type EventView = AuditEvent & { readonly seq: number; readonly at: number };

/** The outcome of an operator's request: the group afterwards, or why it was not done. */
export type ActionResult = { readonly ok: true; readonly group: GroupView } | { readonly ok: false; readonly status: 404 | 409; readonly error: string };

export interface ReloadResult {
  readonly ok: boolean;
  /** The plan (what changed, what was applied) or the errors, one line each. */
  readonly lines: readonly string[];
}

export interface AgentControl {
  status(): StatusView;
  /** Ready: every group has left Initialize and no provider is failing its preflight. */
  readiness(): { readonly ready: boolean; readonly reasons: readonly string[] };
  events(since: number, limit: number): { readonly events: readonly EventView[]; readonly next: number };
  /** Every event from now on; returns the unsubscribe. */
  subscribe(fn: (e: EventView) => void): () => void;
  /** The Prometheus text format (prom-client). */
  metrics(): Promise<{ readonly contentType: string; readonly body: string }>;
  maintenance(group: string, on: boolean): Promise<ActionResult>;
  /** Adds `by` to the group's priority for `forMs` (0 ends a boost). */
  promote(group: string, by: number, forMs: number): ActionResult;
  /** Re-reads the configuration file (SIGHUP does the same); undefined when not supported. */
  reload?(): Promise<ReloadResult>;
}
