/**
 * Membership messages as plain data (memberlist net.go's message types, Lifeguard's nack).
 * The transport encodes them (protobuf) and checks the cluster id; the core checks meaning.
 * Every message carries the sender's id and the address it listens on, so a receiver can answer
 * a member it has not heard of yet (a joiner, a helper's relayed ping).
 */
import type { InvalidMessageReason } from './drop-reasons.js';

/** memberlist's node states; `left` is a graceful leave (memberlist StateLeft). */
export type MemberState = 'alive' | 'suspect' | 'dead' | 'left';

/** Piggybacked gossip about one member (memberlist's alive / suspect / dead messages). */
export type GossipItem =
  | { readonly type: 'Alive'; readonly id: string; readonly address: string; readonly incarnation: number }
  /** `from` accuses `id`; distinct accusers are Lifeguard's independent confirmations. */
  | { readonly type: 'Suspect'; readonly id: string; readonly incarnation: number; readonly from: string }
  | { readonly type: 'Dead'; readonly id: string; readonly incarnation: number; readonly from: string }
  /** A graceful leave, sent by the member itself with its incarnation + 1. */
  | { readonly type: 'Left'; readonly id: string; readonly incarnation: number };

/** One member in a push-pull state exchange. */
export interface MemberRecord {
  readonly id: string;
  readonly address: string;
  readonly incarnation: number;
  readonly state: MemberState;
}

interface Envelope {
  /** Sender's node id. */
  readonly from: string;
  /** Sender's listen address ("host:port"). */
  readonly fromAddress: string;
}

export type Message =
  /** Direct probe: answer with an Ack carrying `seq`. `target` guards against a reused address. */
  | (Envelope & { readonly type: 'Ping'; readonly seq: number; readonly target: string; readonly gossip: readonly GossipItem[] })
  /** Indirect probe request: ping `target` for me and relay its ack; nack if it stays silent. */
  | (Envelope & {
      readonly type: 'PingReq';
      readonly seq: number;
      readonly target: string;
      readonly targetAddress: string;
      readonly nack: boolean;
      readonly gossip: readonly GossipItem[];
    })
  | (Envelope & { readonly type: 'Ack'; readonly seq: number; readonly gossip: readonly GossipItem[] })
  /** Lifeguard: a helper could not reach the target, so the prober knows its own link works. */
  | (Envelope & { readonly type: 'Nack'; readonly seq: number; readonly gossip: readonly GossipItem[] })
  /** A gossip round: broadcasts only. */
  | (Envelope & { readonly type: 'Gossip'; readonly gossip: readonly GossipItem[] })
  /** Sent to a seed address: my view (at least myself); the seed answers with a PushPull reply. */
  | (Envelope & { readonly type: 'Join'; readonly members: readonly MemberRecord[] })
  /** Full state exchange; a request (reply = false) is answered with the receiver's view. */
  | (Envelope & { readonly type: 'PushPull'; readonly reply: boolean; readonly members: readonly MemberRecord[] });

/** Incarnations and sequence numbers travel as uint32. */
export const UINT32_MAX = 0xffff_ffff;

const isUint32 = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0 && x <= UINT32_MAX;
const isName = (x: unknown): x is string => typeof x === 'string' && x.length > 0 && x.length <= 256;
const isState = (x: unknown): x is MemberState => x === 'alive' || x === 'suspect' || x === 'dead' || x === 'left';

/** Syntax check of one gossip item; a bad item is skipped, not the whole message. */
export function validGossipItem(g: unknown): g is GossipItem {
  if (typeof g !== 'object' || g === null) return false;
  const x = g as Record<string, unknown>;
  if (!isName(x.id) || !isUint32(x.incarnation)) return false;
  switch (x.type) {
    case 'Alive':
      return isName(x.address);
    case 'Suspect':
    case 'Dead':
      return isName(x.from);
    case 'Left':
      return true;
    default:
      return false;
  }
}

export function validMemberRecord(r: unknown): r is MemberRecord {
  if (typeof r !== 'object' || r === null) return false;
  const x = r as Record<string, unknown>;
  return isName(x.id) && isName(x.address) && isUint32(x.incarnation) && isState(x.state);
}

/**
 * Why a received message cannot be used at all, or undefined. Shape only, never meaning;
 * gossip items and member records are checked one by one where they are applied.
 */
export function invalidMessage(m: unknown): InvalidMessageReason | undefined {
  if (typeof m !== 'object' || m === null) return 'not-an-object';
  const x = m as Record<string, unknown>;
  if (!isName(x.from) || !isName(x.fromAddress)) return 'bad-sender';
  switch (x.type) {
    case 'Ping':
      return isUint32(x.seq) && isName(x.target) && Array.isArray(x.gossip) ? undefined : 'bad-ping';
    case 'PingReq':
      return isUint32(x.seq) && isName(x.target) && isName(x.targetAddress) && typeof x.nack === 'boolean' && Array.isArray(x.gossip)
        ? undefined
        : 'bad-ping-req';
    case 'Ack':
    case 'Nack':
      return isUint32(x.seq) && Array.isArray(x.gossip) ? undefined : 'bad-ack';
    case 'Gossip':
      return Array.isArray(x.gossip) ? undefined : 'bad-gossip';
    case 'Join':
      return Array.isArray(x.members) ? undefined : 'bad-join';
    case 'PushPull':
      return typeof x.reply === 'boolean' && Array.isArray(x.members) ? undefined : 'bad-push-pull';
    default:
      return 'unknown-type';
  }
}
