/**
 * BFD liveness reports between the voters of a group (docs/bfd.md "The majority rule"): each
 * voter tells the others what its own BFD session to a node says, and asks them when its own
 * session went Down. The gRPC transport carries them as `LivenessReport` / `LivenessQuery`
 * frames (proto `Frame` fields 11 and 12; `GrpcTransport.sendLiveness` / `onLiveness`, by
 * address); ClusterNode implements this port over it (node id -> address, bfd-peers.ts);
 * tests use an in-memory one.
 */
export type LivenessMessage =
  /** The sender's own BFD session to `subject` is Down (`down`) or Up. */
  | { readonly kind: 'report'; readonly subject: string; readonly down: boolean }
  /** The sender asks for the receiver's view of `subject`. */
  | { readonly kind: 'query'; readonly subject: string };

export interface LivenessReports {
  /**
   * Sends `m` to node `to`. Never blocks, never throws: an unreachable voter simply does not
   * count (a missing report is not a Down).
   */
  send(to: string, m: LivenessMessage): void;
  /**
   * Delivers every message to `handler` with `from` set to the sender's authenticated identity
   * (the peer certificate of the stream), never an id taken from the message. One handler.
   */
  onMessage(handler: (from: string, m: LivenessMessage) => void): void;
}
