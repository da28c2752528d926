/**
 * Lease frames (src/wire/lease-frame.ts) and the fields issue 8 added to Hello and AdvertBody:
 * golden bytes labelled per field, round trips, and decode never throws.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAdvertBody, describeAdvertBody, encodeAdvertBody, type AdvertBody } from '../../../src/wire/advert-body.js';
import { fromHex, labelledHex } from '../../golden/bytes.js';
import { decodeFrame, describeFrame, encodeFrame, type Frame } from '../../../src/wire/peer-frame.js';

const hex = fromHex;
const labelled = labelledHex;

describe('lease frames: golden bytes', () => {
  it('LeaseAck {group web, term 7, echo 1000}', () => {
    const bytes = labelled(`
      22 0a          Frame.lease_ack (field 4, length-delimited), 10 bytes
      0a 03 776562   group "web"
      10 07          term 7
      18 e807        echo 1000 (varint)
    `);
    const f: Frame = { leaseAck: { group: 'web', term: 7, echo: 1000 } };
    assert.deepEqual(Uint8Array.from(encodeFrame(f)), bytes);
    assert.deepEqual(decodeFrame(bytes), { ok: true, value: f });
    assert.equal(describeFrame(f), 'lease ack web term 7 echo 1000');
  });

  it('LeaseRelinquish {group web, term 7}', () => {
    const bytes = labelled(`
      2a 07          Frame.lease_relinquish (field 5, length-delimited), 7 bytes
      0a 03 776562   group "web"
      10 07          term 7
    `);
    const f: Frame = { leaseRelinquish: { group: 'web', term: 7 } };
    assert.deepEqual(Uint8Array.from(encodeFrame(f)), bytes);
    assert.deepEqual(decodeFrame(bytes), { ok: true, value: f });
    assert.equal(describeFrame(f), 'lease relinquish web term 7');
  });

  it('LeaseRefusal {group web, term 1, granted term 300} (field 6)', () => {
    const bytes = labelled(`
      32 0a          Frame.lease_refusal (field 6, length-delimited), 10 bytes
      0a 03 776562   group "web"
      10 01          term 1
      18 ac02        granted_term 300 (varint)
    `);
    const f: Frame = { leaseRefusal: { group: 'web', term: 1, grantedTerm: 300 } };
    assert.deepEqual(Uint8Array.from(encodeFrame(f)), bytes);
    assert.deepEqual(decodeFrame(bytes), { ok: true, value: f });
    assert.equal(describeFrame(f), 'lease refusal web term 1 granted term 300');
    const noGroup = decodeFrame(encodeFrame({ leaseRefusal: { group: '', term: 1, grantedTerm: 2 } }));
    assert.equal(noGroup.ok === false && noGroup.reason, 'lease refusal without a group');
  });

  it('AdvertBody.lease_echo is field 11, present only when set (0 included)', () => {
    const body: AdvertBody = { clusterId: 'c', group: 'g', vrid: 1, nodeId: 'n', address: '', priority: 1, advertIntervalCs: 10, term: 0, sequence: 0, sentAtMs: 0 };
    const without = encodeAdvertBody(body);
    const withZero = encodeAdvertBody({ ...body, leaseEcho: 0 });
    assert.deepEqual(Uint8Array.from(withZero.subarray(without.length)), hex('58 00'), 'tag (11 << 3 | varint) = 0x58, value 0');
    assert.deepEqual(decodeAdvertBody(without), { ok: true, value: body });
    assert.deepEqual(decodeAdvertBody(withZero), { ok: true, value: { ...body, leaseEcho: 0 } });
    assert.match(describeAdvertBody({ ...body, leaseEcho: 5 }), /lease echo 5$/);
    const withPromise = encodeAdvertBody({ ...body, leaseEcho: 0, leasePromiseMs: 650 });
    assert.deepEqual(Uint8Array.from(withPromise.subarray(without.length)), hex('58 00 60 8a05'), 'lease_promise_ms: tag 12 << 3 = 0x60, 650 as a varint');
    assert.deepEqual(decodeAdvertBody(withPromise), { ok: true, value: { ...body, leaseEcho: 0, leasePromiseMs: 650 } });
    assert.match(describeAdvertBody({ ...body, leaseEcho: 5, leasePromiseMs: 650 }), /lease echo 5 promise 650 ms$/);
  });

  it('Hello.primary_addresses (5) and groups (6)', () => {
    const f: Frame = { hello: { clusterId: 'c', nodeId: 'n', address: 'a:1', revision: 1, primaryAddresses: ['192.0.2.1'], groups: ['web', 'db'] } };
    const bytes = encodeFrame(f);
    const tail = labelled(`
      2a 09 3139322e302e322e31   primary_addresses "192.0.2.1"
      32 03 776562               groups "web"
      32 02 6462                 groups "db"
    `);
    assert.deepEqual(Uint8Array.from(bytes.subarray(bytes.length - tail.length)), tail);
    assert.deepEqual(decodeFrame(bytes), { ok: true, value: f });
    assert.equal(describeFrame(f), 'hello from n@a:1 cluster c addresses 192.0.2.1 groups web,db');
    // An older peer's Hello (neither field) decodes with the defaults: no address, no groups.
    const old = encodeFrame({ hello: { clusterId: 'c', nodeId: 'n', address: 'a:1', revision: 1 } });
    assert.deepEqual(decodeFrame(old), { ok: true, value: { hello: { clusterId: 'c', nodeId: 'n', address: 'a:1', revision: 1, primaryAddresses: [], groups: [] } } });
  });
});

describe('lease frames: syntax errors are reasons', () => {
  it('no group, or a number beyond 2^53', () => {
    const reason = (f: Frame) => {
      const d = decodeFrame(encodeFrame(f));
      return d.ok ? 'ok' : d.reason;
    };
    assert.equal(reason({ leaseAck: { group: '', term: 1, echo: 1 } }), 'lease ack without a group');
    assert.equal(reason({ leaseAck: { group: 'g', term: 2 ** 60, echo: 1 } }), `lease ack term ${2 ** 60} is not a safe integer`);
    assert.equal(reason({ leaseAck: { group: 'g', term: 1, echo: 2 ** 60 } }), `lease ack echo ${2 ** 60} is not a safe integer`);
    assert.equal(reason({ leaseRelinquish: { group: '', term: 1 } }), 'lease relinquish without a group');
    assert.equal(reason({ leaseRelinquish: { group: 'g', term: 2 ** 60 } }), `lease relinquish term ${2 ** 60} is not a safe integer`);
  });
});

describe('lease frames: properties', () => {
  const safe = fc.maxSafeNat();
  it('round trip', () => {
    fc.assert(fc.property(fc.string({ minLength: 1 }), safe, safe, (group, term, echo) => {
      assert.deepEqual(decodeFrame(encodeFrame({ leaseAck: { group, term, echo } })), { ok: true, value: { leaseAck: { group, term, echo } } });
      assert.deepEqual(decodeFrame(encodeFrame({ leaseRelinquish: { group, term } })), { ok: true, value: { leaseRelinquish: { group, term } } });
    }));
  });

  it('decode never throws, on random bytes and on mutated lease frames', () => {
    const seed = encodeFrame({ leaseAck: { group: 'web', term: 7, echo: 1000 } });
    const mutated = fc.array(fc.tuple(fc.nat(seed.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((edits) => {
      const b = Uint8Array.from(seed);
      for (const [i, v] of edits) b[i] = v;
      return b;
    });
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 64 }), mutated), (bytes) => {
      const f = decodeFrame(bytes);
      assert.ok(f.ok || f.reason.length > 0);
      const a = decodeAdvertBody(bytes);
      assert.ok(a.ok || a.reason.length > 0);
    }), { numRuns: 3000 });
  });
});
