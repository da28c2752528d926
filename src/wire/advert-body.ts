/**
 * AdvertBody (proto/vipd/v1/vipd.proto): the signed part of a unicast election advert.
 * encode / decode / describe; decode checks syntax only (fields present and in range) and
 * returns a reason; meaning (our cluster? fresh? signed?) is checked by the receiver.
 */
import { decodeMessage, encodeMessage, protoType } from './proto.js';

export interface AdvertBody {
  clusterId: string;
  group: string;
  vrid: number;
  nodeId: string;
  address: string;
  priority: number;
  advertIntervalCs: number;
  term: number;
  sequence: number;
  sentAtMs: number;
  /** The sender's monotonic ms when it asks for a lease (docs/leases.md); absent otherwise. */
  leaseEcho?: number;
  /** With leaseEcho: the promise asked for, ms (docs/leases.md). */
  leasePromiseMs?: number;
}

export type Decoded<T> = { ok: true; value: T } | { ok: false; reason: string };

const type = () => protoType('AdvertBody');

export function encodeAdvertBody(b: AdvertBody): Uint8Array {
  return encodeMessage(type(), b);
}

export function decodeAdvertBody(bytes: Uint8Array): Decoded<AdvertBody> {
  const d = decodeMessage<AdvertBody & { _leaseEcho?: string; _leasePromiseMs?: string }>(type(), bytes);
  if (!d.ok) return d;
  // protobufjs names each proto3 optional's synthetic oneof; they are not fields.
  const { _leaseEcho: _echo, _leasePromiseMs: _promise, ...b } = d.value;
  if (!b.clusterId) return { ok: false, reason: 'advert has no cluster_id' };
  if (!b.group) return { ok: false, reason: 'advert has no group' };
  if (!b.nodeId) return { ok: false, reason: 'advert has no node_id' };
  if (b.vrid < 1 || b.vrid > 255) return { ok: false, reason: `advert VRID is ${b.vrid}; should be 1-255` };
  if (b.priority > 255) return { ok: false, reason: `advert priority is ${b.priority}; should be 0-255` };
  if (b.advertIntervalCs < 1 || b.advertIntervalCs > 4095) {
    return { ok: false, reason: `advert interval is ${b.advertIntervalCs} cs; should be 1-4095` };
  }
  for (const k of ['term', 'sequence', 'sentAtMs'] as const) {
    if (!Number.isSafeInteger(b[k])) return { ok: false, reason: `advert ${k} ${b[k]} is not a safe integer` };
  }
  if (b.leaseEcho !== undefined && !Number.isSafeInteger(b.leaseEcho)) return { ok: false, reason: `advert lease_echo ${b.leaseEcho} is not a safe integer` };
  return { ok: true, value: b };
}

export function describeAdvertBody(b: AdvertBody): string {
  return `advert ${b.clusterId}/${b.group} vrid ${b.vrid} from ${b.nodeId}${b.address ? `(${b.address})` : ''} ` +
    `priority ${b.priority} interval ${b.advertIntervalCs} cs term ${b.term} seq ${b.sequence}` +
    (b.leaseEcho === undefined ? '' : ` lease echo ${b.leaseEcho}`) + (b.leasePromiseMs === undefined ? '' : ` promise ${b.leasePromiseMs} ms`);
}
