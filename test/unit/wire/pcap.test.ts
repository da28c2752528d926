/** The golden-test pcap reader: both byte orders, nanosecond files, malformed files. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LINKTYPE_ETHERNET, parsePcap, readGolden } from '../../golden/pcap.js';
import { fromHex } from '../../golden/bytes.js';

/** Global header (magic given as written in the file) + one 2-byte record. */
function file(magic: string, le: boolean): Uint8Array {
  const u32 = (n: number): string => {
    const h = n.toString(16).padStart(8, '0');
    return le ? (h.match(/../g) ?? []).reverse().join('') : h;
  };
  const u16 = (n: number): string => (le ? `${n.toString(16).padStart(2, '0')}00` : n.toString(16).padStart(4, '0'));
  return fromHex(magic + u16(2) + u16(4) + u32(0) + u32(0) + u32(65535) + u32(1) + u32(10) + u32(500) + u32(2) + u32(60) + 'abcd');
}

describe('parsePcap', () => {
  it('reads the golden captures: Ethernet, one frame', () => {
    const p = readGolden('vrrpv3-advert');
    assert.equal(p.linkType, LINKTYPE_ETHERNET);
    assert.equal(p.records.length, 1);
    assert.equal(p.records[0]?.data.length, 46);
  });
  it('little-endian microseconds', () => {
    const p = parsePcap(file('d4c3b2a1', true));
    assert.deepEqual(p.records, [{ timestamp: 10.0005, originalLength: 60, data: fromHex('abcd') }]);
  });
  it('big-endian nanoseconds', () => {
    const p = parsePcap(file('a1b23c4d', false));
    assert.equal(p.records[0]?.timestamp, 10.0000005);
    assert.equal(p.linkType, 1);
  });
  it('refuses pcapng, short and cut files', () => {
    assert.throws(() => parsePcap(fromHex('0a0d0d0a'.padEnd(48, '0'))), /not a classic pcap/);
    assert.throws(() => parsePcap(new Uint8Array(10)), /shorter than its header/);
    const whole = file('d4c3b2a1', true);
    assert.throws(() => parsePcap(whole.subarray(0, whole.length - 1)), /cut short/);
  });
});
