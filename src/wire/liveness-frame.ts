/**
 * LivenessReport and LivenessQuery (proto/vipd/v1/vipd.proto, Frame fields 11 and 12): the BFD
 * majority rule's messages between a group's voters (docs/bfd.md), on the authenticated
 * Peer.Exchange streams (the stream's identity is the sender). Syntax checks only: whether the
 * sender is a voter and what its word counts for is src/core/bfd/agreement.ts's business.
 */
import type { Decoded } from './advert-body.js';

export interface LivenessReport {
  subject: string;
  down: boolean;
}

export interface LivenessQuery {
  subject: string;
}

/** Checks a decoded LivenessReport (proto3: `down` false is absent); never throws. */
export function checkLivenessReport(raw: Partial<LivenessReport> | undefined): Decoded<LivenessReport> {
  if (!raw?.subject) return { ok: false, reason: 'liveness report without a subject' };
  return { ok: true, value: { subject: raw.subject, down: raw.down === true } };
}

/** Checks a decoded LivenessQuery; never throws. */
export function checkLivenessQuery(raw: Partial<LivenessQuery> | undefined): Decoded<LivenessQuery> {
  if (!raw?.subject) return { ok: false, reason: 'liveness query without a subject' };
  return { ok: true, value: { subject: raw.subject } };
}

export function describeLivenessReport(r: LivenessReport): string {
  return `liveness report: ${r.subject} ${r.down ? 'down' : 'up'}`;
}

export function describeLivenessQuery(q: LivenessQuery): string {
  return `liveness query about ${q.subject}`;
}
