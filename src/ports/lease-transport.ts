/**
 * Carries the lease messages of docs/leases.md between the voters and the master of a
 * `quorum: majority` group: LeaseAck from a voter to the master whose advert it granted,
 * LeaseRefusal from a voter to a master whose term it granted already (docs/leases.md, "Terms"),
 * and LeaseRelinquish from a former master to the group's voters. Implementations: the gRPC
 * transport (frames on the authenticated Peer.Exchange streams, src/wire/lease-frame.ts) and
 * the in-memory one (test/fakes/memory-transport.ts). Whether the sender is a voter of the
 * group is the receiver's business (runtime and core); the transport vouches for `from`.
 */
export type LeaseMessage =
  | { readonly kind: 'ack'; readonly group: string; readonly term: number; readonly echo: number }
  | { readonly kind: 'relinquish'; readonly group: string; readonly term: number }
  /** A voter will never grant the advert of `term`: it granted `grantedTerm` in the group already. */
  | { readonly kind: 'refusal'; readonly group: string; readonly term: number; readonly grantedTerm: number }
  /** The master at `term` hands `group` off to `successor` (docs/leases.md, "Handoff"). */
  | { readonly kind: 'handoff'; readonly group: string; readonly term: number; readonly successor: string }
  /** The successor holds the VIP at its `term`: the old master releases. */
  | { readonly kind: 'handoff-done'; readonly group: string; readonly term: number };

/** A lease message from node `from` (the authenticated sender). Must not throw. */
export type LeaseReceiver = (msg: LeaseMessage, from: string) => void;

export interface LeaseTransport {
  /** Sets where received lease messages go (a second call replaces it). Never blocks. */
  onLease(receiver: LeaseReceiver): void;
  /**
   * Sends one message to the node at `address`. Never blocks and never throws; false when it
   * could not be sent (no link up). Leases tolerate loss: the next advert asks again.
   */
  sendLease(address: string, msg: LeaseMessage): boolean;
}
