/**
 * The BFD glue of a cluster node (docs/bfd.md "What runs"): BFD sessions from this node to the
 * members and witnesses of its unicast groups, kept in step with membership, and what a
 * session going Down feeds:
 *  - membership (`MembershipRunner.bfdDown`: a probe at once, docs/membership.md), and
 *  - the majority rule (bfd-liveness.ts), whose agreement gives the group's election
 *    PeerConfirmedDown with reason `bfd-down`.
 * A session runs between the hosts of the two nodes' gRPC addresses (the addresses membership
 * and the Hellos carry), so a node id maps to one IPv4 address and back. A session starts when
 * membership knows the member (alive, suspect or dead: a dead member that comes back goes Up
 * again) and stops when it leaves or is forgotten. A peer's AdminDown (a graceful stop, RFC 5880
 * §6.8.16) is not a failure and feeds nothing.
 */
import type { BfdState } from '../core/bfd/packet.js';
import type { Clock } from '../ports/clock.js';
import type { LivenessReports } from '../ports/liveness-reports.js';
import type { Logger } from '../ports/logger.js';
import { BfdLiveness, type LivenessGroup } from './bfd-liveness.js';
import type { BfdSessions, BfdSessionsOptions } from './bfd-sessions.js';

export interface BfdMemberView {
  readonly address: string;
  readonly state: string;
}

export interface BfdPeersOptions {
  readonly self: string;
  /** Builds the sessions on `localAddress` (this node's host) with the given change callback. */
  readonly sessions: (localAddress: string, onChange: NonNullable<BfdSessionsOptions['onChange']>) => BfdSessions;
  readonly reports: LivenessReports;
  /** How long a voter's report counts (bfd-liveness.ts). */
  readonly reportTtlMs: number;
  /** The unicast groups whose voters are known (configured peers): the majority rule's groups. */
  readonly groups: readonly LivenessGroup[];
  /** Which members get a session: the groups' peers and witnesses, or every member (a witness, a group without a peer list). */
  readonly wanted: (nodeId: string) => boolean;
  /** A witness pushes and answers to every live member (bfd-liveness.ts `witnessOf`). */
  readonly witness: boolean;
  readonly members: () => ReadonlyMap<string, BfdMemberView>;
  /** Membership's input (MembershipRunner.bfdDown). */
  readonly bfdDown: (nodeId: string) => void;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** The host of a transport address (host:port, [v6]:port); BFD here is IPv4 (udp-endpoint.ts). */
export function ipv4Host(address: string): string | undefined {
  const colon = address.lastIndexOf(':');
  const host = colon > 0 ? address.slice(0, colon) : address;
  return /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.test(host) ? host : undefined;
}

export class BfdPeers {
  private sessions: BfdSessions | undefined;
  private liveness: BfdLiveness | undefined;
  /** Session address -> node id, and back. */
  private readonly idAt = new Map<string, string>();
  private readonly addressOf = new Map<string, string>();
  private stopped = false;

  constructor(private readonly opts: BfdPeersOptions) {}

  /** Opens the sessions' sockets on the host of `ownAddress`; rejects with why (port in use, no raw socket). */
  async start(ownAddress: string): Promise<void> {
    const local = ipv4Host(ownAddress);
    if (local === undefined) throw new Error(`bfd.enabled: this node's address ${ownAddress} has no IPv4 host; BFD here runs over IPv4 between the nodes' gRPC hosts (docs/bfd.md)`);
    const { opts } = this;
    this.sessions = opts.sessions(local, (peer, up, _diag, reason, graceful) => this.changed(peer, up, reason, graceful));
    this.liveness = new BfdLiveness({
      self: opts.self, groups: opts.groups, reports: opts.reports, clock: opts.clock, logger: opts.logger, reportTtlMs: opts.reportTtlMs,
      ownState: (id) => this.state(id),
      ...(opts.witness ? { witnessOf: () => this.liveIds() } : {}),
    });
    await this.sessions.start();
    this.sync();
  }

  /** bfd.SessionState of our session to `nodeId`, if there is one. */
  state(nodeId: string): BfdState | undefined {
    const a = this.addressOf.get(nodeId);
    return a === undefined ? undefined : this.sessions?.state(a);
  }

  /** Membership changed: start sessions to members that became known, stop those that left. */
  sync(): void {
    const sessions = this.sessions;
    if (!sessions || this.stopped) return;
    const want = new Map<string, string>();
    for (const [id, m] of this.opts.members()) {
      if (id === this.opts.self || !['alive', 'suspect', 'dead'].includes(m.state) || !this.opts.wanted(id)) continue;
      const a = ipv4Host(m.address);
      // Two ids at one host (a restart under a new id, an insider): the first keeps it.
      if (a !== undefined && ![...want.values()].includes(a)) want.set(id, a);
    }
    for (const [id, a] of [...this.addressOf]) {
      if (want.get(id) === a) continue;
      this.addressOf.delete(id);
      this.idAt.delete(a);
      sessions.removePeer(a);
    }
    for (const [id, a] of want) {
      if (this.addressOf.has(id) || this.idAt.has(a)) continue;
      this.addressOf.set(id, a);
      this.idAt.set(a, id);
      sessions.addPeer(a).catch((err: unknown) => this.opts.logger.warn({ err, peer: a }, `BFD session to ${id} at ${a} not started: ${err instanceof Error ? err.message : String(err)}`));
    }
  }

  /** Graceful: AdminDown to every peer (before the gRPC listener closes, docs/leases.md A6). */
  async stop(): Promise<void> {
    this.stopped = true;
    await this.sessions?.stop();
  }

  /** Crash model: silence, no AdminDown. */
  async halt(): Promise<void> {
    this.stopped = true;
    await this.sessions?.halt();
  }

  private liveIds(): string[] {
    return [...this.opts.members()].filter(([, m]) => m.state === 'alive' || m.state === 'suspect').map(([id]) => id);
  }

  private changed(peer: string, up: boolean, reason: string, graceful: boolean): void {
    const id = this.idAt.get(peer);
    if (id === undefined) return;
    if (!up && graceful) {
      this.opts.logger.info({ peer: id, reason }, `BFD: session to ${id} ended by AdminDown (${reason}): not a failure`);
      return;
    }
    if (!up) {
      this.opts.logger.info({ peer: id, reason }, `BFD: session to ${id} Down (${reason})`);
      this.opts.bfdDown(id);
    }
    this.liveness?.sessionChanged(id, up);
  }
}
