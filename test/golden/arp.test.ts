/** ARP over Ethernet (RFC 826): replies, decode reasons, padding, descriptions. Captured gARPs are in golden.test.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  decodeArp, decodeArpFrame, describeArp, encodeArp, encodeArpFrame, gratuitousArp, isGratuitousArp, type ArpPacket,
} from '../../src/wire/arp.js';
import { expectedLines, joinGroups, labelBytes, type ByteGroup } from './bytes.js';

const REPLY: ArpPacket = {
  operation: 'reply', senderMac: '02:00:00:00:00:0a', senderIp: '192.0.2.11', targetMac: '02:00:00:00:00:0b', targetIp: '192.0.2.12',
};
const REPLY_GROUPS: ByteGroup[] = [
  ['hardware type Ethernet', '0001'], ['protocol type IPv4', '0800'], ['hlen 6 / plen 4', '0604'], ['operation reply', '0002'],
  ['sender MAC', '020000 00000a'], ['sender IP 192.0.2.11', 'c000020b'], ['target MAC', '020000 00000b'], ['target IP 192.0.2.12', 'c000020c'],
];
const reason = (d: { ok: boolean; reason?: string }): string | undefined => (d.ok ? undefined : d.reason);
const edit = (bytes: Uint8Array, at: number, value: number): Uint8Array => {
  const copy = Uint8Array.from(bytes);
  copy[at] = value;
  return copy;
};

describe('ARP', () => {
  it('a reply as labelled byte groups', () => assert.deepEqual(labelBytes(REPLY_GROUPS, encodeArp(REPLY)), expectedLines(REPLY_GROUPS)));
  it('decodes it back', () => assert.deepEqual(decodeArp(joinGroups(REPLY_GROUPS)), { ok: true, value: REPLY }));
  it('describes requests and replies', () => {
    assert.equal(describeArp(REPLY), 'ARP reply 192.0.2.11 is-at 02:00:00:00:00:0a to 192.0.2.12 (02:00:00:00:00:0b)');
    assert.equal(isGratuitousArp(REPLY), false);
    assert.equal(isGratuitousArp(gratuitousArp('192.0.2.50', '02:00:00:00:00:0a').arp), true);
  });

  const body = encodeArp(REPLY);
  const cases: ReadonlyArray<readonly [string, Uint8Array, string]> = [
    ['27 bytes', body.subarray(0, 27), 'ARP packet is 27 bytes; shorter than 28'],
    ['hardware type 6', edit(body, 1, 6), 'ARP hardware type 6 is not Ethernet (1)'],
    ['protocol IPv6', edit(edit(body, 2, 0x86), 3, 0xdd), 'ARP protocol type 0x86dd is not IPv4 (0x800)'],
    ['hlen 8', edit(body, 4, 8), 'ARP address lengths 8/4 are not 6/4'],
    ['RARP', edit(body, 7, 3), 'ARP operation 3 is not request (1) or reply (2)'],
  ];
  for (const [name, bytes, text] of cases) it(`${name}: "${text}"`, () => assert.equal(reason(decodeArp(bytes)), text));
});

describe('ARP frames', () => {
  const garp = gratuitousArp('192.0.2.50', '00:00:5e:00:01:33');
  it('a 42-byte frame, decoded even with 18 bytes of padding', () => {
    const bytes = encodeArpFrame(garp);
    assert.equal(bytes.length, 42);
    const padded = new Uint8Array(60);
    padded.set(bytes);
    assert.deepEqual(decodeArpFrame(padded), { ok: true, value: garp });
  });
  it('refuses another ethertype and short frames', () => {
    const ipv4 = edit(encodeArpFrame(garp), 13, 0x00);
    assert.equal(reason(decodeArpFrame(ipv4)), 'ethertype 0x0800 is not ARP (0x0806)');
    assert.equal(reason(decodeArpFrame(new Uint8Array(10))), 'Ethernet frame is 10 bytes; shorter than the 14-byte header');
    assert.equal(reason(decodeArpFrame(encodeArpFrame(garp).subarray(0, 30))), 'ARP packet is 16 bytes; shorter than 28');
  });
  it('encode refuses a bad MAC', () => assert.throws(() => encodeArpFrame(gratuitousArp('192.0.2.50', 'zz')), /not a MAC address/));
});
