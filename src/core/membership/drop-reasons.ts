/**
 * Why the membership core drops a received message, counted in
 * `vipd_membership_messages_dropped_total{reason}`. INVALID_MESSAGE_REASONS are shape checks
 * (messages.ts `invalidMessage`); the rest are checks against our state.
 *
 * A new reason is one line here; docs/metrics.md lists them all (test/unit/docs/metrics.test.ts
 * checks that it does).
 */
export const INVALID_MESSAGE_REASONS = [
  'not-an-object',
  'bad-sender',
  'bad-ping',
  'bad-ping-req',
  'bad-ack',
  'bad-gossip',
  'bad-join',
  'bad-push-pull',
  'unknown-type',
] as const;

export type InvalidMessageReason = (typeof INVALID_MESSAGE_REASONS)[number];

export const MEMBERSHIP_DROP_REASONS = [
  ...INVALID_MESSAGE_REASONS,
  'not-running',
  'from-self',
  'wrong-target',
  'too-many-relays',
  'unexpected-ack',
  'unexpected-nack',
  // issue 8 finding 7: who may speak, and for whom (step.ts onMessage, probe.ts onPingReq).
  'sender-mismatch',
  'sender-not-allowed',
  'target-not-allowed',
] as const;

export type MembershipDropReason = (typeof MEMBERSHIP_DROP_REASONS)[number];
