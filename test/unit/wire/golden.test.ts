/** Captured keepalived and FRR packets (test/golden/): decode every layer, then rebuild them byte for byte. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeArpFrame, decodeArpFrame, encodeArpFrame, gratuitousArp } from '../../../src/wire/arp.js';
import { vrrpVirtualMac } from '../../../src/wire/mac.js';
import { decodeEthernet, describeEthernet, encodeEthernet, ETHERTYPE_IPV4 } from '../../../src/wire/ethernet.js';
import { decodeIpv4, describeIpv4, encodeIpv4, IPPROTO_VRRP } from '../../../src/wire/ipv4.js';
import { checkTtl, decodeVrrp, describeVrrp, encodeVrrp, type VrrpMessage } from '../../../src/wire/vrrp.js';
import { toElectionAdvert } from '../../../src/wire/vrrp-advert.js';
import { expectedLines, labelBytes, type ByteGroup } from '../../golden/bytes.js';
import { LINKTYPE_ETHERNET, readGolden } from '../../golden/pcap.js';

const KEEPALIVED_MAC = '02:00:00:00:00:0a';
const ALL_ZERO_AUTH = new Uint8Array(8);

/** The one frame of a capture. */
function frame(name: string): Uint8Array {
  const pcap = readGolden(name);
  assert.equal(pcap.linkType, LINKTYPE_ETHERNET);
  assert.equal(pcap.records.length, 1);
  const [record] = pcap.records;
  assert.ok(record);
  assert.equal(record.data.length, record.originalLength, 'captured whole');
  return record.data;
}

function ok<T>(d: { ok: true; value: T } | { ok: false; reason: string }): T {
  if (!d.ok) assert.fail(d.reason);
  return d.value;
}

interface AdvertCase {
  name: string;
  srcMac: string;
  dstMac: string;
  source: string;
  destination: string;
  id: number;
  dontFragment: boolean;
  message: VrrpMessage;
  describe: string;
}

const v2 = (priority: number): VrrpMessage =>
  ({ version: 2, vrid: 51, priority, advertIntervalS: 1, authType: 0, authData: ALL_ZERO_AUTH, addresses: ['192.0.2.50'] });
const v3 = (priority: number): VrrpMessage => ({ version: 3, vrid: 51, priority, maxAdvertIntervalCs: 10, addresses: ['192.0.2.50'] });
const ka = { srcMac: KEEPALIVED_MAC, dstMac: '01:00:5e:00:00:12', source: '192.0.2.11', destination: '224.0.0.18', dontFragment: false };

const ADVERTS: AdvertCase[] = [
  { name: 'vrrpv2-advert', ...ka, id: 1, message: v2(150), describe: 'VRRPv2 advert vrid 51 prio 150 auth none intvl 1s addrs 192.0.2.50' },
  { name: 'vrrpv2-prio0', ...ka, id: 4, message: v2(0), describe: 'VRRPv2 advert vrid 51 prio 0 auth none intvl 1s addrs 192.0.2.50' },
  {
    name: 'vrrpv2-unicast-advert', ...ka, dstMac: '02:00:00:00:00:0b', destination: '192.0.2.12', id: 1, message: v2(150),
    describe: 'VRRPv2 advert vrid 51 prio 150 auth none intvl 1s addrs 192.0.2.50',
  },
  { name: 'vrrpv3-advert', ...ka, id: 1, message: v3(150), describe: 'VRRPv3 advert vrid 51 prio 150 intvl 10cs addrs 192.0.2.50' },
  { name: 'vrrpv3-prio0', ...ka, id: 27, message: v3(0), describe: 'VRRPv3 advert vrid 51 prio 0 intvl 10cs addrs 192.0.2.50' },
  {
    name: 'frr-vrrpv3-advert', ...ka, srcMac: vrrpVirtualMac(51, 4), source: '192.0.2.12', id: 50676, dontFragment: true,
    message: v3(100), describe: 'VRRPv3 advert vrid 51 prio 100 intvl 10cs addrs 192.0.2.50',
  },
];

describe('golden VRRP adverts', () => {
  for (const c of ADVERTS) {
    describe(c.name, () => {
      const bytes = frame(c.name);
      const eth = ok(decodeEthernet(bytes));
      const ip = ok(decodeIpv4(eth.payload));
      const path = { family: 4 as const, source: ip.source, destination: ip.destination };

      it('Ethernet: addresses and IPv4 ethertype', () => {
        assert.deepEqual([eth.source, eth.destination, eth.etherType], [c.srcMac, c.dstMac, ETHERTYPE_IPV4]);
      });

      it('IPv4: TTL 255, TOS 0xc0, protocol 112, addresses, id, flags, valid header checksum', () => {
        assert.equal(ip.ttl, 255);
        assert.equal(checkTtl(ip.ttl), undefined);
        assert.equal(ip.tos, 0xc0);
        assert.equal(ip.protocol, IPPROTO_VRRP);
        assert.deepEqual([ip.source, ip.destination], [c.source, c.destination]);
        assert.deepEqual([ip.identification, ip.dontFragment, ip.moreFragments, ip.fragmentOffset], [c.id, c.dontFragment, false, 0]);
        assert.equal(ip.options.length, 0);
      });

      it('VRRP: the expected fields, checksum valid', () => {
        assert.deepEqual(ok(decodeVrrp(ip.payload, path)), c.message);
        assert.equal(describeVrrp(c.message), c.describe);
      });

      it('re-encodes byte for byte: VRRP payload, IPv4 packet, Ethernet frame', () => {
        const payload = encodeVrrp(c.message, path);
        assert.deepEqual(payload, ip.payload);
        const packet = encodeIpv4({ ...ip, payload });
        assert.deepEqual(packet, eth.payload);
        assert.deepEqual(encodeEthernet({ ...eth, payload: packet }), bytes);
      });

      it('still decodes with Ethernet padding to 60 bytes (as a receiver sees it)', () => {
        const padded = new Uint8Array(Math.max(60, bytes.length));
        padded.set(bytes);
        const p = ok(decodeIpv4(ok(decodeEthernet(padded)).payload));
        assert.deepEqual(ok(decodeVrrp(p.payload, path)), c.message);
      });

      it('a flipped address bit is caught by the checksum', () => {
        const bad = Uint8Array.from(ip.payload);
        bad[11] = (bad[11] ?? 0) ^ 0x01;
        const d = decodeVrrp(bad, path);
        assert.equal(d.ok, false);
        assert.match(d.ok ? '' : d.reason, /^checksum 0x[0-9a-f]{4} should be 0x[0-9a-f]{4}$/);
      });
    });
  }

  it('v3 checksum covers the pseudo-header: the same bytes fail with another destination (keepalived #642)', () => {
    const ip = ok(decodeIpv4(ok(decodeEthernet(frame('vrrpv3-advert'))).payload));
    const d = decodeVrrp(ip.payload, { family: 4, source: ip.source, destination: '192.0.2.12' });
    assert.deepEqual(d, { ok: false, reason: 'checksum 0xd3f3 should be 0xf1f9' });
  });

  it('v2 checksum does not: the unicast and multicast payloads are identical', () => {
    const payload = (name: string) => ok(decodeIpv4(ok(decodeEthernet(frame(name))).payload)).payload;
    assert.deepEqual(payload('vrrpv2-unicast-advert'), payload('vrrpv2-advert'));
  });

  it('keepalived v2 advert as labelled byte groups', () => {
    const groups: ByteGroup[] = [
      ['version 2 / type 1', '21'], ['vrid 51', '33'], ['priority 150', '96'], ['count 1', '01'],
      ['auth type none', '00'], ['interval 1 s', '01'], ['checksum', '8697'],
      ['address 192.0.2.50', 'c0000232'], ['auth data', '0000000000000000'],
    ];
    const ip = ok(decodeIpv4(ok(decodeEthernet(frame('vrrpv2-advert'))).payload));
    assert.deepEqual(labelBytes(groups, ip.payload), expectedLines(groups));
  });

  it('the election core sees the FRR advert as sender 192.0.2.12, 10 cs, term 0', () => {
    const ip = ok(decodeIpv4(ok(decodeEthernet(frame('frr-vrrpv3-advert'))).payload));
    const msg = ok(decodeVrrp(ip.payload, { family: 4, source: ip.source, destination: ip.destination }));
    assert.deepEqual(toElectionAdvert(msg, ip.source), {
      vrid: 51, sender: { nodeId: '192.0.2.12', address: '192.0.2.12' }, priority: 100, advertIntervalCs: 10, term: 0,
    });
    assert.equal(describeIpv4(ip), 'IP (tos 0xc0, ttl 255, id 50676, offset 0, flags [DF], proto 112, length 32) 192.0.2.12 > 224.0.0.18');
    assert.equal(describeEthernet(ok(decodeEthernet(frame('frr-vrrpv3-advert')))),
      '00:00:5e:00:01:33 > 01:00:5e:00:00:12, ethertype IPv4 (0x0800), length 46');
  });
});

describe('golden gratuitous ARP', () => {
  const cases = [
    { name: 'garp-keepalived-b', mac: '02:00:00:00:00:0b' },
    { name: 'garp-frr', mac: vrrpVirtualMac(51, 4) },
  ];
  for (const c of cases) {
    it(`${c.name}: a broadcast announcement from ${c.mac}, rebuilt byte for byte`, () => {
      const bytes = frame(c.name);
      const f = ok(decodeArpFrame(bytes));
      assert.deepEqual(f, gratuitousArp('192.0.2.50', c.mac));
      assert.deepEqual(f.arp, {
        operation: 'request', senderMac: c.mac, senderIp: '192.0.2.50', targetMac: 'ff:ff:ff:ff:ff:ff', targetIp: '192.0.2.50',
      });
      assert.deepEqual(encodeArpFrame(gratuitousArp('192.0.2.50', c.mac)), bytes);
      assert.equal(describeArpFrame(f),
        `${c.mac} > ff:ff:ff:ff:ff:ff: ARP request who-has 192.0.2.50 (ff:ff:ff:ff:ff:ff) tell 192.0.2.50 (${c.mac}), gratuitous`);
    });
  }
});
