/** Unsolicited Neighbor Advertisement (RFC 4861 §4.4, §7.2.6): labelled bytes, options, decode reasons. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_NODES_IPV6, decodeNeighborAdvert, IPPROTO_ICMPV6, describeNeighborAdvert, encodeNeighborAdvert, unsolicitedNeighborAdvert, type Ipv6Path,
} from '../../src/wire/ndp.js';
import { parseIp } from '../../src/wire/address.js';
import { checksumOver, pseudoHeaderSum } from '../../src/wire/checksum.js';
import { checkTtl } from '../../src/wire/ttl.js';
import { expectedLines, fromHex, joinGroups, labelBytes, type ByteGroup } from './bytes.js';

const PATH: Ipv6Path = { source: 'fe80::1', destination: ALL_NODES_IPV6 };
const NA = unsolicitedNeighborAdvert('2001:db8::50', '00:00:5e:00:02:33');
/** No capture exists: written out by field, checksum computed independently. */
const NA_GROUPS: ByteGroup[] = [
  ['type 136 Neighbor Advertisement', '88'], ['code 0', '00'], ['checksum', 'c9e1'],
  ['flags R=0 S=0 O=1, reserved', '20000000'],
  ['target 2001:db8::50', '20010db8 00000000 00000000 00000050'],
  ['option 2 target link-layer address', '02'], ['option length 1 (8 bytes)', '01'], ['MAC 00:00:5e:00:02:33', '00005e000233'],
];
const reason = (d: { ok: boolean; reason?: string }): string | undefined => (d.ok ? undefined : d.reason);

describe('unsolicited NA', () => {
  it('has Override set, Solicited and Router clear, the VIP as target', () => {
    assert.deepEqual(NA, { router: false, solicited: false, override: true, target: '2001:db8::50', targetMac: '00:00:5e:00:02:33' });
  });
  it('encodes to the labelled bytes', () => assert.deepEqual(labelBytes(NA_GROUPS, encodeNeighborAdvert(NA, PATH)), expectedLines(NA_GROUPS)));
  it('decodes them back', () => assert.deepEqual(decodeNeighborAdvert(joinGroups(NA_GROUPS), PATH), { ok: true, value: NA }));
  it('describes it', () => {
    assert.equal(describeNeighborAdvert(NA), 'ICMPv6 neighbor advertisement, tgt is 2001:db8::50, Flags [override], tll 00:00:5e:00:02:33');
  });
  it('a router sets R', () => {
    const r = unsolicitedNeighborAdvert('2001:db8::50', '00:00:5e:00:02:33', true);
    assert.equal(encodeNeighborAdvert(r, PATH)[4], 0xa0);
    assert.match(describeNeighborAdvert(r), /Flags \[router, override\]/);
  });
  it('receivers demand hop limit 255 (RFC 4861 §7.1.2)', () => assert.equal(checkTtl(64, 6), 'IPv6 hop limit is 64; should be 255'));
});

describe('NA options', () => {
  /** The bare NA plus raw option bytes, with the checksum recomputed. */
  const withOptions = (options: string): Uint8Array => {
    const bare = encodeNeighborAdvert({ ...NA, targetMac: undefined }, PATH);
    const msg = Uint8Array.from([...bare, ...fromHex(options)]);
    const [src, dst] = [parseIp(PATH.source, 6), parseIp(PATH.destination, 6)];
    assert.ok(src && dst);
    const sum = checksumOver(msg, 2, pseudoHeaderSum(src, dst, IPPROTO_ICMPV6, msg.length));
    msg[2] = sum >> 8;
    msg[3] = sum & 0xff;
    return msg;
  };

  it('without options there is no targetMac', () => {
    const bare = { ...NA };
    delete bare.targetMac;
    assert.deepEqual(decodeNeighborAdvert(encodeNeighborAdvert(bare, PATH), PATH), { ok: true, value: bare });
  });
  it('unknown options are skipped (RFC 4861 §4.6)', () => {
    const d = decodeNeighborAdvert(withOptions('0e01000000000000 0201020000000001'), PATH);
    assert.deepEqual(d.ok && d.value.targetMac, '02:00:00:00:00:01');
  });
  it('an option of length 0 is refused', () => {
    assert.equal(reason(decodeNeighborAdvert(withOptions('0200000000000000'), PATH)), 'ND option type 2 has length 0');
  });
  it('an option running past the end is refused', () => {
    assert.equal(reason(decodeNeighborAdvert(withOptions('0202000000000000'), PATH)), 'ND option type 2 is 16 bytes but 8 remain');
  });
  it('a lone trailing byte is refused', () => {
    assert.equal(reason(decodeNeighborAdvert(withOptions('02'), PATH)), 'ND option at byte 24 is cut short');
  });
});

describe('decodeNeighborAdvert reasons', () => {
  const good = encodeNeighborAdvert(NA, PATH);
  const edit = (at: number, value: number): Uint8Array => {
    const copy = Uint8Array.from(good);
    copy[at] = value;
    return copy;
  };
  const cases: ReadonlyArray<readonly [string, Uint8Array, Ipv6Path, string]> = [
    ['23 bytes', good.subarray(0, 23), PATH, 'neighbor advertisement is 23 bytes; shorter than 24'],
    ['a solicitation', edit(0, 135), PATH, 'ICMPv6 type 135 is not Neighbor Advertisement (136)'],
    ['code 1', edit(1, 1), PATH, 'ICMPv6 code 1 is not 0 (RFC 4861 §7.1.2)'],
    ['another source', good, { ...PATH, source: 'fe80::2' }, 'ICMPv6 checksum 0xc9e1 should be 0xc9e0'],
    ['an IPv4 source', good, { ...PATH, source: '192.0.2.1' }, 'source "192.0.2.1" is not an IPv6 address'],
    ['a bad destination', good, { ...PATH, destination: 'x' }, 'destination "x" is not an IPv6 address'],
  ];
  for (const [name, bytes, path, text] of cases) it(`${name}: "${text}"`, () => assert.equal(reason(decodeNeighborAdvert(bytes, path)), text));
});
