/** VRRP v2/v3 codec: a hand-built IPv6 advert as labelled bytes, each decode reason, the TTL check, the core mapping. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseIp } from '../../../src/wire/address.js';
import { checksumOver, pseudoHeaderSum } from '../../../src/wire/checksum.js';
import { checkTtl } from '../../../src/wire/ttl.js';
import {
  decodeVrrp, describeVrrp, encodeVrrp, passAuthData, VRRP_MULTICAST_IPV6, type VrrpMessage, type VrrpPath,
} from '../../../src/wire/vrrp.js';
import { fromElectionAdvert, toElectionAdvert } from '../../../src/wire/vrrp-advert.js';
import { expectedLines, fromHex, joinGroups, labelBytes, type ByteGroup } from '../../golden/bytes.js';

const V6_PATH: VrrpPath = { family: 6, source: '2001:db8::1', destination: VRRP_MULTICAST_IPV6 };
const V4_PATH: VrrpPath = { family: 4, source: '192.0.2.11', destination: '224.0.0.18' };
const V6_ADVERT: VrrpMessage = { version: 3, vrid: 51, priority: 100, maxAdvertIntervalCs: 100, addresses: ['2001:db8::50'] };
/** RFC 5798 §5.1: no capture exists, so the bytes are written out by field (checksum computed independently). */
const V6_GROUPS: ByteGroup[] = [
  ['version 3 / type 1', '31'], ['vrid 51', '33'], ['priority 100', '64'], ['count 1', '01'],
  ['rsvd / max adver int 100 cs', '0064'], ['checksum', '0f07'],
  ['address 2001:db8::50', '2001 0db8 0000 0000 0000 0000 0000 0050'],
];
const V2_PATH_BYTES = fromHex('21339601 00018697 c0000232 0000000000000000'); // keepalived's v2 advert

/** Put the right checksum into edited bytes, so that a later check is reached. */
function reseal(bytes: Uint8Array, path: VrrpPath): Uint8Array {
  const out = Uint8Array.from(bytes);
  const v3 = (out[0] ?? 0) >> 4 === 3;
  const [src, dst] = [parseIp(path.source, path.family), parseIp(path.destination, path.family)];
  assert.ok(src && dst);
  const sum = checksumOver(out, 6, v3 ? pseudoHeaderSum(src, dst, 112, out.length) : 0);
  out[6] = sum >> 8;
  out[7] = sum & 0xff;
  return out;
}

const reason = (d: { ok: boolean; reason?: string }): string | undefined => (d.ok ? undefined : d.reason);

describe('VRRPv3 over IPv6 (hand-built)', () => {
  it('encodes to the labelled bytes', () => {
    assert.deepEqual(labelBytes(V6_GROUPS, encodeVrrp(V6_ADVERT, V6_PATH)), expectedLines(V6_GROUPS));
  });
  it('decodes them back', () => assert.deepEqual(decodeVrrp(joinGroups(V6_GROUPS), V6_PATH), { ok: true, value: V6_ADVERT }));
  it('describes it', () => assert.equal(describeVrrp(V6_ADVERT), 'VRRPv3 advert vrid 51 prio 100 intvl 100cs addrs 2001:db8::50'));
  it('ignores the 4 reserved bits (RFC 5798 §5.2.5: ignored on receipt) but the checksum still covers them', () => {
    const bytes = joinGroups(V6_GROUPS);
    bytes[4] = 0xf0;
    assert.equal(reason(decodeVrrp(bytes, V6_PATH)), 'checksum 0x0f07 should be 0x1f06');
    assert.deepEqual(decodeVrrp(reseal(bytes, V6_PATH), V6_PATH), { ok: true, value: V6_ADVERT });
  });
});

describe('decodeVrrp reasons', () => {
  const v6 = joinGroups(V6_GROUPS);
  const edit = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
    const copy = Uint8Array.from(bytes);
    copy[at] = value;
    return copy;
  };
  const cases: ReadonlyArray<readonly [string, Uint8Array, VrrpPath, string]> = [
    ['empty', new Uint8Array(0), V4_PATH, 'VRRP message is 0 bytes; shorter than the 8-byte header'],
    ['version 4', edit(v6, 0, 0x41), V6_PATH, 'VRRP version 4 is not 2 or 3'],
    ['type 2', edit(v6, 0, 0x32), V6_PATH, 'type 2 is not ADVERTISEMENT'],
    ['v2 over IPv6', edit(v6, 0, 0x21), V6_PATH, 'VRRPv2 carries IPv4 only (RFC 3768); this came over IPv6'],
    ['v2 without auth data', V2_PATH_BYTES.subarray(0, 12), V4_PATH,
      'VRRPv2 message is 12 bytes; shorter than the 8-byte header and 8 bytes of auth data'],
    ['count says 2', edit(v6, 3, 2), V6_PATH, 'advert says 2 addresses (32 bytes) but carries 16 bytes'],
    ['v3 IPv4 payload read as IPv6', fromHex('31339601000ad3f3c0000232'), { ...V6_PATH }, 'advert says 1 address (16 bytes) but carries 4 bytes'],
    ['v6 read as IPv4', v6, { family: 4, source: '192.0.2.1', destination: '224.0.0.18' },
      'advert says 1 address (4 bytes) but carries 16 bytes'],
    ['checksum', edit(v6, 2, 101), V6_PATH, 'checksum 0x0f07 should be 0x0e07'],
    ['source of the wrong family', v6, { ...V6_PATH, source: '192.0.2.1' }, 'source "192.0.2.1" is not an IPv6 address'],
    ['destination unparseable', v6, { ...V6_PATH, destination: 'ff02::12%eth0' }, 'destination "ff02::12%eth0" is not an IPv6 address'],
  ];
  for (const [name, bytes, path, text] of cases) {
    it(`${name}: "${text}"`, () => assert.equal(reason(decodeVrrp(bytes, path)), text));
  }

  it('VRID 0 and interval 0 are refused (no one may send them), after the checksum', () => {
    assert.equal(reason(decodeVrrp(reseal(edit(v6, 1, 0), V6_PATH), V6_PATH)), 'VRID 0 is not 1-255');
    assert.equal(reason(decodeVrrp(reseal(edit(V2_PATH_BYTES, 5, 0), V4_PATH), V4_PATH)), 'advert interval is 0; should be 1-255 s');
    assert.equal(reason(decodeVrrp(reseal(edit(v6, 5, 0), V6_PATH), V6_PATH)), 'advert interval is 0; should be 1-4095 cs');
  });

  it('meaning is not checked: priority 255, any auth type, no addresses decode', () => {
    const msg: VrrpMessage = { version: 2, vrid: 7, priority: 255, advertIntervalS: 3, authType: 9, authData: passAuthData('x'), addresses: [] };
    assert.deepEqual(decodeVrrp(encodeVrrp(msg, V4_PATH), V4_PATH), { ok: true, value: msg });
    assert.equal(describeVrrp(msg), 'VRRPv2 advert vrid 7 prio 255 auth 9 intvl 3s addrs (none)');
  });
});

describe('encodeVrrp refuses what cannot be sent', () => {
  const v3: VrrpMessage = { version: 3, vrid: 51, priority: 100, maxAdvertIntervalCs: 100, addresses: ['192.0.2.50'] };
  const bad: ReadonlyArray<readonly [string, VrrpMessage, VrrpPath]> = [
    ['VRID 0', { ...v3, vrid: 0 }, V4_PATH],
    ['priority 256', { ...v3, priority: 256 }, V4_PATH],
    ['interval 4096 cs', { ...v3, maxAdvertIntervalCs: 4096 }, V4_PATH],
    ['an IPv6 VIP in an IPv4 advert', { ...v3, addresses: ['2001:db8::50'] }, V4_PATH],
    ['v2 over IPv6', { version: 2, vrid: 1, priority: 1, advertIntervalS: 1, authType: 0, authData: new Uint8Array(8), addresses: [] }, V6_PATH],
    ['7 bytes of auth data', { version: 2, vrid: 1, priority: 1, advertIntervalS: 1, authType: 1, authData: new Uint8Array(7), addresses: [] }, V4_PATH],
  ];
  for (const [name, msg, path] of bad) it(name, () => assert.throws(() => encodeVrrp(msg, path), RangeError));
});

describe('PASS auth data', () => {
  it('zero-pads short passwords and cuts long ones to 8 bytes, as keepalived', () => {
    assert.deepEqual(passAuthData('secret'), fromHex('7365637265740000'));
    assert.deepEqual(passAuthData('0123456789'), fromHex('3031323334353637'));
  });
  it('describes auth type 1 as PASS', () => {
    const msg: VrrpMessage = { version: 2, vrid: 51, priority: 150, advertIntervalS: 1, authType: 1, authData: passAuthData('pw'), addresses: ['192.0.2.50'] };
    assert.equal(describeVrrp(msg), 'VRRPv2 advert vrid 51 prio 150 auth PASS intvl 1s addrs 192.0.2.50');
  });
});

describe('checkTtl (RFC 5798 §5.1.1.3)', () => {
  it('255 passes', () => assert.equal(checkTtl(255), undefined));
  it('64 is refused with a reason', () => assert.equal(checkTtl(64), 'IPv4 TTL is 64; should be 255'));
  it('IPv6 says hop limit', () => assert.equal(checkTtl(254, 6), 'IPv6 hop limit is 254; should be 255'));
});

describe('VRRP <-> election Advert', () => {
  it('v2: seconds become centiseconds; the source address is the sender; term 0', () => {
    const msg: VrrpMessage = { version: 2, vrid: 51, priority: 150, advertIntervalS: 1, authType: 0, authData: new Uint8Array(8), addresses: ['192.0.2.50'] };
    assert.deepEqual(toElectionAdvert(msg, '192.0.2.11'),
      { vrid: 51, sender: { nodeId: '192.0.2.11', address: '192.0.2.11' }, priority: 150, advertIntervalCs: 100, term: 0 });
    assert.deepEqual(fromElectionAdvert({ vrid: 51, priority: 150, advertIntervalCs: 100 }, { version: 2, addresses: ['192.0.2.50'] }), msg);
  });
  it('v3: centiseconds pass through', () => {
    const back = fromElectionAdvert({ vrid: 51, priority: 100, advertIntervalCs: 100 }, { version: 3, addresses: ['2001:db8::50'] });
    assert.deepEqual(back, V6_ADVERT);
    assert.equal(toElectionAdvert(back, '2001:db8::1').advertIntervalCs, 100);
  });
  it('v2 PASS: auth type and data are carried', () => {
    const m = fromElectionAdvert({ vrid: 1, priority: 1, advertIntervalCs: 300 }, { version: 2, addresses: [], authType: 1, authData: passAuthData('pw') });
    assert.ok(m.version === 2 && m.authType === 1 && m.advertIntervalS === 3);
  });
  it('v2 refuses an interval that is not whole seconds', () => {
    assert.throws(() => fromElectionAdvert({ vrid: 1, priority: 1, advertIntervalCs: 150 }, { version: 2, addresses: [] }), /whole seconds/);
  });
});
