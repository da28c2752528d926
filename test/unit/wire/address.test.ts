/** Address text <-> bytes: RFC 5952 text for IPv6. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { formatIp, parseIp } from '../../../src/wire/address.js';

describe('formatIp', () => {
  const cases: ReadonlyArray<readonly [string, string]> = [
    ['192.0.2.50', '192.0.2.50'],
    ['2001:0db8:0000:0000:0000:0000:0000:0050', '2001:db8::50'],
    ['ff02::12', 'ff02::12'],
    ['::', '::'],
    ['::1', '::1'],
    ['1::', '1::'],
    ['2001:db8:0:1:1:1:1:1', '2001:db8:0:1:1:1:1:1'], // RFC 5952 §4.2.2: one zero group stays
    ['2001:0:0:1:0:0:0:1', '2001:0:0:1::1'], // §4.2.3: the longest run
    ['2001:db8:0:0:1:0:0:1', '2001:db8::1:0:0:1'], // §4.2.3: the first of equal runs
    ['FE80::ABCD', 'fe80::abcd'], // §4.3: lower case
  ];
  for (const [input, text] of cases) {
    it(`${input} -> ${text}`, () => {
      const bytes = parseIp(input, input.includes(':') ? 6 : 4);
      assert.ok(bytes);
      assert.equal(formatIp(bytes), text);
    });
  }

  it('parse(format(bytes)) returns the bytes, for any 16 bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), (b) => {
      assert.deepEqual(parseIp(formatIp(b), 6), b);
    }));
  });

  it('parseIp refuses the wrong family', () => {
    assert.equal(parseIp('192.0.2.1', 6), undefined);
    assert.equal(parseIp('2001:db8::1', 4), undefined);
    assert.equal(parseIp('not an address', 4), undefined);
  });
});

