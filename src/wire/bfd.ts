/**
 * BFD Control packets (RFC 5880 §4.1) with their optional Authentication Section (§4.2-§4.4),
 * the payload of UDP to port 3784 (single hop, RFC 5881 §4) or 4784 (multihop, RFC 5883 §5).
 * encode / decode / describe.
 *
 * decode applies the reception checks of RFC 5880 §6.8.6 that need no session (version, Length,
 * Detect Mult, the Multipoint bit, My Discriminator, Your Discriminator against State) and the
 * layout of the Authentication Section, returns a typed drop reason, and never throws. The
 * checks that need a session (which session? is authentication in use? does the digest match?
 * is the sequence number in the window?) belong to the session core (src/core/bfd/) and the
 * adapter that holds the keys (src/adapters/bfd/).
 */

/** RFC 5880 §4.1: the version this document defines. */
export const BFD_VERSION = 1;
/** §4.1: the mandatory section is 24 bytes. */
export const BFD_HEADER_LENGTH = 24;
/** §6.8.6: with the A bit set, the Length is at least 26 (the mandatory part plus Type and Len). */
export const BFD_MIN_AUTH_PACKET_LENGTH = 26;
/** RFC 5881 §4: single-hop control packets go to UDP 3784. */
export const BFD_SINGLE_HOP_PORT = 3784;
/** RFC 5883 §5: multihop control packets go to UDP 4784. */
export const BFD_MULTIHOP_PORT = 4784;
/** RFC 5881 §4: the source port MUST be 49152-65535 (and unique per session, RFC 5881 §4). */
export const BFD_SOURCE_PORT_MIN = 49152;
export const BFD_SOURCE_PORT_MAX = 65535;

import {
  BFD_STATES, BfdAuthType, type BfdAuth, type BfdControlPacket, type BfdKeyedAuth, type BfdState,
} from '../core/bfd/packet.js';

export {
  BFD_DIAGNOSTICS, BFD_STATES, BfdAuthType, BfdDiag, type BfdAuth, type BfdControlPacket, type BfdKeyedAuth,
  type BfdSimplePasswordAuth, type BfdState,
} from '../core/bfd/packet.js';

const AUTH_TYPE_NAMES: Record<number, string> = {
  1: 'Simple Password', 2: 'Keyed MD5', 3: 'Meticulous Keyed MD5', 4: 'Keyed SHA1', 5: 'Meticulous Keyed SHA1',
};
/** §4.3: Auth Len of Keyed / Meticulous Keyed MD5. */
export const BFD_MD5_AUTH_LENGTH = 24;
/** §4.4: Auth Len of Keyed / Meticulous Keyed SHA1. */
export const BFD_SHA1_AUTH_LENGTH = 28;
/** §4.4: the Auth Key/Hash field of the SHA1 types is 20 bytes. */
export const BFD_SHA1_DIGEST_LENGTH = 20;
/** §4.3: the Auth Key/Digest field of the MD5 types is 16 bytes. */
export const BFD_MD5_DIGEST_LENGTH = 16;

/**
 * Why decode refused a packet; counted in `vipd_bfd_dropped_total{reason}` (docs/metrics.md).
 * Each is a MUST-discard of RFC 5880 §6.8.6 (or of the §4.2-§4.4 layout it relies on).
 */
export const BFD_DECODE_DROP_REASONS = [
  'bad-version', 'short-length', 'length-exceeds-payload', 'zero-detect-mult', 'multipoint',
  'zero-my-discriminator', 'zero-your-discriminator', 'bad-auth-section',
] as const;
export type BfdDecodeDropReason = (typeof BFD_DECODE_DROP_REASONS)[number];

export type BfdDecoded =
  | { ok: true; value: BfdControlPacket }
  | { ok: false; reason: BfdDecodeDropReason; detail: string };

const MAX_U32 = 0xffffffff;

/** Auth Len for a section, per §4.2-§4.4. */
export function authLength(auth: BfdAuth): number {
  if (auth.type === BfdAuthType.SimplePassword) return 3 + auth.password.length;
  return auth.type === BfdAuthType.KeyedMd5 || auth.type === BfdAuthType.MeticulousKeyedMd5 ? BFD_MD5_AUTH_LENGTH : BFD_SHA1_AUTH_LENGTH;
}

const digestLength = (type: BfdKeyedAuth['type']): number =>
  type === BfdAuthType.KeyedMd5 || type === BfdAuthType.MeticulousKeyedMd5 ? BFD_MD5_DIGEST_LENGTH : BFD_SHA1_DIGEST_LENGTH;

/** Where the digest of a keyed section starts: 24 (header) + Type, Len, Key ID, Reserved, Sequence. */
export const BFD_DIGEST_OFFSET = BFD_HEADER_LENGTH + 8;

const u32 = (b: Uint8Array, i: number): number =>
  (((b[i] ?? 0) << 24) >>> 0) + ((b[i + 1] ?? 0) << 16) + ((b[i + 2] ?? 0) << 8) + (b[i + 3] ?? 0);

function putU32(b: Uint8Array, i: number, v: number): void {
  b[i] = (v >>> 24) & 0xff;
  b[i + 1] = (v >>> 16) & 0xff;
  b[i + 2] = (v >>> 8) & 0xff;
  b[i + 3] = v & 0xff;
}

function checkRange(what: string, v: number, lo: number, hi: number): void {
  if (!Number.isInteger(v) || v < lo || v > hi) throw new RangeError(`BFD ${what} ${v} is not ${lo}-${hi}`);
}

/**
 * The packet's bytes. Throws RangeError on what no one may send (RFC 5880 §6.8.7: Detect Mult
 * and My Discriminator nonzero; §6.5: Poll and Final not both; M always zero, so not a field).
 * A keyed section is encoded with the digest it carries: to sign, encode with the key in it
 * (§6.7.3/§6.7.4 compute the digest over the packet with the key in the digest field), hash, and
 * write the hash at BFD_DIGEST_OFFSET (src/adapters/bfd/auth.ts does this).
 */
export function encodeBfd(p: BfdControlPacket): Uint8Array {
  checkRange('Diag', p.diag, 0, 31);
  checkRange('Detect Mult', p.detectMult, 1, 255);
  checkRange('My Discriminator', p.myDiscriminator, 1, MAX_U32);
  checkRange('Your Discriminator', p.yourDiscriminator, 0, MAX_U32);
  checkRange('Desired Min TX Interval', p.desiredMinTxUs, 0, MAX_U32);
  checkRange('Required Min RX Interval', p.requiredMinRxUs, 0, MAX_U32);
  checkRange('Required Min Echo RX Interval', p.requiredMinEchoRxUs, 0, MAX_U32);
  if (p.poll && p.final) throw new RangeError('BFD Poll and Final are both set (RFC 5880 §6.5 forbids it)');
  const state = BFD_STATES.indexOf(p.state);
  if (state < 0) throw new RangeError(`BFD state ${String(p.state)} is not one of ${BFD_STATES.join(', ')}`);
  const auth = p.auth;
  if (auth) {
    checkRange('Auth Key ID', auth.keyId, 0, 255);
    if (auth.type === BfdAuthType.SimplePassword) {
      checkRange('password length', auth.password.length, 1, 16);
    } else {
      checkRange('Sequence Number', auth.sequence, 0, MAX_U32);
      const want = digestLength(auth.type);
      if (auth.digest.length !== want) throw new RangeError(`BFD ${AUTH_TYPE_NAMES[auth.type]} digest is ${auth.digest.length} bytes; should be ${want}`);
    }
  }
  const length = BFD_HEADER_LENGTH + (auth ? authLength(auth) : 0);
  const out = new Uint8Array(length);
  out[0] = (BFD_VERSION << 5) | p.diag;
  out[1] = (state << 6) | (p.poll ? 0x20 : 0) | (p.final ? 0x10 : 0) | (p.controlPlaneIndependent ? 0x08 : 0)
    | (auth ? 0x04 : 0) | (p.demand ? 0x02 : 0);
  out[2] = p.detectMult;
  out[3] = length;
  putU32(out, 4, p.myDiscriminator);
  putU32(out, 8, p.yourDiscriminator);
  putU32(out, 12, p.desiredMinTxUs);
  putU32(out, 16, p.requiredMinRxUs);
  putU32(out, 20, p.requiredMinEchoRxUs);
  if (auth) {
    out[24] = auth.type;
    out[25] = authLength(auth);
    out[26] = auth.keyId;
    if (auth.type === BfdAuthType.SimplePassword) {
      out.set(auth.password, 27);
    } else {
      // out[27] is Reserved: zero (§4.3, §4.4).
      putU32(out, 28, auth.sequence);
      out.set(auth.digest, BFD_DIGEST_OFFSET);
    }
  }
  return out;
}

const drop = (reason: BfdDecodeDropReason, detail: string): BfdDecoded => ({ ok: false, reason, detail });

function decodeAuth(bytes: Uint8Array, length: number): BfdAuth | string {
  const type = bytes[24] ?? 0;
  const len = bytes[25] ?? 0;
  if (BFD_HEADER_LENGTH + len !== length) return `Auth Len ${len} does not fill the packet Length ${length} (24 + Auth Len)`;
  const keyId = bytes[26] ?? 0;
  if (type === BfdAuthType.SimplePassword) {
    if (len < 4 || len > 19) return `Simple Password Auth Len is ${len}; should be 4-19 (§4.2)`;
    return { type, keyId, password: bytes.slice(27, BFD_HEADER_LENGTH + len) };
  }
  if (type >= BfdAuthType.KeyedMd5 && type <= BfdAuthType.MeticulousKeyedSha1) {
    const t = type as BfdKeyedAuth['type'];
    const want = digestLength(t) === BFD_MD5_DIGEST_LENGTH ? BFD_MD5_AUTH_LENGTH : BFD_SHA1_AUTH_LENGTH;
    if (len !== want) return `${AUTH_TYPE_NAMES[t]} Auth Len is ${len}; should be ${want} (§4.${want === BFD_MD5_AUTH_LENGTH ? 3 : 4})`;
    return { type: t, keyId, sequence: u32(bytes, 28), digest: bytes.slice(BFD_DIGEST_OFFSET, BFD_HEADER_LENGTH + len) };
  }
  return `Auth Type ${type} is reserved (1-5 are defined, §4.1)`;
}

/**
 * Parse the UDP payload `bytes`. Bytes past the Length field are ignored (a trailer the
 * encapsulation added); a Length longer than the payload is a drop (§6.8.6).
 */
export function decodeBfd(bytes: Uint8Array): BfdDecoded {
  if (bytes.length < BFD_HEADER_LENGTH) {
    return drop('short-length', `payload is ${bytes.length} bytes; shorter than the 24-byte mandatory section`);
  }
  const version = (bytes[0] ?? 0) >> 5;
  if (version !== BFD_VERSION) return drop('bad-version', `version ${version} is not 1`);
  const flags = bytes[1] ?? 0;
  const authPresent = (flags & 0x04) !== 0;
  const length = bytes[3] ?? 0;
  const minimum = authPresent ? BFD_MIN_AUTH_PACKET_LENGTH : BFD_HEADER_LENGTH;
  if (length < minimum) return drop('short-length', `Length ${length} is less than ${minimum}${authPresent ? ' (A bit set)' : ''}`);
  if (length > bytes.length) return drop('length-exceeds-payload', `Length ${length} is more than the ${bytes.length}-byte UDP payload`);
  const detectMult = bytes[2] ?? 0;
  if (detectMult === 0) return drop('zero-detect-mult', 'Detect Mult is 0');
  if ((flags & 0x01) !== 0) return drop('multipoint', 'Multipoint (M) bit is set');
  const myDiscriminator = u32(bytes, 4);
  if (myDiscriminator === 0) return drop('zero-my-discriminator', 'My Discriminator is 0');
  const yourDiscriminator = u32(bytes, 8);
  const state = BFD_STATES[flags >> 6] as BfdState;
  if (yourDiscriminator === 0 && state !== 'Down' && state !== 'AdminDown') {
    return drop('zero-your-discriminator', `Your Discriminator is 0 in state ${state} (allowed only in Down and AdminDown)`);
  }
  if (!authPresent && length !== BFD_HEADER_LENGTH) {
    return drop('short-length', `Length ${length} with the A bit clear; should be 24`);
  }
  let auth: BfdAuth | undefined;
  if (authPresent) {
    const a = decodeAuth(bytes, length);
    if (typeof a === 'string') return drop('bad-auth-section', a);
    auth = a;
  }
  const value: BfdControlPacket = {
    diag: (bytes[0] ?? 0) & 0x1f,
    state,
    poll: (flags & 0x20) !== 0,
    final: (flags & 0x10) !== 0,
    controlPlaneIndependent: (flags & 0x08) !== 0,
    demand: (flags & 0x02) !== 0,
    detectMult,
    myDiscriminator,
    yourDiscriminator,
    desiredMinTxUs: u32(bytes, 12),
    requiredMinRxUs: u32(bytes, 16),
    requiredMinEchoRxUs: u32(bytes, 20),
  };
  if (auth) value.auth = auth;
  return { ok: true, value };
}

const us = (v: number): string => (v % 1000 === 0 ? `${v / 1000}ms` : `${v}us`);

/** tcpdump-ish: "BFDv1 Up diag 0 P mult 3 my 0x1 your 0x2 tx 20ms rx 20ms echo 0us auth Meticulous Keyed SHA1 key 7 seq 42". */
export function describeBfd(p: BfdControlPacket): string {
  const flags = [p.poll && 'P', p.final && 'F', p.controlPlaneIndependent && 'C', p.demand && 'D'].filter(Boolean).join('');
  const hex = (v: number): string => `0x${v.toString(16)}`;
  let auth = '';
  if (p.auth) {
    auth = ` auth ${AUTH_TYPE_NAMES[p.auth.type]} key ${p.auth.keyId}` + (p.auth.type === BfdAuthType.SimplePassword ? '' : ` seq ${p.auth.sequence}`);
  }
  return `BFDv1 ${p.state} diag ${p.diag}${flags ? ` ${flags}` : ''} mult ${p.detectMult} my ${hex(p.myDiscriminator)} ` +
    `your ${hex(p.yourDiscriminator)} tx ${us(p.desiredMinTxUs)} rx ${us(p.requiredMinRxUs)} echo ${us(p.requiredMinEchoRxUs)}${auth}`;
}
