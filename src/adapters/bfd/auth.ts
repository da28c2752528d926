/**
 * BFD authentication with the cluster's keys: RFC 5880 §6.7.4 Meticulous Keyed SHA1 (Auth
 * Type 5), the packet hashed with the key in the Auth Key/Hash field. docs/bfd.md says why this
 * and not an HMAC-SHA256 variant (standard layout, decoded by tshark, interoperable).
 *
 * The key is not the advert secret itself: each configured key (auth.keys, the same
 * secrets that sign adverts, src/security/signing.ts) yields a 20-byte BFD key by HKDF-SHA256
 * with a BFD-only label, so a BFD digest and an advert MAC never share a key. The one-byte Auth
 * Key ID (§4.4) is derived from the key's id the same way, so every node maps key ids alike;
 * two ids that collide in that byte are both tried (a keyring has a handful of keys).
 *
 * This file computes and checks digests only. The sequence number window (§6.7.4:
 * bfd.RcvAuthSeq, bfd.AuthSeqKnown) is session state and lives in the session core
 * (src/core/bfd/session.ts).
 */
import { createHash, hkdfSync, timingSafeEqual } from 'node:crypto';
import type { HmacKey } from '../../security/signing.js';
import {
  BFD_DIGEST_OFFSET, BFD_SHA1_DIGEST_LENGTH, BfdAuthType, encodeBfd, type BfdControlPacket,
} from '../../wire/bfd.js';

const KEY_LABEL = 'vipd bfd meticulous-keyed-sha1 key v1';
const KEY_ID_LABEL = 'vipd bfd auth key id v1';

export interface BfdKey {
  /** The key's id in the configuration (auth.keys[].id). */
  readonly id: string;
  /** Auth Key ID on the wire (§4.4), derived from `id`. */
  readonly wireId: number;
  /** The 20-byte key put in the Auth Key/Hash field before hashing (§6.7.4). */
  readonly key: Buffer;
}

/** Derives the BFD key of one configured key: HKDF-SHA256(secret, label, id) → 20 bytes. */
export function deriveBfdKey(k: HmacKey): BfdKey {
  const key = Buffer.from(hkdfSync('sha256', k.secret, Buffer.from(KEY_LABEL), Buffer.from(k.id), BFD_SHA1_DIGEST_LENGTH));
  const wireId = createHash('sha256').update(KEY_ID_LABEL).update(k.id).digest()[0] as number;
  return { id: k.id, wireId, key };
}

/** Why a received packet's digest is refused (counted as `auth-<verdict>` drops). */
export type BfdDigestVerdict = 'valid' | 'wrong-type' | 'unknown-key' | 'bad-digest';

function digestOver(bytes: Uint8Array, key: Buffer): Buffer {
  const copy = Buffer.from(bytes);
  key.copy(copy, BFD_DIGEST_OFFSET);
  return createHash('sha1').update(copy).digest();
}

export class BfdAuthenticator {
  private readonly keys: BfdKey[];
  private readonly active: BfdKey;

  /** `activeKeyId` signs; every key verifies (rotation as in signing.ts). Throws if it is unknown. */
  constructor(keys: readonly HmacKey[], activeKeyId: string) {
    this.keys = keys.map(deriveBfdKey);
    const active = this.keys.find((k) => k.id === activeKeyId);
    if (!active) throw new Error(`BFD authentication: active key ${JSON.stringify(activeKeyId)} is not among the keys [${keys.map((k) => k.id).join(', ')}]`);
    this.active = active;
  }

  /**
   * The packet's bytes with a Meticulous Keyed SHA1 section for `sequence` (§6.7.4: the hash of
   * the whole packet with the key in the Auth Key/Hash field, then the hash written there).
   */
  sign(packet: Omit<BfdControlPacket, 'auth'>, sequence: number): Uint8Array {
    const bytes = encodeBfd({
      ...packet,
      auth: { type: BfdAuthType.MeticulousKeyedSha1, keyId: this.active.wireId, sequence, digest: this.active.key },
    });
    createHash('sha1').update(bytes).digest().copy(bytes, BFD_DIGEST_OFFSET);
    return bytes;
  }

  /**
   * Checks the digest of `bytes` (the packet as received, Length bytes) whose decoded form is
   * `packet`. Never throws; constant time in the digest.
   */
  verify(bytes: Uint8Array, packet: BfdControlPacket): BfdDigestVerdict {
    const auth = packet.auth;
    if (!auth || auth.type !== BfdAuthType.MeticulousKeyedSha1) return 'wrong-type';
    const candidates = this.keys.filter((k) => k.wireId === auth.keyId);
    if (candidates.length === 0) return 'unknown-key';
    const length = bytes[3] ?? 0;
    const received = bytes.subarray(0, length);
    for (const k of candidates) {
      if (timingSafeEqual(digestOver(received, k.key), auth.digest)) return 'valid';
    }
    return 'bad-digest';
  }
}
