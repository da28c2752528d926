/**
 * Frame (proto/vipd/v1/vipd.proto): what travels on a Peer.Exchange stream. encode / decode /
 * describe; decode never throws and checks syntax only (exactly one kind, Hello fields present,
 * membership items within the caps of src/core/membership/limits.ts: membership-scan.ts).
 */
import type { Decoded } from './advert-body.js';
import {
  checkLeaseAck, checkLeaseRefusal, checkLeaseRelinquish, describeLeaseAck, describeLeaseRefusal, describeLeaseRelinquish, type LeaseAck, type LeaseRefusal, type LeaseRelinquish,
} from './lease-frame.js';
import { checkHandoff, checkHandoffDone, describeHandoff, describeHandoffDone, type Handoff, type HandoffDone } from './handoff-frame.js';
import {
  checkLivenessQuery, checkLivenessReport, describeLivenessQuery, describeLivenessReport, type LivenessQuery, type LivenessReport,
} from './liveness-frame.js';
import { decodeMessage, encodeMessage, protoType } from './proto.js';
import { checkAdvertBundle, describeAdvertBundle, type AdvertBundle } from './advert-bundle.js';
import { membershipOverLimit } from './membership-scan.js';

/**
 * Hello.revision this build sends (docs/wire-compatibility.md, "Revisions"): each revision
 * includes every earlier one's features.
 */
export const PROTOCOL_REVISION = 2;
/** The first revision whose receivers understand Frame.advert_bundle. */
export const REVISION_ADVERT_BUNDLE = 2;

export interface Hello {
  clusterId: string;
  nodeId: string;
  address: string;
  revision: number;
  /** The tie-break addresses its adverts carry (absent: none). */
  primaryAddresses?: string[];
  /** The VIP groups it runs (issue 8 finding 5). */
  groups?: string[];
  /** Its priority and tie-break address per group (crash-verdict ranking, issue 10). */
  standing?: WireGroupStanding[];
}

export interface WireGroupStanding {
  group: string;
  priority: number;
  address: string;
}

export interface SignedAdvert {
  body: Uint8Array;
  keyId: string;
  mac: Uint8Array;
}

export type WireMemberState = 'MEMBER_STATE_ALIVE' | 'MEMBER_STATE_SUSPECT' | 'MEMBER_STATE_DEAD' | 'MEMBER_STATE_LEFT';

export interface WireMemberRecord {
  id: string;
  address: string;
  incarnation: number;
  state: WireMemberState;
}

export interface WireGossipItem {
  state: WireMemberState;
  id: string;
  address: string;
  incarnation: number;
  from: string;
}

/** Membership message as on the wire: exactly one kind is set. */
export interface MembershipFrame {
  from: string;
  fromAddress: string;
  ping?: { seq: number; target: string };
  pingReq?: { seq: number; target: string; targetAddress: string; nack: boolean };
  ack?: { seq: number };
  nack?: { seq: number };
  gossipRound?: Record<string, never>;
  join?: { members: WireMemberRecord[] };
  pushPull?: { reply: boolean; members: WireMemberRecord[] };
  gossip: WireGossipItem[];
}

interface NoKind {
  hello?: undefined;
  advert?: undefined;
  membership?: undefined;
  leaseAck?: undefined;
  leaseRelinquish?: undefined;
  leaseRefusal?: undefined;
  advertBundle?: undefined;
  handoff?: undefined;
  handoffDone?: undefined;
  livenessReport?: undefined;
  livenessQuery?: undefined;
}

export type Frame =
  | (Omit<NoKind, 'hello'> & { hello: Hello })
  | (Omit<NoKind, 'advert'> & { advert: SignedAdvert })
  | (Omit<NoKind, 'membership'> & { membership: MembershipFrame })
  | (Omit<NoKind, 'leaseAck'> & { leaseAck: LeaseAck })
  | (Omit<NoKind, 'leaseRelinquish'> & { leaseRelinquish: LeaseRelinquish })
  | (Omit<NoKind, 'leaseRefusal'> & { leaseRefusal: LeaseRefusal })
  | (Omit<NoKind, 'advertBundle'> & { advertBundle: AdvertBundle })
  | (Omit<NoKind, 'handoff'> & { handoff: Handoff })
  | (Omit<NoKind, 'handoffDone'> & { handoffDone: HandoffDone })
  | (Omit<NoKind, 'livenessReport'> & { livenessReport: LivenessReport })
  | (Omit<NoKind, 'livenessQuery'> & { livenessQuery: LivenessQuery });

const type = () => protoType('Frame');
export const MEMBERSHIP_KINDS = ['ping', 'pingReq', 'ack', 'nack', 'gossipRound', 'join', 'pushPull'] as const;

export function encodeFrame(f: Frame): Uint8Array {
  return encodeMessage(type(), f);
}

interface RawFrame {
  kind?: string;
  hello?: Hello;
  advert?: SignedAdvert;
  membership?: MembershipFrame & { kind?: string };
  leaseAck?: Partial<LeaseAck>;
  leaseRelinquish?: Partial<LeaseRelinquish>;
  leaseRefusal?: Partial<LeaseRefusal>;
  advertBundle?: Partial<AdvertBundle>;
  handoff?: Partial<Handoff>;
  handoffDone?: Partial<HandoffDone>;
  livenessReport?: Partial<LivenessReport>;
  livenessQuery?: Partial<LivenessQuery>;
}

export function decodeFrame(bytes: Uint8Array): Decoded<Frame> {
  // Before any object is built: a frame of 500,000 empty gossip items is refused unread.
  const over = membershipOverLimit(bytes);
  if (over) return { ok: false, reason: over };
  const d = decodeMessage<RawFrame>(type(), bytes);
  if (!d.ok) return d;
  const f = d.value;
  if (f.hello && f.kind === 'hello') {
    if (!f.hello.clusterId || !f.hello.nodeId) return { ok: false, reason: 'hello without cluster_id or node_id' };
    const { standing, ...hello } = f.hello;
    // Absent when empty, as a Hello of before issue 10 decodes.
    return { ok: true, value: { hello: { ...hello, primaryAddresses: hello.primaryAddresses ?? [], groups: hello.groups ?? [], ...(standing?.length ? { standing } : {}) } } };
  }
  if (f.advert && f.kind === 'advert') {
    if (f.advert.body.length === 0) return { ok: false, reason: 'advert with an empty body' };
    return { ok: true, value: { advert: { body: f.advert.body, keyId: f.advert.keyId, mac: f.advert.mac } } };
  }
  if (f.membership && f.kind === 'membership') {
    const m = f.membership;
    if (!m.from) return { ok: false, reason: 'membership message without a sender' };
    const kind = m.kind as (typeof MEMBERSHIP_KINDS)[number] | undefined;
    if (!kind || !MEMBERSHIP_KINDS.includes(kind)) return { ok: false, reason: 'membership message of no known kind' };
    const out: MembershipFrame = { from: m.from, fromAddress: m.fromAddress ?? '', gossip: m.gossip ?? [] };
    Object.assign(out, { [kind]: m[kind] ?? {} });
    return { ok: true, value: { membership: out } };
  }
  if (f.kind === 'leaseAck') {
    const a = checkLeaseAck(f.leaseAck);
    return a.ok ? { ok: true, value: { leaseAck: a.value } } : a;
  }
  if (f.kind === 'leaseRelinquish') {
    const r = checkLeaseRelinquish(f.leaseRelinquish);
    return r.ok ? { ok: true, value: { leaseRelinquish: r.value } } : r;
  }
  if (f.kind === 'leaseRefusal') {
    const r = checkLeaseRefusal(f.leaseRefusal);
    return r.ok ? { ok: true, value: { leaseRefusal: r.value } } : r;
  }
  if (f.kind === 'advertBundle') {
    const b = checkAdvertBundle(f.advertBundle);
    return b.ok ? { ok: true, value: { advertBundle: b.value } } : b;
  }
  if (f.kind === 'handoff') {
    const h = checkHandoff(f.handoff);
    return h.ok ? { ok: true, value: { handoff: h.value } } : h;
  }
  if (f.kind === 'handoffDone') {
    const h = checkHandoffDone(f.handoffDone);
    return h.ok ? { ok: true, value: { handoffDone: h.value } } : h;
  }
  if (f.kind === 'livenessReport') {
    const r = checkLivenessReport(f.livenessReport);
    return r.ok ? { ok: true, value: { livenessReport: r.value } } : r;
  }
  if (f.kind === 'livenessQuery') {
    const q = checkLivenessQuery(f.livenessQuery);
    return q.ok ? { ok: true, value: { livenessQuery: q.value } } : q;
  }
  return { ok: false, reason: 'frame of no known kind' };
}

export function describeFrame(f: Frame): string {
  if (f.hello) {
    const h = f.hello;
    return `hello from ${h.nodeId}@${h.address} cluster ${h.clusterId}` +
      (h.primaryAddresses?.length ? ` addresses ${h.primaryAddresses.join(',')}` : '') + (h.groups?.length ? ` groups ${h.groups.join(',')}` : '');
  }
  if (f.advert) return `signed advert (${f.advert.body.length} bytes, key ${f.advert.keyId || 'none'})`;
  if (f.leaseAck) return describeLeaseAck(f.leaseAck);
  if (f.leaseRelinquish) return describeLeaseRelinquish(f.leaseRelinquish);
  if (f.leaseRefusal) return describeLeaseRefusal(f.leaseRefusal);
  if (f.advertBundle) return describeAdvertBundle(f.advertBundle);
  if (f.handoff) return describeHandoff(f.handoff);
  if (f.handoffDone) return describeHandoffDone(f.handoffDone);
  if (f.livenessReport) return describeLivenessReport(f.livenessReport);
  if (f.livenessQuery) return describeLivenessQuery(f.livenessQuery);
  const m = f.membership;
  const kind = MEMBERSHIP_KINDS.find((k) => m[k] !== undefined) ?? '?';
  return `membership ${kind} from ${m.from} (+${m.gossip.length} gossip)`;
}
