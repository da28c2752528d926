/**
 * Carries SWIM membership messages (src/core/membership/messages.ts) between nodes and tells
 * the node what it learns about its links on the way. Implementations: the gRPC transport
 * (src/adapters/grpc/grpc-transport.ts, sharing the advert streams) and the in-memory one of the
 * tests and the simulator (test/fakes/memory-membership.ts). Encoding is the transport's
 * business: messages cross this port as the core's plain data.
 */
import type { Message } from '../core/membership/messages.js';

/** A node's standing in one group it runs, as its Hello announces it (crash-verdict ranking). */
export interface GroupStanding {
  readonly group: string;
  /** Its priority in the group (1-255). */
  readonly priority: number;
  /** Its primary address in the group, the RFC 5798 §6.4.3 tie-break ('' when none). */
  readonly address: string;
}

/** What the node hands the transport: where received messages and link events go. */
export interface MembershipReceiver {
  /**
   * A message from node `from`, as far as the transport can tell (gRPC: the identity of the
   * authenticated stream; a message claiming another sender is dropped before this). The core
   * validates the message again. Must not throw.
   */
  message(m: Message, from: string): void;
  /** Our stream to `nodeId` came up. Must not throw. */
  peerUp?(nodeId: string): void;
  /** Our established stream to `nodeId` broke: a hint, not a verdict (issue 3 §3). Must not throw. */
  peerDown(nodeId: string, reason: string): void;
  /**
   * Crash verdict (docs/leases.md): our established stream to `nodeId` at `address` ended and
   * a redial of `address` was refused (nothing listens there; a stalled process still accepts,
   * a partition is silence) until the confirmation window passed. Always after the peerDown of
   * the same break. Our own observation, never a peer's report. Must not throw.
   */
  gone?(address: string, nodeId: string | undefined, reason: 'refused'): void;
  /**
   * `nodeId` announced on its own authenticated stream (its Hello) where it stands in each
   * group it runs: ranks backups for the crash verdict, never decides safety. Must not throw.
   */
  standing?(nodeId: string, standing: readonly GroupStanding[]): void;
  /** Reaching `address` failed before any peer answered (refused, TLS refused). Must not throw. */
  unreachable(address: string, reason: string): void;
  /**
   * Addresses a group's adverts go to (its configured peers, or the members membership knows).
   * Asked on every advert the transport sends, so it must be cheap; must not throw.
   */
  groupTargets(group: string): readonly string[];
  /**
   * The node expected to answer at `address` (a live member), undefined when unknown (a seed).
   * Asked when a link to `address` comes up; a transport that can tell refuses any other node
   * (issue 8 finding 8). Must not throw.
   */
  nodeAt?(address: string): string | undefined;
}

export interface MembershipTransport {
  /** The address peers reach this node at; '' until `listen` has resolved. */
  readonly address: string;
  /**
   * Starts listening and sets the receiver (a second call only replaces the receiver).
   * Rejects with the reason it cannot listen (address in use, bad credentials).
   */
  listen(receiver: MembershipReceiver): Promise<void>;
  /**
   * Sends one message to `address`, opening a link if there is none. Never blocks and never
   * throws: false when it could not even be queued (no link, link full, not listening); a
   * failure found later arrives as `unreachable` or `peerDown`. Membership tolerates loss.
   */
  sendMembership(address: string, m: Message): boolean;
  /** Whether our stream to `address` is established now. Never blocks. */
  isUp(address: string): boolean;
  /** Closes the link to `address` (a member that left or was reaped). Idempotent. */
  forget(address: string): void;
  /** Stops listening and closes every link. Idempotent, harmless before listen. */
  close(): Promise<void>;
  /**
   * A reload changed the groups this node runs: what its Hello announces becomes `a`, and the
   * peers hear it (new streams carry it; established ones are reopened). Optional: a transport
   * without it leaves the old announcement until its streams reconnect. Never blocks.
   */
  reannounce?(a: Announcement): void;
}

/** What a node's Hello says about its groups (issue 8 finding 5; crash-verdict ranking). */
export interface Announcement {
  /** The tie-break addresses its adverts carry. */
  readonly primaryAddresses: readonly string[];
  /** The unicast groups it runs: a witness hears adverts only of announced groups. */
  readonly groups: readonly string[];
  readonly standing: readonly GroupStanding[];
}
