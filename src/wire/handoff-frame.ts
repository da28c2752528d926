/**
 * Handoff and HandoffDone (proto/vipd/v1/vipd.proto, Frame fields 7 and 8): the direct handoff
 * of issue 10 (docs/leases.md, "Handoff") on the authenticated Peer.Exchange streams (the
 * stream's identity is the sender). Syntax checks only: whether the sender holds the promise it
 * moves, or is the master the successor follows, is the core's business (lease.ts handOver,
 * step.ts onHandoffOffered).
 */
import type { Decoded } from './advert-body.js';

export interface Handoff {
  group: string;
  term: number;
  successor: string;
}

export interface HandoffDone {
  group: string;
  term: number;
}

/** Checks a decoded Handoff; never throws. */
export function checkHandoff(raw: Partial<Handoff> | undefined): Decoded<Handoff> {
  if (!raw?.group) return { ok: false, reason: 'handoff without a group' };
  if (!raw.successor) return { ok: false, reason: 'handoff without a successor' };
  if (!Number.isSafeInteger(raw.term)) return { ok: false, reason: `handoff term ${raw.term} is not a safe integer` };
  return { ok: true, value: { group: raw.group, term: raw.term as number, successor: raw.successor } };
}

/** Checks a decoded HandoffDone; never throws. */
export function checkHandoffDone(raw: Partial<HandoffDone> | undefined): Decoded<HandoffDone> {
  if (!raw?.group) return { ok: false, reason: 'handoff done without a group' };
  if (!Number.isSafeInteger(raw.term)) return { ok: false, reason: `handoff done term ${raw.term} is not a safe integer` };
  return { ok: true, value: { group: raw.group, term: raw.term as number } };
}

export function describeHandoff(h: Handoff): string {
  return `handoff ${h.group} term ${h.term} to ${h.successor}`;
}

export function describeHandoffDone(h: HandoffDone): string {
  return `handoff done ${h.group} term ${h.term}`;
}
