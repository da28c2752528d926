/**
 * What one peer may cost us (issue 8 finding 10): streams per connection and per peer, the time
 * a stream may stay silent before its Hello, the frames and bytes per second a peer's streams
 * share, and the size of one frame. Each refusal is counted with a reason from PEER_REFUSALS (metric
 * `vipd_peer_rejected_total{reason,side}`) and logged once per reason per window; the peer only
 * ever learns a generic status (the reason may describe our configuration).
 *
 * The per-peer budgets must never be met by a correct node, or the limit would drop the
 * adverts that keep a backup from taking over. It is computed below from the worst case of the
 * fastest timing preset (src/config/presets.ts `lan`); test/unit/adapters/limits.test.ts checks
 * it against the preset itself.
 */

import { MAX_MEMBERS } from '../../core/membership/limits.js';

/** Why a stream was refused. `side`: accept = a peer dialled us; dial = we dialled it. */
export const PEER_REFUSALS = [
  /** No certificate from the cluster CA, outside its validity, not allow-listed. */
  'identity',
  /** The first frame was not a Hello. */
  'no-hello',
  /** The Hello names another cluster. */
  'wrong-cluster',
  /** The Hello names another node than the certificate on the same connection (either side). */
  'identity-mismatch',
  /** Dialling side: the peer is a genuine node, but not the one we meant to reach at that address. */
  'unexpected-peer',
  /** No Hello within helloDeadlineMs. */
  'hello-timeout',
  /** More than maxStreamsPerConnection on one connection. */
  'too-many-streams',
  /** More than maxStreamsPerPeer streams from one node, over all its connections. */
  'too-many-streams-per-peer',
  /** A frame longer than MAX_FRAME_BYTES (refused before it is decoded). */
  'frame-too-large',
] as const;
export type PeerRefusal = (typeof PEER_REFUSALS)[number];
export type RefusalSide = 'accept' | 'dial';

/** Why a frame on an accepted stream was dropped (`vipd_peer_frames_dropped_total{reason}`). */
export const FRAME_DROPS = [
  'malformed',
  /** Over the sender's frame budget (peerFramesPerSecond). */
  'rate-limited',
  /** Over the sender's byte budget (peerBytesPerSecond). */
  'byte-limited',
  'identity-mismatch',
  'membership-malformed',
] as const;
export type FrameDrop = (typeof FRAME_DROPS)[number];

/**
 * Members the budgets and the frame size are sized for: the membership core's table cap
 * (MAX_MEMBERS, 1024, in src/core/membership/limits.ts), two orders of magnitude above any
 * configured cluster; the allow-list bounds a real one.
 */
export const MAX_CLUSTER_MEMBERS = MAX_MEMBERS;

/**
 * Largest frame we decode. The accepting side checks it on the raw bytes (peer-server.ts) and
 * refuses the stream, counted; the dialling side lets grpc-js check it from the length prefix
 * (`grpc.max_receive_message_length`, service.ts). The largest frame a correct node sends is a
 * push-pull with every member and its gossip: 1,025 records of at most ~125 bytes (63-byte id,
 * a bracketed IPv6 address with port, incarnation, state) and 17 gossip items is ~126 KiB
 * (test/unit/adapters/limits.test.ts measures it), so 256 KiB leaves twice that. The old 1 MiB
 * let a frame of 500,000 empty gossip items (~1 MB on the wire, ~75 MiB decoded) through.
 */
export const MAX_FRAME_BYTES = 256 * 1024;

/**
 * Accepting side: grpc-js refuses a message longer than this from its length prefix, before it
 * buffers it (RESOURCE_EXHAUSTED, seen by us only as a cancelled stream, so not counted). Below
 * it our own MAX_FRAME_BYTES check counts the refusal; buffering such a frame is one copy of at
 * most 1 MiB, never a decode.
 */
export const MAX_BUFFERED_FRAME_BYTES = 1 << 20;

/** VRIDs are unique per node and 1-255 (RFC 5798 §5.2.3, src/config/schema.ts): at most 255 groups. */
const MAX_GROUPS = 255;
/** Advertisement_Interval of the fastest timing preset (src/config/presets.ts `lan`). */
const FASTEST_PRESET_ADVERT_MS = 100;
/** Probe interval of the same preset; the gossip round runs at half of it (core/membership/params.ts). */
const FASTEST_PRESET_PROBE_MS = 200;
/**
 * Election frames one peer sends us per group per advert interval: its advert when it is master
 * and its lease acknowledgement of our advert when it is a voter (docs/leases.md); both at once
 * while two nodes briefly both believe they are master.
 */
const ELECTION_FRAMES_PER_GROUP = 2;
/**
 * Membership frames one peer sends us per probe interval (SWIM, core/membership): 2 gossip
 * rounds, its own ping and ping-req, its ack to our ping, ack + nack for our ping-req, a
 * push-pull or join now and then (7), plus one relayed ping for every other member that asks it
 * to probe us in the same interval (each member asks one intermediary at most once per interval).
 */
const MEMBERSHIP_FRAMES_PER_PROBE = 7 + MAX_CLUSTER_MEMBERS;
const ELECTION_FRAMES_PER_SECOND = MAX_GROUPS * ELECTION_FRAMES_PER_GROUP * (1000 / FASTEST_PRESET_ADVERT_MS);
const MEMBERSHIP_FRAMES_PER_SECOND = MEMBERSHIP_FRAMES_PER_PROBE * (1000 / FASTEST_PRESET_PROBE_MS);

/**
 * The most frames per second a correct peer sends us at the fastest preset:
 * 255 groups x 2 x 10/s = 5,100 election frames + (7 + 1024) x 5/s = 5,155 membership frames,
 * 10,255 frames/s in all.
 */
export const CORRECT_PEER_FRAMES_PER_SECOND = ELECTION_FRAMES_PER_SECOND + MEMBERSHIP_FRAMES_PER_SECOND;

/**
 * Largest election frame (a signed advert with the longest cluster id, group, node id and
 * address, or a lease frame) and largest membership frame other than a member list (17 gossip
 * items of the longest ids: maxGossipPerMessage, core/membership/params.ts, plus one of news
 * for the receiver), as the byte budget counts them; test/unit/adapters/limits.test.ts measures
 * both.
 */
const ELECTION_FRAME_BYTES = 512;
const MEMBERSHIP_FRAME_BYTES = 4096;
/** Member lists (push-pull, join) from one peer: at most one full frame a second. */
const MEMBER_LIST_BYTES_PER_SECOND = MAX_FRAME_BYTES;

/**
 * The most bytes per second a correct peer sends us at the fastest preset: 5,100 election
 * frames x 512 + 5,155 membership frames x 4,096 + 256 KiB of member lists, about 24 MB/s.
 * Decoding cost grows with bytes, not frames, so the frame budget alone would let a peer send
 * its 20,510 frames a second at 256 KiB each.
 */
export const CORRECT_PEER_BYTES_PER_SECOND =
  ELECTION_FRAMES_PER_SECOND * ELECTION_FRAME_BYTES + MEMBERSHIP_FRAMES_PER_SECOND * MEMBERSHIP_FRAME_BYTES + MEMBER_LIST_BYTES_PER_SECOND;

export interface TransportLimits {
  /**
   * A stream that has not said Hello by then is closed (both sides). A correct dialer writes its
   * Hello with the stream's first bytes and a correct server answers at once, so this only has to
   * outlast a round trip plus a stall of the other node's event loop (the simulator allows 2 s).
   */
  readonly helloDeadlineMs: number;
  /**
   * A correct dialer keeps one Exchange stream per connection (peer-link.ts) and opens the next
   * only after the last one broke; 4 leaves room for a stream still being torn down.
   */
  readonly maxStreamsPerConnection: number;
  /**
   * One stream per address we listen on, per dialling node, plus the ones a restarted node
   * leaves until keepalive ends them (service.ts: about 2 s). Bounds an allow-listed node
   * that opens many connections.
   */
  readonly maxStreamsPerPeer: number;
  /** Sustained frame rate one peer's streams share: twice CORRECT_PEER_FRAMES_PER_SECOND. */
  readonly peerFramesPerSecond: number;
  /**
   * Bucket depth: 2 s at that rate, so the frames that queue in our socket while our own event
   * loop stalls for up to 2 s are not dropped when it resumes.
   */
  readonly peerFrameBurst: number;
  /** Sustained bytes per second one peer's frames share: twice CORRECT_PEER_BYTES_PER_SECOND. */
  readonly peerBytesPerSecond: number;
  /** 2 s at that rate, as for frames; always above MAX_FRAME_BYTES. */
  readonly peerByteBurst: number;
}

export const DEFAULT_LIMITS: TransportLimits = Object.freeze({
  helloDeadlineMs: 5000,
  maxStreamsPerConnection: 4,
  maxStreamsPerPeer: 8,
  peerFramesPerSecond: 2 * CORRECT_PEER_FRAMES_PER_SECOND,
  peerFrameBurst: 2 * 2 * CORRECT_PEER_FRAMES_PER_SECOND,
  peerBytesPerSecond: 2 * CORRECT_PEER_BYTES_PER_SECOND,
  peerByteBurst: 2 * 2 * CORRECT_PEER_BYTES_PER_SECOND,
});

/** Generic words for the peer: the detailed reason stays in our log. */
export const REFUSED_DETAILS = 'refused by peer';
