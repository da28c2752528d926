/** HMAC-SHA256/128 signing of election messages: vectors, staged modes, rotation. */
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { SecurityError } from '../../../src/security/errors.js';
import { Keyring, MAC_BYTES, hmac128, type HmacKey, type SigningMode, type Verdict } from '../../../src/security/signing.js';

const k1: HmacKey = { id: 'k1', secret: Buffer.from('000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f', 'hex') };
const k2: HmacKey = { id: 'k2', secret: Buffer.alloc(32, 0x42) };
const body = Buffer.from('vipd|c1|web|term=7|seq=1700000000000000');

describe('HMAC vectors', () => {
  it('RFC 4231 test case 1, truncated to 128 bits', () => {
    // Full HMAC-SHA256: b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7
    const ring = new Keyring({ keys: [{ id: 'rfc', secret: Buffer.alloc(20, 0x0b) }], activeKeyId: 'rfc', mode: 'enforce' });
    assert.equal(ring.sign(Buffer.from('Hi There'))?.mac.toString('hex'), 'b0344c61d8db38535ca8afceaf0bf12b');
  });

  it('golden vector: matches createHmac computed independently, first 16 bytes', () => {
    const independent = createHmac('sha256', k1.secret).update(body).digest().subarray(0, 16).toString('hex');
    assert.equal(independent, 'e13fe03cb0b7beae3222cfff33b871ef'); // also computed with Python's hmac module
    const ring = new Keyring({ keys: [k1], activeKeyId: 'k1', mode: 'permissive' });
    const sig = ring.sign(body);
    assert.deepEqual(sig && { keyId: sig.keyId, mac: sig.mac.toString('hex') }, { keyId: 'k1', mac: independent });
    assert.equal(hmac128(k1.secret, body).length, MAC_BYTES);
  });
});

describe('modes (staged rollout)', () => {
  const signer = new Keyring({ keys: [k1], activeKeyId: 'k1', mode: 'enforce' });
  const good = signer.sign(body);
  assert.ok(good);
  const inputs: Record<Verdict, [string | undefined, Buffer | undefined]> = {
    valid: [good.keyId, good.mac],
    unsigned: [undefined, undefined],
    'unknown-key': ['k9', good.mac],
    'bad-mac': ['k1', Buffer.alloc(16)],
  };
  const table: Record<SigningMode, Record<Verdict, boolean>> = {
    'receive-only': { valid: true, unsigned: true, 'unknown-key': true, 'bad-mac': true },
    permissive: { valid: true, unsigned: true, 'unknown-key': true, 'bad-mac': true },
    enforce: { valid: true, unsigned: false, 'unknown-key': false, 'bad-mac': false },
  };
  for (const [mode, row] of Object.entries(table) as [SigningMode, Record<Verdict, boolean>][]) {
    it(`${mode}: verifies everything, accepts ${Object.entries(row).filter(([, a]) => a).map(([v]) => v).join(', ')}`, () => {
      const ring = new Keyring({ keys: [k1], activeKeyId: 'k1', mode });
      for (const [verdict, accept] of Object.entries(row) as [Verdict, boolean][]) {
        const [keyId, mac] = inputs[verdict];
        assert.deepEqual(ring.verify(body, keyId, mac), { accept, verdict }, `${mode} / ${verdict}`);
      }
    });
  }

  it('receive-only sends unsigned; permissive and enforce sign with the active key', () => {
    assert.equal(new Keyring({ keys: [k1], activeKeyId: 'k1', mode: 'receive-only' }).sign(body), undefined);
    assert.equal(new Keyring({ keys: [k1], mode: 'receive-only' }).sign(body), undefined, 'no active key needed');
    for (const mode of ['permissive', 'enforce'] as const) {
      const sig = new Keyring({ keys: [k1, k2], activeKeyId: 'k2', mode }).sign(body);
      assert.equal(sig?.keyId, 'k2');
      assert.equal(sig?.mac.length, 16);
    }
  });
});

describe('verify', () => {
  const ring = new Keyring({ keys: [k1], activeKeyId: 'k1', mode: 'enforce' });
  const sig = ring.sign(body);
  assert.ok(sig);

  it('the wrong secret under the right key id is bad-mac', () => {
    const impostor = new Keyring({ keys: [{ id: 'k1', secret: Buffer.alloc(32, 7) }], activeKeyId: 'k1', mode: 'enforce' });
    const forged = impostor.sign(body);
    assert.ok(forged);
    assert.deepEqual(ring.verify(body, forged.keyId, forged.mac), { accept: false, verdict: 'bad-mac' });
  });

  it('a changed body, a truncated MAC or a key id without MAC is bad-mac', () => {
    const tampered = Buffer.from(body);
    const last = tampered.length - 1;
    tampered.writeUInt8(tampered.readUInt8(last) ^ 1, last);
    assert.equal(ring.verify(tampered, sig.keyId, sig.mac).verdict, 'bad-mac');
    assert.equal(ring.verify(body, sig.keyId, sig.mac.subarray(0, 15)).verdict, 'bad-mac');
    assert.equal(ring.verify(body, 'k1', undefined).verdict, 'bad-mac');
  });

  it('protobuf defaults (empty key id and MAC) count as unsigned; a MAC without key id as unknown-key', () => {
    assert.equal(ring.verify(body, '', Buffer.alloc(0)).verdict, 'unsigned');
    assert.equal(ring.verify(body, undefined, sig.mac).verdict, 'unknown-key');
  });
});

describe('key rotation', () => {
  it('add the new key everywhere, switch the active key, remove the old one', () => {
    const stage = (keys: HmacKey[], activeKeyId: string) => new Keyring({ keys, activeKeyId, mode: 'enforce' });
    const before = stage([k1], 'k1');
    const added = stage([k1, k2], 'k1'); // step 1, on every node
    const switched = stage([k1, k2], 'k2'); // step 2, node by node
    const after = stage([k2], 'k2'); // step 3, once no node signs with k1

    const oldSig = before.sign(body);
    const newSig = switched.sign(body);
    assert.ok(oldSig && newSig);
    assert.equal(oldSig.keyId, 'k1');
    assert.equal(newSig.keyId, 'k2');
    assert.equal(added.sign(body)?.keyId, 'k1', 'adding a key does not change what is sent');
    // During step 2 nodes on either side of the switch understand each other.
    for (const ring of [added, switched]) {
      assert.deepEqual(ring.verify(body, oldSig.keyId, oldSig.mac), { accept: true, verdict: 'valid' });
      assert.deepEqual(ring.verify(body, newSig.keyId, newSig.mac), { accept: true, verdict: 'valid' });
    }
    // A node not yet given k2 would refuse the new signatures: hence step 1 first, everywhere.
    assert.deepEqual(before.verify(body, newSig.keyId, newSig.mac), { accept: false, verdict: 'unknown-key' });
    assert.deepEqual(after.verify(body, oldSig.keyId, oldSig.mac), { accept: false, verdict: 'unknown-key' });
    assert.deepEqual(after.verify(body, newSig.keyId, newSig.mac), { accept: true, verdict: 'valid' });
  });
});

describe('keyring configuration', () => {
  it('refuses bad keyrings, naming the key', () => {
    const bad: [ConstructorParameters<typeof Keyring>[0], RegExp][] = [
      [{ keys: [], activeKeyId: 'k1', mode: 'enforce' }, /no keys/],
      [{ keys: [{ id: 'short', secret: Buffer.alloc(15) }], activeKeyId: 'short', mode: 'enforce' }, /short: secret is 15 bytes; at least 16/],
      [{ keys: [k1, { ...k2, id: 'k1' }], activeKeyId: 'k1', mode: 'enforce' }, /k1: duplicate key id/],
      [{ keys: [k1], activeKeyId: 'k2', mode: 'enforce' }, /k2: the active key is not among the keys \[k1\]/],
      [{ keys: [{ id: 'has space', secret: k1.secret }], activeKeyId: 'has space', mode: 'enforce' }, /invalid key id/],
      [{ keys: [k1], activeKeyId: 'k1', mode: 'strict' as SigningMode }, /"strict" is not one of receive-only, permissive, enforce/],
      [{ keys: [k1], mode: 'permissive' }, /active key: required in permissive mode/],
    ];
    for (const [opts, reason] of bad) assert.throws(() => new Keyring(opts), (err: unknown) => err instanceof SecurityError && reason.test(err.message));
  });
});
