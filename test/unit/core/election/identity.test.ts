/** Primary-address tie-break (RFC 5798 §6.4.3): parsing of address literals and the total order. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { addressBytes, compareIdentity, describeIdentity } from '../../../../src/core/election/identity.js';
import type { PeerIdentity } from '../../../../src/core/election/types.js';

const zeros = (n: number): number[] => new Array<number>(n).fill(0);

describe('addressBytes', () => {
  const valid: ReadonlyArray<readonly [string, number[]]> = [
    ['192.0.2.10', [192, 0, 2, 10]],
    ['0.0.0.0', [0, 0, 0, 0]],
    ['255.255.255.255', [255, 255, 255, 255]],
    ['::', zeros(16)],
    ['::1', [...zeros(15), 1]],
    ['1::', [0, 1, ...zeros(14)]],
    ['2001:db8::1', [0x20, 0x01, 0x0d, 0xb8, ...zeros(11), 1]],
    ['2001:0db8:0000:0000:0000:0000:0000:0001', [0x20, 0x01, 0x0d, 0xb8, ...zeros(11), 1]],
    ['FE80::ABCD', [0xfe, 0x80, ...zeros(12), 0xab, 0xcd]],
    ['1:2:3:4:5:6:7:8', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 8]],
    ['1:2:3:4:5:6:7::', [0, 1, 0, 2, 0, 3, 0, 4, 0, 5, 0, 6, 0, 7, 0, 0]],
  ];
  for (const [text, bytes] of valid) {
    it(`parses ${text}`, () => assert.deepEqual(addressBytes(text), bytes));
  }

  it('the compressed and the full form of an IPv6 address give the same bytes', () => {
    assert.deepEqual(addressBytes('2001:db8::1'), addressBytes('2001:0db8:0000:0000:0000:0000:0000:0001'));
    assert.deepEqual(addressBytes('::'), addressBytes('0:0:0:0:0:0:0:0'));
  });

  const invalid: readonly string[] = [
    '', '1.2.3', '1.2.3.4.5', '256.1.1.1', '1.2.3.-4', '1.2.3.4 ', ' 1.2.3.4', '1..2.3', '1.2.3.1000', 'a.b.c.d',
    '1::2::3', 'g::1', ':::', ':1:2:3:4:5:6:7', '1:2:3:4:5:6:7', '1:2:3:4:5:6:7:8:9', '1:2:3:4:5:6:7:8::',
    '::1:2:3:4:5:6:7:8', '12345::1', 'fe80::1%eth0', '::1/128', 'localhost',
  ];
  for (const text of invalid) {
    it(`rejects ${JSON.stringify(text)}`, () => assert.equal(addressBytes(text), undefined));
  }

  it('never throws on arbitrary strings, and returns 4 or 16 bytes of 0..255 when it parses', () => {
    const ipish = fc.string({ unit: fc.constantFrom('0', '1', '9', 'a', 'f', 'g', ':', '.', '::', '255', '256'), maxLength: 20 });
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), ipish), (text) => {
        const bytes = addressBytes(text);
        if (bytes === undefined) return;
        assert.ok(bytes.length === 4 || bytes.length === 16, `${text} gave ${bytes.length} bytes`);
        assert.ok(bytes.every((b) => Number.isInteger(b) && b >= 0 && b <= 255), `${text} gave ${bytes.join(',')}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('compareIdentity', () => {
  const id = (nodeId: string, address?: string): PeerIdentity => (address === undefined ? { nodeId } : { nodeId, address });

  it('compares IPv4 addresses numerically, not as text: 192.0.2.9 < 192.0.2.10', () => {
    // As strings '192.0.2.9' > '192.0.2.10'; node ids are chosen to disagree too.
    assert.ok(compareIdentity(id('z', '192.0.2.9'), id('a', '192.0.2.10')) < 0);
    assert.ok(compareIdentity(id('a', '192.0.2.10'), id('z', '192.0.2.9')) > 0);
    assert.ok(compareIdentity(id('a', '198.51.100.2'), id('b', '192.0.2.255')) > 0);
  });

  it('compares IPv6 addresses numerically', () => {
    assert.ok(compareIdentity(id('z', '2001:db8::9'), id('a', '2001:db8::10')) < 0);
    assert.ok(compareIdentity(id('a', 'fe80::1'), id('z', '2001:db8::ffff')) > 0);
  });

  it('an address beats the node id: the higher address wins whatever the ids', () => {
    assert.ok(compareIdentity(id('aaa', '192.0.2.2'), id('zzz', '192.0.2.1')) > 0);
  });

  it('falls back to the node id when either side has no address', () => {
    assert.ok(compareIdentity(id('n3'), id('n2', '192.0.2.200')) > 0);
    assert.ok(compareIdentity(id('n1', '192.0.2.200'), id('n2')) < 0);
    assert.ok(compareIdentity(id('n1'), id('n2')) < 0);
  });

  it('falls back to the node id when an address does not parse', () => {
    assert.ok(compareIdentity(id('b', 'not-an-ip'), id('a', '192.0.2.200')) > 0);
  });

  it('falls back to the node id when the addresses are equal, in any spelling', () => {
    assert.ok(compareIdentity(id('b', '::1'), id('a', '0:0:0:0:0:0:0:1')) > 0);
    assert.ok(compareIdentity(id('a', '192.0.2.1'), id('b', '192.0.2.1')) < 0);
  });

  it('is 0 only for the same node id and the same address', () => {
    assert.equal(compareIdentity(id('a', '192.0.2.1'), id('a', '192.0.2.1')), 0);
    assert.equal(compareIdentity(id('a'), id('a')), 0);
  });

  it('is antisymmetric: sign(a ? b) = -sign(b ? a)', () => {
    const address = fc.oneof(
      fc.constant(undefined),
      fc.ipV4(),
      fc.ipV6(),
      fc.constantFrom('192.0.2.9', '192.0.2.10', '::1', '0::1', 'bogus', '1.2.3'),
    );
    const peer = fc.record({ nodeId: fc.constantFrom('a', 'b', 'n10', 'n9', ''), address }).map((p) => id(p.nodeId, p.address));
    fc.assert(
      fc.property(peer, peer, (a, b) => {
        const ab = Math.sign(compareIdentity(a, b));
        const ba = Math.sign(compareIdentity(b, a));
        assert.ok(ab === -ba, `${JSON.stringify(a)} vs ${JSON.stringify(b)}: ${ab} and ${ba}`);
      }),
      { numRuns: 2000 },
    );
  });
});

describe('describeIdentity', () => {
  it('shows the address next to the node id when there is one', () => {
    assert.equal(describeIdentity({ nodeId: 'a', address: '192.0.2.1' }), 'a(192.0.2.1)');
    assert.equal(describeIdentity({ nodeId: 'a' }), 'a');
  });
});
