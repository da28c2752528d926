/** IPv4 header as a raw socket delivers it: fields, checksum, lengths, and each decode reason. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { decodeIpv4, describeIpv4, encodeIpv4, type Ipv4Packet } from '../../../src/wire/ipv4.js';
import { fromHex } from '../../golden/bytes.js';

/** keepalived's v3 advert as the raw socket hands it over (header + VRRP). */
const CAPTURED = fromHex('45c0 0020 0001 0000 ff70 188f c000 020b e000 0012 3133 9601 000a d3f3 c000 0232');
const reason = (d: { ok: boolean; reason?: string }): string | undefined => (d.ok ? undefined : d.reason);
const edit = (at: number, value: number, bytes = CAPTURED): Uint8Array => {
  const copy = Uint8Array.from(bytes);
  copy[at] = value;
  return copy;
};

describe('decodeIpv4', () => {
  it('returns the fields and the payload', () => {
    const d = decodeIpv4(CAPTURED);
    assert.ok(d.ok);
    const { payload, options, ...fields } = d.value;
    assert.deepEqual(fields, {
      tos: 0xc0, identification: 1, dontFragment: false, moreFragments: false, fragmentOffset: 0, ttl: 255, protocol: 112,
      source: '192.0.2.11', destination: '224.0.0.18',
    });
    assert.deepEqual(payload, CAPTURED.subarray(20));
    assert.equal(options.length, 0);
  });

  it('ignores bytes after the total length (Ethernet padding)', () => {
    const padded = new Uint8Array(46);
    padded.set(CAPTURED);
    const d = decodeIpv4(padded);
    assert.ok(d.ok);
    assert.equal(d.value.payload.length, 12);
  });

  it('reads options and fragment fields', () => {
    const p: Ipv4Packet = {
      tos: 0, identification: 0xbeef, dontFragment: false, moreFragments: true, fragmentOffset: 1480, ttl: 1, protocol: 17,
      source: '203.0.113.1', destination: '203.0.113.2', options: fromHex('94040000'), payload: fromHex('0102'),
    };
    assert.deepEqual(decodeIpv4(encodeIpv4(p)), { ok: true, value: p });
    assert.equal(describeIpv4(p), 'IP (tos 0x0, ttl 1, id 48879, offset 1480, flags [+], proto 17, length 26) 203.0.113.1 > 203.0.113.2');
  });

  const cases: ReadonlyArray<readonly [string, Uint8Array, string]> = [
    ['19 bytes', CAPTURED.subarray(0, 19), 'IPv4 packet is 19 bytes; shorter than the 20-byte header'],
    ['version 6', edit(0, 0x65), 'IP version 6 is not 4'],
    ['IHL 4', edit(0, 0x44), 'IPv4 header length is 16 bytes; less than 20'],
    ['IHL 15 in 32 bytes', edit(0, 0x4f), 'IPv4 header says 60 bytes but the packet is 32'],
    ['total length 16', edit(3, 16), 'IPv4 total length 16 is less than the 20-byte header'],
    ['total length 40 in 32 bytes', edit(3, 40), 'IPv4 total length is 40 but only 32 bytes arrived'],
    ['TTL changed without the checksum', edit(8, 64), 'IPv4 header checksum 0x188f should be 0xd78f'],
  ];
  for (const [name, bytes, text] of cases) it(`${name}: "${text}"`, () => assert.equal(reason(decodeIpv4(bytes)), text));
});

describe('encodeIpv4', () => {
  const base: Ipv4Packet = {
    tos: 0, identification: 0, dontFragment: true, moreFragments: false, fragmentOffset: 0, ttl: 255, protocol: 112,
    source: '192.0.2.1', destination: '224.0.0.18', options: new Uint8Array(0), payload: new Uint8Array(0),
  };
  it('refuses options that are not whole words', () => assert.throws(() => encodeIpv4({ ...base, options: new Uint8Array(3) }), RangeError));
  it('refuses an unaligned fragment offset', () => assert.throws(() => encodeIpv4({ ...base, fragmentOffset: 12 }), RangeError));
  it('refuses an IPv6 source', () => assert.throws(() => encodeIpv4({ ...base, source: '::1' }), /not an IPv4 address/));
});
