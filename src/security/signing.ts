/**
 * Election messages are signed with HMAC-SHA256 truncated to 128 bits over the serialized
 * message body, as keepalived 2.4's auth_hmac does. The body already carries cluster id, group,
 * term and a per-sender sequence (the caller serializes it), so a signature cannot be moved to
 * another cluster or group, and replay.ts rejects repeats.
 *
 * Several keys may be known at once, each with an id carried next to the MAC, and one of them
 * is active for signing: that is what makes rotation possible without a flag day. The mode
 * stages a rollout (keepalived's receive-only → permissive → enforce):
 *
 * | mode         | sends     | accepts                        |
 * |--------------|-----------|--------------------------------|
 * | receive-only | unsigned  | everything (verifies)          |
 * | permissive   | signed    | everything (verifies)          |
 * | enforce      | signed    | only a valid MAC by a known key |
 *
 * The Keyring neither logs nor counts: `verify` returns a verdict; the gRPC transport counts
 * every verdict in vipd_advert_signatures_total and logs what it refuses, once per reason per
 * window (src/adapters/grpc/grpc-transport.ts).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { SecurityError } from './errors.js';

/** keepalived auth_hmac: HMAC-SHA256 truncated to 128 bits. */
export const MAC_BYTES = 16;
/** A shorter secret is guessable offline from one captured advert. */
export const MIN_SECRET_BYTES = 16;

export type SigningMode = 'receive-only' | 'permissive' | 'enforce';
export const SIGNING_MODES: readonly SigningMode[] = ['receive-only', 'permissive', 'enforce'];

/**
 * valid: a known key's MAC matches. unsigned: neither key id nor MAC. unknown-key: the key id
 * is not in this keyring (or a MAC came without one). bad-mac: the MAC does not match (wrong
 * secret, tampered body, truncated MAC, or key id without MAC).
 */
export type Verdict = 'valid' | 'unsigned' | 'unknown-key' | 'bad-mac';

export interface HmacKey {
  readonly id: string;
  readonly secret: Buffer;
}

export interface Signature {
  readonly keyId: string;
  readonly mac: Buffer;
}

export interface VerifyResult {
  readonly accept: boolean;
  readonly verdict: Verdict;
}

/** HMAC-SHA256(secret, body), first 16 bytes. */
export function hmac128(secret: Uint8Array, body: Uint8Array): Buffer {
  return createHmac('sha256', secret).update(body).digest().subarray(0, MAC_BYTES);
}

const KEY_ID = /^[A-Za-z0-9._-]{1,64}$/;
const KEY_ID_RULE = '1-64 characters of A-Z, a-z, 0-9, ".", "_" and "-"';
const OP = 'configuring election signing key';

export class Keyring {
  readonly mode: SigningMode;
  /** The key `sign` uses; may be absent in receive-only mode, which sends unsigned. */
  readonly activeKeyId: string | undefined;
  private readonly secrets = new Map<string, Buffer>();

  /**
   * Throws a SecurityError naming the key on: no keys, bad or duplicate id, short secret, an
   * active key id that is unknown, or missing outside receive-only mode.
   */
  constructor(opts: { keys: readonly HmacKey[]; activeKeyId?: string; mode: SigningMode }) {
    if (!SIGNING_MODES.includes(opts.mode)) throw new SecurityError(OP, 'mode', `${JSON.stringify(opts.mode)} is not one of ${SIGNING_MODES.join(', ')}`);
    if (opts.keys.length === 0) throw new SecurityError(OP, 'keys', 'no keys: at least one is needed');
    for (const key of opts.keys) {
      if (!KEY_ID.test(key.id)) throw new SecurityError(OP, JSON.stringify(key.id), `invalid key id: it must be ${KEY_ID_RULE}`);
      if (this.secrets.has(key.id)) throw new SecurityError(OP, key.id, 'duplicate key id: every key needs its own id');
      if (key.secret.length < MIN_SECRET_BYTES) throw new SecurityError(OP, key.id, `secret is ${key.secret.length} bytes; at least ${MIN_SECRET_BYTES} are needed (32 recommended: head -c 32 /dev/urandom | base64)`);
      this.secrets.set(key.id, Buffer.from(key.secret));
    }
    if (opts.activeKeyId === undefined) {
      if (opts.mode !== 'receive-only') throw new SecurityError(OP, 'active key', `required in ${opts.mode} mode: name the key to sign with`);
    } else if (!this.secrets.has(opts.activeKeyId)) {
      throw new SecurityError(OP, opts.activeKeyId, `the active key is not among the keys [${[...this.secrets.keys()].join(', ')}]`);
    }
    this.mode = opts.mode;
    this.activeKeyId = opts.activeKeyId;
  }

  keyIds(): string[] {
    return [...this.secrets.keys()];
  }

  /** The signature to send with `body`; undefined in receive-only mode (send unsigned). */
  sign(body: Uint8Array): Signature | undefined {
    if (this.mode === 'receive-only' || this.activeKeyId === undefined) return undefined;
    const secret = this.secrets.get(this.activeKeyId) as Buffer;
    return { keyId: this.activeKeyId, mac: hmac128(secret, body) };
  }

  /**
   * Judges a received body and its signature. An empty key id or MAC counts as absent (a
   * protobuf default). Always verifies, whatever the mode, so the verdicts (counted by the
   * transport in vipd_advert_signatures_total) show what enforce would refuse before it is
   * switched on. Never throws.
   */
  verify(body: Uint8Array, keyId?: string, mac?: Uint8Array): VerifyResult {
    const verdict = this.judge(body, keyId || undefined, mac && mac.length > 0 ? mac : undefined);
    const accept = verdict === 'valid' || this.mode !== 'enforce';
    return { accept, verdict };
  }

  private judge(body: Uint8Array, keyId: string | undefined, mac: Uint8Array | undefined): Verdict {
    if (keyId === undefined && mac === undefined) return 'unsigned';
    const secret = keyId === undefined ? undefined : this.secrets.get(keyId);
    if (secret === undefined) return 'unknown-key';
    if (mac === undefined || mac.length !== MAC_BYTES) return 'bad-mac';
    // Constant time: a byte-by-byte compare would let an attacker find the MAC one byte at a time.
    return timingSafeEqual(hmac128(secret, body), mac) ? 'valid' : 'bad-mac';
  }
}
