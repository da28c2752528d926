export * from './types.js';
export type { GossipItem, Message, MessageType, MemberRecord } from './messages.js';
export { invalidMessage, validGossipItem, validMemberRecord, UINT32_MAX } from './messages.js';
export { initialState, step, nextDeadline, memberList, healthScore } from './step.js';
export { membershipParams, MEMBERSHIP_DEFAULTS, type MembershipBasics } from './params.js';
export {
  suspicionMinMs, suspicionMaxMs, suspicionTimeoutMs, expectedConfirmations, scaleByAwareness, retransmitLimit, pushPullIntervalMs,
} from './timers.js';
export type { Suspicion } from './suspicion.js';
export type { BroadcastQueue, QueuedBroadcast } from './broadcast-queue.js';
export { queueSize, queuedBroadcasts, queuedFor } from './broadcast-queue.js';
export { newerIncarnation, nextIncarnation, incarnationsAhead } from './incarnation.js';
export * from './limits.js';
