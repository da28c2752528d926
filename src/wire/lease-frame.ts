/**
 * LeaseAck, LeaseRefusal and LeaseRelinquish (proto/vipd/v1/vipd.proto): the lease messages of
 * docs/leases.md, two kinds of Frame on the authenticated Peer.Exchange streams (the stream's
 * identity is the sender). Syntax checks only: whether the sender is a voter of the group, and
 * whether the ack belongs to our mastership, is the core's business (lease.ts, step.ts).
 */
import type { Decoded } from './advert-body.js';

export interface LeaseAck {
  group: string;
  term: number;
  echo: number;
}

export interface LeaseRefusal {
  group: string;
  term: number;
  grantedTerm: number;
}

export interface LeaseRelinquish {
  group: string;
  term: number;
}

/** Checks a decoded LeaseAck; never throws. */
export function checkLeaseAck(raw: Partial<LeaseAck> | undefined): Decoded<LeaseAck> {
  if (!raw?.group) return { ok: false, reason: 'lease ack without a group' };
  for (const k of ['term', 'echo'] as const) {
    if (!Number.isSafeInteger(raw[k])) return { ok: false, reason: `lease ack ${k} ${raw[k]} is not a safe integer` };
  }
  return { ok: true, value: { group: raw.group, term: raw.term as number, echo: raw.echo as number } };
}

/** Checks a decoded LeaseRefusal; never throws. */
export function checkLeaseRefusal(raw: Partial<LeaseRefusal> | undefined): Decoded<LeaseRefusal> {
  if (!raw?.group) return { ok: false, reason: 'lease refusal without a group' };
  for (const k of ['term', 'grantedTerm'] as const) {
    if (!Number.isSafeInteger(raw[k])) return { ok: false, reason: `lease refusal ${k} ${raw[k]} is not a safe integer` };
  }
  return { ok: true, value: { group: raw.group, term: raw.term as number, grantedTerm: raw.grantedTerm as number } };
}

/** Checks a decoded LeaseRelinquish; never throws. */
export function checkLeaseRelinquish(raw: Partial<LeaseRelinquish> | undefined): Decoded<LeaseRelinquish> {
  if (!raw?.group) return { ok: false, reason: 'lease relinquish without a group' };
  if (!Number.isSafeInteger(raw.term)) return { ok: false, reason: `lease relinquish term ${raw.term} is not a safe integer` };
  return { ok: true, value: { group: raw.group, term: raw.term as number } };
}

export function describeLeaseAck(a: LeaseAck): string {
  return `lease ack ${a.group} term ${a.term} echo ${a.echo}`;
}

export function describeLeaseRefusal(r: LeaseRefusal): string {
  return `lease refusal ${r.group} term ${r.term} granted term ${r.grantedTerm}`;
}

export function describeLeaseRelinquish(r: LeaseRelinquish): string {
  return `lease relinquish ${r.group} term ${r.term}`;
}
