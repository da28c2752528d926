/** AdvertBody and peer Frame (proto/vipd.proto): round trips, decode reasons, descriptions. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeAdvertBody, describeAdvertBody, encodeAdvertBody, type AdvertBody } from '../../../src/wire/advert-body.js';
import { decodeFrame, describeFrame, encodeFrame, type Frame } from '../../../src/wire/peer-frame.js';

const BODY: AdvertBody = {
  clusterId: 'shop', group: 'web', vrid: 51, nodeId: 'a', address: '192.0.2.11', priority: 150, advertIntervalCs: 100, term: 3, sequence: 7, sentAtMs: 1_700_000_000_000,
};

describe('AdvertBody', () => {
  it('round-trips and describes every field a log reader needs', () => {
    const d = decodeAdvertBody(encodeAdvertBody(BODY));
    assert.ok(d.ok);
    assert.deepEqual(d.value, BODY);
    assert.equal(describeAdvertBody(d.value), 'advert shop/web vrid 51 from a(192.0.2.11) priority 150 interval 100 cs term 3 seq 7');
  });

  it('says which field is missing', () => {
    const d = decodeAdvertBody(encodeAdvertBody({ ...BODY, group: '' }));
    assert.deepEqual(d, { ok: false, reason: 'advert has no group' });
  });
});

describe('peer Frame', () => {
  const frames: Array<[Frame, string]> = [
    [{ hello: { clusterId: 'shop', nodeId: 'a', address: '192.0.2.11:7946', revision: 1 } }, 'hello from a@192.0.2.11:7946 cluster shop'],
    [{ advert: { body: encodeAdvertBody(BODY), keyId: 'k1', mac: new Uint8Array(16) } }, `signed advert (${encodeAdvertBody(BODY).length} bytes, key k1)`],
    [{ membership: { from: 'a', fromAddress: '192.0.2.11:7946', gossip: [], ping: { seq: 4, target: 'b' } } }, 'membership ping from a (+0 gossip)'],
    [{ livenessReport: { subject: 'm', down: true } }, 'liveness report: m down'],
    [{ livenessReport: { subject: 'm', down: false } }, 'liveness report: m up'],
    [{ livenessQuery: { subject: 'm' } }, 'liveness query about m'],
  ];
  for (const [frame, text] of frames) {
    it(`round-trips and describes: ${text}`, () => {
      const d = decodeFrame(encodeFrame(frame));
      assert.ok(d.ok, d.ok ? '' : d.reason);
      assert.equal(describeFrame(d.value), text);
    });
  }

  it('refuses liveness frames without a subject', () => {
    assert.deepEqual(decodeFrame(encodeFrame({ livenessReport: { subject: '', down: true } })), { ok: false, reason: 'liveness report without a subject' });
    assert.deepEqual(decodeFrame(encodeFrame({ livenessQuery: { subject: '' } })), { ok: false, reason: 'liveness query without a subject' });
  });

  it('refuses a hello without a node id', () => {
    assert.deepEqual(decodeFrame(encodeFrame({ hello: { clusterId: 'shop', nodeId: '', address: '', revision: 0 } })), { ok: false, reason: 'hello without cluster_id or node_id' });
  });
});
