/**
 * Maps membership messages between the core's plain data (src/core/membership/messages.ts) and
 * the protobuf frame (proto/vipd/v1/vipd.proto). The core re-checks shape with invalidMessage.
 */
import type { GossipItem, MemberRecord, MemberState, Message } from '../../core/membership/messages.js';
import { assertNever } from '../../core/assert.js';
import type { MembershipFrame, WireGossipItem, WireMemberRecord, WireMemberState } from '../../wire/peer-frame.js';

const toWireState = (s: MemberState): WireMemberState => `MEMBER_STATE_${s.toUpperCase()}` as WireMemberState;
const fromWireState = (s: string): MemberState | undefined =>
  ({ MEMBER_STATE_ALIVE: 'alive', MEMBER_STATE_SUSPECT: 'suspect', MEMBER_STATE_DEAD: 'dead', MEMBER_STATE_LEFT: 'left' } as const)[s];

const gossipKind = { Alive: 'alive', Suspect: 'suspect', Dead: 'dead', Left: 'left' } as const;

function gossipToWire(g: GossipItem): WireGossipItem {
  const base = { state: toWireState(gossipKind[g.type]), id: g.id, incarnation: g.incarnation, address: '', from: '' };
  switch (g.type) {
    case 'Alive':
      return { ...base, address: g.address };
    case 'Suspect':
    case 'Dead':
      return { ...base, from: g.from };
    case 'Left':
      return base;
    default:
      return assertNever(g, 'gossip item');
  }
}

/** An item the core would not accept becomes undefined and is skipped by validGossipItem. */
function gossipFromWire(w: WireGossipItem): GossipItem | undefined {
  switch (fromWireState(w.state)) {
    case 'alive':
      return { type: 'Alive', id: w.id, address: w.address, incarnation: w.incarnation };
    case 'suspect':
      return { type: 'Suspect', id: w.id, incarnation: w.incarnation, from: w.from };
    case 'dead':
      return { type: 'Dead', id: w.id, incarnation: w.incarnation, from: w.from };
    case 'left':
      return { type: 'Left', id: w.id, incarnation: w.incarnation };
    default:
      return undefined;
  }
}

const recordToWire = (r: MemberRecord): WireMemberRecord => ({ id: r.id, address: r.address, incarnation: r.incarnation, state: toWireState(r.state) });
const recordFromWire = (w: WireMemberRecord): MemberRecord => ({ id: w.id, address: w.address, incarnation: w.incarnation, state: fromWireState(w.state) as MemberState });

export function membershipToWire(m: Message): MembershipFrame {
  const base = { from: m.from, fromAddress: m.fromAddress, gossip: 'gossip' in m ? m.gossip.map(gossipToWire) : [] };
  switch (m.type) {
    case 'Ping':
      return { ...base, ping: { seq: m.seq, target: m.target } };
    case 'PingReq':
      return { ...base, pingReq: { seq: m.seq, target: m.target, targetAddress: m.targetAddress, nack: m.nack } };
    case 'Ack':
      return { ...base, ack: { seq: m.seq } };
    case 'Nack':
      return { ...base, nack: { seq: m.seq } };
    case 'Gossip':
      return { ...base, gossipRound: {} };
    case 'Join':
      return { ...base, join: { members: m.members.map(recordToWire) } };
    case 'PushPull':
      return { ...base, pushPull: { reply: m.reply, members: m.members.map(recordToWire) } };
    default:
      return assertNever(m, 'membership message');
  }
}

/** The core message a frame carries (the core validates it again before use). */
export function membershipFromWire(f: MembershipFrame): Message | undefined {
  const env = { from: f.from, fromAddress: f.fromAddress };
  const gossip = f.gossip.map(gossipFromWire).filter((g): g is GossipItem => g !== undefined);
  if (f.ping) return { ...env, type: 'Ping', seq: f.ping.seq, target: f.ping.target, gossip };
  if (f.pingReq) return { ...env, type: 'PingReq', seq: f.pingReq.seq, target: f.pingReq.target, targetAddress: f.pingReq.targetAddress, nack: f.pingReq.nack, gossip };
  if (f.ack) return { ...env, type: 'Ack', seq: f.ack.seq, gossip };
  if (f.nack) return { ...env, type: 'Nack', seq: f.nack.seq, gossip };
  if (f.gossipRound) return { ...env, type: 'Gossip', gossip };
  if (f.join) return { ...env, type: 'Join', members: (f.join.members ?? []).map(recordFromWire) };
  if (f.pushPull) return { ...env, type: 'PushPull', reply: f.pushPull.reply, members: (f.pushPull.members ?? []).map(recordFromWire) };
  return undefined;
}
