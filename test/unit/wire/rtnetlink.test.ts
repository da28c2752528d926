/**
 * rtnetlink requests and answers (src/wire/rtnetlink.ts). The request bytes are iproute2 6.1's
 * own, captured with `strace -e trace=sendmsg -e write=3` of the same `ip` commands in a network
 * namespace (interface index 3, nlmsg_seq 0x6b0fa4a3): the provider asks the kernel exactly what
 * `ip` asked. decode never throws on random bytes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseIp } from '../../../src/wire/address.js';
import {
  decodeAck, decodeAddress, decodeLink, decodeMessages, describeMessage, encodeDeleteAddress, encodeDeleteRoute, encodeGetAddresses,
  encodeGetLink, encodeNewAddress, IFA_F_NODAD, NLMSG_ERROR, RTM_NEWADDR, RTM_NEWLINK, RTPROT_KERNEL, type NetlinkMessage,
} from '../../../src/wire/rtnetlink.js';
import { expectedLines, fromHex, labelBytes, type ByteGroup } from '../../golden/bytes.js';

const SEQ = 0x6b0fa4a3;
const V4 = parseIp('192.0.2.50', 4) ?? new Uint8Array(4);
const V6 = parseIp('2001:db8::50', 6) ?? new Uint8Array(16);
const header = (len: string, [typeName, type]: [string, string], [flagNames, flags]: [string, string]): ByteGroup[] => [
  ['nlmsg_len', len], [`nlmsg_type ${typeName}`, type], [`nlmsg_flags ${flagNames}`, flags], ['nlmsg_seq', 'a3a40f6b'], ['nlmsg_pid', '00000000'],
];

// ip -4 addr add 192.0.2.50/24 dev hpv0 label hpv0:v metric 5798
const ADD_V4: ByteGroup[] = [
  ...header('3c000000', ['RTM_NEWADDR', '1400'], ['REQUEST|ACK|EXCL|CREATE', '0506']),
  ['ifa_family AF_INET, prefixlen 24, flags 0, scope universe', '02180000'], ['ifa_index 3', '03000000'],
  ['IFA_LOCAL 192.0.2.50', '08000200 c0000232'], ['IFA_LABEL "hpv0:v"', '0b000300 68707630 3a760000'],
  ['IFA_RT_PRIORITY 5798', '08000900 a6160000'], ['IFA_ADDRESS 192.0.2.50', '08000100 c0000232'],
];
// ip -6 addr add 2001:db8::50/64 dev hpv0 nodad metric 5798
const ADD_V6: ByteGroup[] = [
  ...header('48000000', ['RTM_NEWADDR', '1400'], ['REQUEST|ACK|EXCL|CREATE', '0506']),
  ['ifa_family AF_INET6, prefixlen 64, flags NODAD, scope universe', '0a400200'], ['ifa_index 3', '03000000'],
  ['IFA_LOCAL 2001:db8::50', '14000200 20010db8000000000000000000000050'],
  ['IFA_RT_PRIORITY 5798', '08000900 a6160000'], ['IFA_ADDRESS 2001:db8::50', '14000100 20010db8000000000000000000000050'],
];
// ip -4 addr del 192.0.2.50/24 dev hpv0
const DEL_V4: ByteGroup[] = [
  ...header('28000000', ['RTM_DELADDR', '1500'], ['REQUEST|ACK', '0500']),
  ['ifa_family AF_INET, prefixlen 24', '02180000'], ['ifa_index 3', '03000000'],
  ['IFA_LOCAL', '08000200 c0000232'], ['IFA_ADDRESS', '08000100 c0000232'],
];
// ip -6 route del 2001:db8::/64 dev hpv0 metric 5798 proto kernel
const DEL_ROUTE: ByteGroup[] = [
  ...header('40000000', ['RTM_DELROUTE', '1900'], ['REQUEST|ACK', '0500']),
  ['rtm_family AF_INET6, dst_len 64, src_len 0, tos 0', '0a400000'], ['table main, protocol kernel, scope 0, type 0', 'fe020000'], ['rtm_flags', '00000000'],
  ['RTA_DST 2001:db8::', '14000100 20010db8000000000000000000000000'], ['RTA_PRIORITY 5798', '08000600 a6160000'], ['RTA_OIF 3', '08000400 03000000'],
];

const same = (groups: ByteGroup[], bytes: Uint8Array) => assert.deepEqual(labelBytes(groups, bytes), expectedLines(groups));

describe('rtnetlink requests are iproute2\'s bytes', () => {
  it('RTM_NEWADDR IPv4 with label and metric', () => same(ADD_V4, encodeNewAddress(SEQ, { family: 4, address: V4, prefixLength: 24, ifindex: 3, label: 'hpv0:v', metric: 5798 })));
  it('RTM_NEWADDR IPv6 nodad with metric', () => same(ADD_V6, encodeNewAddress(SEQ, { family: 6, address: V6, prefixLength: 64, ifindex: 3, metric: 5798, flags: IFA_F_NODAD })));
  it('RTM_DELADDR', () => same(DEL_V4, encodeDeleteAddress(SEQ, { family: 4, address: V4, prefixLength: 24, ifindex: 3 })));
  it('RTM_DELROUTE', () => same(DEL_ROUTE, encodeDeleteRoute(SEQ, { destination: parseIp('2001:db8::', 6) ?? V6, prefixLength: 64, ifindex: 3, metric: 5798, protocol: RTPROT_KERNEL })));
  it('RTM_GETLINK by name and the RTM_GETADDR dump', () => {
    const link = decodeMessages(encodeGetLink(1, 'eth0'));
    assert.ok(link.ok);
    assert.equal(link.value[0]?.payload.length, 16 + 12, 'ifinfomsg + IFLA_IFNAME "eth0\\0" padded');
    assert.match(describeMessage(link.value[0] as NetlinkMessage), /^RTM_GETLINK seq 1/);
    const dump = decodeMessages(encodeGetAddresses(2));
    assert.ok(dump.ok);
    assert.equal(dump.value[0]?.flags, 0x301);
  });
});

/** A kernel answer built by hand: header + payload. */
function message(type: number, flags: number, payload: Uint8Array, seq = 9): Uint8Array {
  const out = new Uint8Array(16 + payload.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, out.length, true);
  view.setUint16(4, type, true);
  view.setUint16(6, flags, true);
  view.setUint32(8, seq, true);
  out.set(payload, 16);
  return out;
}

describe('rtnetlink answers', () => {
  it('an RTM_NEWADDR as the kernel sends it back (the request\'s body is the same layout)', () => {
    const request = decodeMessages(encodeNewAddress(SEQ, { family: 6, address: V6, prefixLength: 64, ifindex: 3, metric: 5798, flags: IFA_F_NODAD }));
    assert.ok(request.ok);
    const answer = decodeMessages(message(RTM_NEWADDR, 0, (request.value[0] as NetlinkMessage).payload));
    assert.ok(answer.ok);
    const m = answer.value[0] as NetlinkMessage;
    assert.deepEqual(decodeAddress(m), { ok: true, value: { family: 6, ifindex: 3, prefixLength: 64, address: '2001:db8::50', metric: 5798, scope: 0 } });
    assert.equal(describeMessage(m), 'RTM_NEWADDR seq 9 inet6 2001:db8::50/64 ifindex 3 metric 5798');
  });

  it('an RTM_NEWLINK with name and MAC', () => {
    const body = fromHex('00000100 03000000 43100100 00000000' + '0a000100 020000000001 0000' + '09000300 65746830 00000000');
    const m = decodeMessages(message(RTM_NEWLINK, 0, body));
    assert.ok(m.ok);
    assert.deepEqual(decodeLink(m.value[0] as NetlinkMessage), { ok: true, value: { ifindex: 3, name: 'eth0', mac: '02:00:00:00:00:01' } });
  });

  it('an ACK, an error with the kernel\'s words (extended ACK, capped), and the reasons', () => {
    const ack = decodeMessages(message(NLMSG_ERROR, 0x100, fromHex('00000000' + '10000000140005060000000000000000')));
    assert.ok(ack.ok);
    assert.deepEqual(decodeAck(ack.value[0] as NetlinkMessage), { ok: true, value: { errno: 0, message: undefined } });
    const text = new TextEncoder().encode('ipv4: Address already assigned\0');
    const attr = new Uint8Array(4 + text.length + ((4 - (text.length % 4)) % 4));
    new DataView(attr.buffer).setUint16(0, 4 + text.length, true);
    new DataView(attr.buffer).setUint16(2, 1, true);
    attr.set(text, 4);
    const payload = new Uint8Array(4 + 16 + attr.length);
    new DataView(payload.buffer).setInt32(0, -17, true);
    new DataView(payload.buffer).setUint32(4, 60, true);
    payload.set(attr, 20);
    const err = decodeMessages(message(NLMSG_ERROR, 0x300, payload));
    assert.ok(err.ok);
    assert.deepEqual(decodeAck(err.value[0] as NetlinkMessage), { ok: true, value: { errno: 17, message: 'ipv4: Address already assigned' } });
    assert.equal(describeMessage(err.value[0] as NetlinkMessage), 'NLMSG_ERROR seq 9 errno 17 (ipv4: Address already assigned)');

    assert.deepEqual(decodeMessages(new Uint8Array(10)), { ok: false, reason: 'netlink message at byte 0 is cut short (10 bytes left, the header is 16)' });
    assert.deepEqual(decodeMessages(fromHex('ff000000 14000000 00000000 00000000')), { ok: false, reason: 'netlink message at byte 0 says nlmsg_len 255; 16 bytes left' });
    const shortAddr = decodeMessages(message(RTM_NEWADDR, 0, fromHex('07180000 03000000')));
    assert.ok(shortAddr.ok);
    assert.deepEqual(decodeAddress(shortAddr.value[0] as NetlinkMessage), { ok: false, reason: 'address family 7 is not AF_INET (2) or AF_INET6 (10)' });
  });

  it('decode never throws', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
      const all = decodeMessages(bytes);
      if (!all.ok) return;
      for (const m of all.value) {
        decodeAck(m);
        decodeLink(m);
        decodeAddress(m);
        describeMessage(m);
      }
    }));
    // Random bodies behind a valid header reach the attribute parser.
    fc.assert(fc.property(fc.constantFrom(NLMSG_ERROR, RTM_NEWLINK, RTM_NEWADDR), fc.integer({ min: 0, max: 0xffff }), fc.uint8Array({ maxLength: 120 }), (type, flags, body) => {
      const all = decodeMessages(message(type, flags, body));
      assert.ok(all.ok);
      for (const m of all.value) describeMessage(m);
    }));
  });
});
