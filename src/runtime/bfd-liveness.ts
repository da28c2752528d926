/**
 * BFD as an input to the elections (docs/bfd.md "The majority rule"): this node's own sessions
 * (BfdSessions' Up / Down), the reports of the other voters (LivenessReports) and, per unicast
 * group, the majority rule of src/core/bfd/agreement.ts. When a majority of a group's voters,
 * this node included, see a node Down, the group's election gets PeerConfirmedDown with reason
 * `bfd-down`. The election acts on it only as a backup whose master is that node, and only
 * shortens its own wait: leases still decide who may hold the VIP (docs/leases.md).
 *
 * Own changes are pushed to the other voters of every group that has the node, and a Down is
 * followed by a query, so a voter that restarted or missed the push still answers.
 */
import { createAgreement, stepAgreement, type AgreementAction, type AgreementEvent, type AgreementState } from '../core/bfd/agreement.js';
import type { BfdState } from '../core/bfd/packet.js';
import type { Clock } from '../ports/clock.js';
import type { LivenessMessage, LivenessReports } from '../ports/liveness-reports.js';
import type { Logger } from '../ports/logger.js';

/** The reason PeerConfirmedDown carries (vipd_transitions_total, the role-change log). */
export const BFD_DOWN_REASON = 'bfd-down';

export interface LivenessGroup {
  readonly name: string;
  /** Every voter of the group, this node included: members and witnesses (node ids). */
  readonly voters: readonly string[];
  /** The group's election (InstanceRunner.peerConfirmedDown); absent on a witness. */
  readonly peerConfirmedDown?: (nodeId: string, reason: string) => void;
}

export interface BfdLivenessOptions {
  readonly self: string;
  readonly groups: readonly LivenessGroup[];
  readonly reports: LivenessReports;
  readonly clock: Clock;
  readonly logger: Logger;
  /** This node's own session state to `nodeId` (BfdSessions.state of its address), if any. */
  readonly ownState: (nodeId: string) => BfdState | undefined;
  /** How long a voter's report counts, ms (a few Detection Times; at least a query's round trip). */
  readonly reportTtlMs: number;
  /**
   * A witness runs no group (its configuration names none), so it cannot know the groups'
   * voters: it pushes its own changes to, and answers queries from, these node ids (its live
   * members). Whether its word counts is decided by the asking member's agreement, which
   * counts only the voters of its own groups.
   */
  readonly witnessOf?: () => readonly string[];
}

export class BfdLiveness {
  private readonly agreements = new Map<string, AgreementState>();

  constructor(private readonly opts: BfdLivenessOptions) {
    for (const g of opts.groups) {
      if (g.voters.includes(opts.self)) this.agreements.set(g.name, createAgreement({ self: opts.self, voters: g.voters, reportTtlMs: opts.reportTtlMs }));
    }
    opts.reports.onMessage((from, m) => this.onMessage(from, m));
  }

  /** This node's own session to `nodeId` went Up (`up`) or left Up (BfdSessions' onChange). */
  sessionChanged(nodeId: string, up: boolean): void {
    const told = new Set<string>();
    for (const v of this.opts.witnessOf?.() ?? []) {
      if (v === this.opts.self || v === nodeId || told.has(v)) continue;
      told.add(v);
      this.opts.reports.send(v, { kind: 'report', subject: nodeId, down: !up });
    }
    for (const g of this.groupsWith(nodeId)) {
      for (const v of g.voters) {
        if (v === this.opts.self || v === nodeId || told.has(v)) continue;
        told.add(v);
        this.opts.reports.send(v, { kind: 'report', subject: nodeId, down: !up });
      }
      this.step(g, { type: 'OwnView', subject: nodeId, down: !up });
    }
  }

  private groupsWith(nodeId: string): LivenessGroup[] {
    return this.opts.groups.filter((g) => this.agreements.has(g.name) && g.voters.includes(nodeId));
  }

  private onMessage(from: string, m: LivenessMessage): void {
    if (m.kind === 'query') {
      // Answer only voters of a group we share with the subject, and only with what we know.
      const members = this.opts.witnessOf?.() ?? [];
      const shared = this.groupsWith(m.subject).some((g) => g.voters.includes(from)) || (members.includes(from) && members.includes(m.subject));
      const state = this.opts.ownState(m.subject);
      if (shared && state !== undefined && from !== m.subject) this.opts.reports.send(from, { kind: 'report', subject: m.subject, down: state !== 'Up' });
      return;
    }
    for (const g of this.groupsWith(m.subject)) this.step(g, { type: 'Report', from, subject: m.subject, down: m.down });
  }

  private step(g: LivenessGroup, e: AgreementEvent): void {
    const s = this.agreements.get(g.name);
    if (!s) return;
    const r = stepAgreement(s, e, this.opts.clock.now());
    this.agreements.set(g.name, r.state);
    for (const a of r.actions) this.perform(g, a);
  }

  private perform(g: LivenessGroup, a: AgreementAction): void {
    switch (a.type) {
      case 'Query':
        for (const v of g.voters) if (v !== this.opts.self && v !== a.subject) this.opts.reports.send(v, { kind: 'query', subject: a.subject });
        break;
      case 'ConfirmedDown':
        this.opts.logger.info({ group: g.name, subject: a.subject, voters: a.voters }, `BFD: ${a.subject} down for ${a.voters.join(', ')} (a majority of ${g.voters.length} voters)`);
        g.peerConfirmedDown?.(a.subject, BFD_DOWN_REASON);
        break;
      case 'Ignored':
        this.opts.logger.debug({ group: g.name, from: a.from, reason: a.reason }, 'BFD liveness report ignored');
        break;
    }
  }
}
