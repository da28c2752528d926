/**
 * Advert keys that rotate without a restart (hitless reload, docs/api.md "Reload"): the gRPC
 * transport signs and verifies through this signer, which hands each call to the keyring of
 * the configuration now in force. A new keyring is built (and checked) before it replaces the
 * old one, so a bad key set never leaves the node without one.
 */
import type { AdvertSigner } from '../adapters/grpc/grpc-transport.js';
import type { AuthConfig } from '../config/types.js';
import { Keyring } from '../security/signing.js';

export class RotatingSigner implements AdvertSigner {
  private keyring: Keyring | undefined;

  /** Builds the keyring of `auth` (throws a SecurityError naming the key) and uses it from now on. */
  use(auth: AuthConfig): void {
    this.keyring = new Keyring({ keys: auth.keys, mode: auth.mode, ...(auth.activeKeyId ? { activeKeyId: auth.activeKeyId } : {}) });
  }

  get keyIds(): string[] {
    return this.keyring?.keyIds() ?? [];
  }

  sign(body: Uint8Array): ReturnType<AdvertSigner['sign']> {
    if (!this.keyring) throw new Error('no advert keys yet');
    return this.keyring.sign(body);
  }

  verify(body: Uint8Array, keyId?: string, mac?: Uint8Array): ReturnType<AdvertSigner['verify']> {
    if (!this.keyring) return { accept: false, verdict: 'unknown-key' };
    return this.keyring.verify(body, keyId, mac);
  }
}
