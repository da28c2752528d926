/**
 * The crash verdict's glue (issue 10 "What must exist" 1, docs/leases.md "Crash verdict"). The
 * transport tells the node, from its own observation only, that a peer's process is gone: the
 * stream ended and a redial of the peer's address was refused (MembershipReceiver.gone). Then
 * 1. this node's voter drops its promises to that peer granted from that address before the
 *    stream broke (lease.ts crashVerdict; sound by assumption A6 of docs/leases.md);
 * 2. every unicast group that follows that peer as its master hears MasterGone, with whether
 *    this node ranks first among the group's live backups: effective priority, then the RFC 5798
 *    §6.4.3 tie-break (primary address, then node id), as each backup announced it in its Hello.
 *    Only the top backup takes over at once; the others keep their timers.
 * A peer's report never reaches this code: no message of another node can make us drop a promise.
 */
import { compareIdentity } from '../core/election/identity.js';
import { currentPriority } from '../core/election/step.js';
import type { PeerIdentity } from '../core/election/types.js';
import type { GroupStanding } from '../ports/membership-transport.js';
import type { Logger } from '../ports/logger.js';
import type { InstanceRunner } from './instance-runner.js';
import type { LeaseVoter } from './lease-voter.js';

/** The most nodes whose standing is kept (one entry per node that said Hello; the allow-list bounds it). */
export const MAX_STANDINGS = 1024;

/** A rival backup as this node knows it: undefined standing = it never said where it stands. */
export interface Rival {
  readonly nodeId: string;
  readonly standing?: { readonly priority: number; readonly address: string };
}

/**
 * Whether this node (`self` at `priority`) ranks first among `rivals`, the group's other live
 * backups: none has a higher priority, none of equal priority wins the RFC 5798 §6.4.3
 * tie-break, and every rival's standing is known (a rival we know nothing of may outrank us:
 * defer, and the normal timers decide). Pure.
 */
export function ranksFirst(self: PeerIdentity, priority: number, rivals: readonly Rival[]): boolean {
  for (const r of rivals) {
    const s = r.standing;
    if (!s) return false;
    if (s.priority !== priority) {
      if (s.priority > priority) return false;
      continue;
    }
    const them: PeerIdentity = s.address ? { nodeId: r.nodeId, address: s.address } : { nodeId: r.nodeId };
    if (compareIdentity(them, self) > 0) return false;
  }
  return true;
}

export interface CrashVerdictGroup {
  readonly runner: InstanceRunner;
  /** Configured peers (node ids); empty: every member that announces the group. */
  readonly peers: readonly string[];
  /** `crash_verdict` of the group (default true). */
  readonly enabled: boolean;
}

export interface CrashVerdictOptions {
  readonly voter: LeaseVoter | undefined;
  readonly groups: () => Iterable<CrashVerdictGroup>;
  /** Whether membership holds `nodeId` live (alive or suspect). */
  readonly live: (nodeId: string) => boolean;
  readonly now: () => number;
  readonly logger: Logger;
}

export class CrashVerdicts {
  /** Where each node said it stands, per group (its Hello). */
  private readonly standings = new Map<string, ReadonlyMap<string, GroupStanding>>();
  /**
   * When a stream of ours to each node first broke since one last came up, on our clock: the
   * cutoff of the voter's drop. The earliest break is at or before the break the verdict is
   * about (a node may have several links, e.g. a seed address), so the cutoff never comes late.
   */
  private readonly brokeAt = new Map<string, number>();

  constructor(private readonly opts: CrashVerdictOptions) {}

  /** `nodeId` announced its standing on its own authenticated stream (a hint for ranking only). */
  standing(nodeId: string, standing: readonly GroupStanding[]): void {
    if (!this.standings.has(nodeId) && this.standings.size >= MAX_STANDINGS) return;
    this.standings.set(nodeId, new Map(standing.map((s) => [s.group, s])));
  }

  /** The priority `nodeId` announced for `group` in its Hello, if it did (a ranking hint). */
  announcedPriority(nodeId: string, group: string): number | undefined {
    return this.standings.get(nodeId)?.get(group)?.priority;
  }

  /** Our established stream to `nodeId` broke (before any verdict about that break). */
  streamBroke(nodeId: string): void {
    if (this.brokeAt.has(nodeId) || this.brokeAt.size >= MAX_STANDINGS) return;
    this.brokeAt.set(nodeId, this.opts.now());
  }

  /** A stream of ours to `nodeId` came up: a later verdict is about a later break. */
  streamUp(nodeId: string): void {
    this.brokeAt.delete(nodeId);
  }

  /** Our own redial of `address` was refused after `nodeId`'s stream there broke. */
  gone(address: string, nodeId: string | undefined): void {
    if (nodeId === undefined) return;
    const before = this.brokeAt.get(nodeId);
    this.brokeAt.delete(nodeId);
    // No break on record (a link came up since): no cutoff we can prove, so no promise dropped.
    // The voter first: our own election's self-grant on takeover must find the promise gone.
    if (before !== undefined) this.opts.voter?.crashVerdict(nodeId, address, before);
    const reason = `stream ended, redial of ${address} refused`;
    for (const g of this.opts.groups()) {
      const st = g.runner.state;
      if (!g.enabled || st.role !== 'Backup' || st.master?.sender.nodeId !== nodeId) continue;
      const top = ranksFirst(st.params.self, currentPriority(st), this.rivals(g, nodeId));
      this.opts.logger.info({ group: g.runner.group, master: nodeId, top }, `crash verdict on master ${nodeId} of ${g.runner.group}: ${top ? 'this node ranks first among the live backups' : 'another live backup ranks above this node (or its standing is unknown)'}`);
      g.runner.masterGone(nodeId, top, reason);
    }
  }

  /** The group's other live backups: its peers (or the members announcing it) but the gone master. */
  private rivals(g: CrashVerdictGroup, gone: string): Rival[] {
    const group = g.runner.group;
    const self = g.runner.state.params.self.nodeId;
    const ids = g.peers.length > 0
      ? g.peers
      : [...this.standings.entries()].filter(([, m]) => m.has(group)).map(([id]) => id);
    const out: Rival[] = [];
    for (const id of ids) {
      if (id === gone || id === self || !this.opts.live(id)) continue;
      const s = this.standings.get(id)?.get(group);
      out.push(s ? { nodeId: id, standing: { priority: s.priority, address: s.address } } : { nodeId: id });
    }
    return out;
  }
}
