/**
 * AdvertBundle (src/wire/advert-bundle.ts, Frame field 10): golden bytes labelled per field,
 * round trips, the entry cap, and decode never throws.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeAdvertBody, type AdvertBody } from '../../../src/wire/advert-body.js';
import {
  decodeAdvertBundleBody, describeAdvertBundleBody, encodeAdvertBundleBody, MAX_BUNDLE_ADVERTS,
} from '../../../src/wire/advert-bundle.js';
import { fromHex, labelledHex } from '../../golden/bytes.js';
import { decodeFrame, describeFrame, encodeFrame, type Frame } from '../../../src/wire/peer-frame.js';

const hex = fromHex;
const labelled = labelledHex;

const MAC = new Uint8Array(16).fill(0xab);

describe('AdvertBundle: golden bytes', () => {
  it('AdvertBundleBody of two entries', () => {
    const bytes = labelled(`
      0a 02 aabb     adverts[0] (field 1, length-delimited), 2 bytes
      0a 01 cc       adverts[1], 1 byte
    `);
    assert.deepEqual(Uint8Array.from(encodeAdvertBundleBody([hex('aabb'), hex('cc')])), bytes);
    const d = decodeAdvertBundleBody(bytes);
    assert.ok(d.ok);
    assert.deepEqual(d.value.map((e) => Uint8Array.from(e)), [hex('aabb'), hex('cc')]);
    assert.equal(describeAdvertBundleBody(d.value), 'advert bundle of 2 adverts (3 bytes)');
  });

  it('Frame.advert_bundle {body, key k1, 16-byte MAC} (field 10)', () => {
    const bytes = labelled(`
      52 1f                       Frame.advert_bundle (field 10, length-delimited), 31 bytes
      0a 07 0a02aabb0a01cc        body: the AdvertBundleBody above, 7 bytes
      12 02 6b31                  key_id "k1"
      1a 10 abababababababababababababababab   mac, 16 bytes
    `);
    const f: Frame = { advertBundle: { body: hex('0a02aabb0a01cc'), keyId: 'k1', mac: MAC } };
    assert.deepEqual(Uint8Array.from(encodeFrame(f)), bytes);
    const d = decodeFrame(bytes);
    assert.ok(d.ok, d.ok ? '' : d.reason);
    assert.deepEqual(Uint8Array.from(d.value.advertBundle!.body), f.advertBundle.body);
    assert.equal(d.value.advertBundle!.keyId, 'k1');
    assert.deepEqual(Uint8Array.from(d.value.advertBundle!.mac), MAC);
    assert.equal(describeFrame(d.value), 'signed advert bundle (7 bytes, key k1)');
  });
});

describe('AdvertBundle: decode', () => {
  const body: AdvertBody = {
    clusterId: 'shop', group: 'web', vrid: 51, nodeId: 'a', address: '192.0.2.11', priority: 150, advertIntervalCs: 10, term: 3, sequence: 7, sentAtMs: 1_700_000_000_000,
  };

  it('round-trips real advert bodies, in order', () => {
    const entries = [1, 2, 3].map((i) => encodeAdvertBody({ ...body, group: `g${i}`, sequence: 7 + i }));
    const d = decodeAdvertBundleBody(encodeAdvertBundleBody(entries));
    assert.ok(d.ok);
    assert.deepEqual(d.value.map((e) => Uint8Array.from(e)), entries.map((e) => Uint8Array.from(e)));
  });

  it('refuses an empty bundle, an empty entry, more than MAX_BUNDLE_ADVERTS entries, and an empty envelope', () => {
    assert.deepEqual(decodeAdvertBundleBody(new Uint8Array()), { ok: false, reason: 'advert bundle without adverts' });
    assert.deepEqual(decodeAdvertBundleBody(hex('0a00')), { ok: false, reason: 'advert bundle with an empty advert' });
    const many = encodeAdvertBundleBody(Array.from({ length: MAX_BUNDLE_ADVERTS + 1 }, () => hex('cc')));
    assert.deepEqual(decodeAdvertBundleBody(many), { ok: false, reason: `advert bundle of ${MAX_BUNDLE_ADVERTS + 1} adverts; at most ${MAX_BUNDLE_ADVERTS}` });
    assert.ok(decodeAdvertBundleBody(encodeAdvertBundleBody(Array.from({ length: MAX_BUNDLE_ADVERTS }, () => hex('cc')))).ok);
    assert.deepEqual(decodeFrame(hex('5200')), { ok: false, reason: 'advert bundle with an empty body' });
  });

  it('never throws on random bytes, nor on random bytes inside a bundle envelope', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (bytes) => {
      const d = decodeAdvertBundleBody(bytes);
      assert.ok(d.ok || d.reason.length > 0);
      const f = decodeFrame(encodeFrame({ advertBundle: { body: bytes.length ? bytes : hex('00'), keyId: '', mac: new Uint8Array() } }));
      assert.ok(f.ok);
      const r = decodeFrame(Uint8Array.from([0x52, bytes.length & 0x7f, ...bytes]));
      assert.ok(r.ok || r.reason.length > 0);
    }), { numRuns: 500 });
  });
});
