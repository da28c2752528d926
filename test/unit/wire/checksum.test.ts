/** Internet checksum (RFC 1071) and pseudo-header sums: known answers and the self-check property. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { checksumOver, hex16, internetChecksum, onesComplementSum, pseudoHeaderSum } from '../../../src/wire/checksum.js';
import { parseIp } from '../../../src/wire/address.js';
import { fromHex } from '../../golden/bytes.js';

const ip = (text: string, family: 4 | 6): Uint8Array => parseIp(text, family) ?? assert.fail(text);

describe('internet checksum: known answers', () => {
  it('RFC 1071 §3 example: 00 01 f2 03 f4 f5 f6 f7 sums to 0xddf2, checksum 0x220d', () => {
    const bytes = fromHex('0001 f203 f4f5 f6f7');
    assert.equal(onesComplementSum(bytes), 0xddf2);
    assert.equal(internetChecksum(bytes), 0x220d);
  });

  it('an odd length pads the last byte with zero', () => {
    assert.equal(internetChecksum(fromHex('0102030405')), 0xf6f9);
    assert.equal(internetChecksum(fromHex('0102030405')), internetChecksum(fromHex('010203040500')));
  });

  it('empty input sums to 0, checksum 0xffff', () => {
    assert.equal(onesComplementSum(new Uint8Array(0)), 0);
    assert.equal(internetChecksum(new Uint8Array(0)), 0xffff);
  });

  it('end-around carry: ffff + 0001 folds to 0001', () => assert.equal(onesComplementSum(fromHex('ffff0001')), 0x0001));

  it('IPv4 header of the captured keepalived advert: 0x1887', () => {
    const header = fromHex('45c0 0028 0001 0000 ff70 1887 c000 020b e000 0012');
    assert.equal(checksumOver(header, 10), 0x1887);
    assert.equal(onesComplementSum(header), 0xffff, 'a correct header sums to all ones');
  });

  it('VRRPv2 (RFC 3768 §5.3.8): message only, 0x8697 for the keepalived advert', () => {
    assert.equal(checksumOver(fromHex('21339601 00018697 c0000232 0000000000000000'), 6), 0x8697);
  });

  it('VRRPv3 over IPv4 (RFC 5798 §5.2.8): with the pseudo-header, 0x05f3 for the FRR advert', () => {
    const msg = fromHex('31336401 000a05f3 c0000232');
    const pseudo = pseudoHeaderSum(ip('192.0.2.12', 4), ip('224.0.0.18', 4), 112, msg.length);
    assert.equal(checksumOver(msg, 6, pseudo), 0x05f3);
    assert.notEqual(checksumOver(msg, 6), 0x05f3, 'without it the sum differs');
  });

  it('VRRPv3 over IPv6: 2001:db8::1 -> ff02::12, 0x0f07 (computed independently)', () => {
    const msg = fromHex('31336401 00640000 20010db8000000000000000000000050');
    assert.equal(checksumOver(msg, 6, pseudoHeaderSum(ip('2001:db8::1', 6), ip('ff02::12', 6), 112, msg.length)), 0x0f07);
  });

  it('ICMPv6 (RFC 4443 §2.3): an unsolicited NA fe80::1 -> ff02::1, 0xc9e1 (computed independently)', () => {
    const msg = fromHex('88000000 20000000 20010db8000000000000000000000050 0201 00005e000233');
    assert.equal(checksumOver(msg, 2, pseudoHeaderSum(ip('fe80::1', 6), ip('ff02::1', 6), 58, msg.length)), 0xc9e1);
  });

  it('the pseudo-header wants two addresses of the same family', () => {
    assert.throws(() => pseudoHeaderSum(new Uint8Array(4), new Uint8Array(16), 112, 8), RangeError);
  });

  it('hex16 pads to four digits', () => assert.equal(hex16(0x5f3), '0x05f3'));
});

describe('internet checksum: properties', () => {
  it('a message carrying its checksum sums to 0xffff', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 2, maxLength: 200 }), (bytes) => {
      const m = Uint8Array.from(bytes.length % 2 ? [...bytes, 0] : bytes);
      const sum = checksumOver(m, 0);
      m[0] = sum >> 8;
      m[1] = sum & 0xff;
      return onesComplementSum(m) === 0xffff;
    }));
  });

  it('chaining partial sums over even-length pieces equals summing the whole', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 64 }), (a, b) => {
      const head = a.length % 2 ? a.subarray(1) : a;
      const joined = new Uint8Array(head.length + b.length);
      joined.set(head);
      joined.set(b, head.length);
      return onesComplementSum(b, onesComplementSum(head)) === onesComplementSum(joined);
    }));
  });
});
