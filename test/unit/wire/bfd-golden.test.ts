/**
 * BFD Control packets captured from FRR bfdd 8.4 (test/golden/bfd-frr-*.pcap, taken while
 * test/netns/bfd-frr.test.ts's session ran): they decode with our codec to the fields tshark
 * shows (the .txt beside each), re-encode byte for byte, and drive our session core through the
 * handshake FRR went through (Down -> Init / Up), the Poll it sent answered with Final, and its
 * Down with diag 3 after our AdminDown.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createSession, stepSession } from '../../../src/core/bfd/session.js';
import { decodeBfd, describeBfd, encodeBfd, type BfdControlPacket } from '../../../src/wire/bfd.js';
import { decodeEthernet } from '../../../src/wire/ethernet.js';
import { readGolden } from '../../golden/pcap.js';
import { decodeIpv4 } from '../../../src/wire/ipv4.js';

const FRR_DISCR = 0x0fed2411;
const OURS = 0x4439e6ac;

function bfdOf(name: string): { packet: BfdControlPacket; bytes: Uint8Array; ttl: number; ports: [number, number] } {
  const [record] = readGolden(name).records;
  assert.ok(record);
  const eth = decodeEthernet(record.data);
  assert.ok(eth.ok);
  const ip = decodeIpv4(eth.value.payload);
  assert.ok(ip.ok, ip.ok ? '' : ip.reason);
  const udp = ip.value.payload;
  const bytes = udp.subarray(8);
  const d = decodeBfd(bytes);
  assert.ok(d.ok, d.ok ? '' : d.detail);
  return { packet: d.value, bytes, ttl: ip.value.ttl, ports: [(udp[0] ?? 0) << 8 | (udp[1] ?? 0), (udp[2] ?? 0) << 8 | (udp[3] ?? 0)] };
}

const cases: Array<[string, string]> = [
  ['bfd-frr-down', 'BFDv1 Down diag 0 mult 3 my 0xfed2411 your 0x0 tx 1000ms rx 1000ms echo 50ms'],
  ['bfd-frr-up-poll', 'BFDv1 Up diag 0 P mult 3 my 0xfed2411 your 0x4439e6ac tx 100ms rx 100ms echo 50ms'],
  ['bfd-frr-up-final', 'BFDv1 Up diag 0 F mult 3 my 0xfed2411 your 0x4439e6ac tx 100ms rx 100ms echo 50ms'],
  ['bfd-frr-down-diag3', 'BFDv1 Down diag 3 mult 3 my 0xfed2411 your 0x0 tx 100ms rx 100ms echo 50ms'],
];

describe('BFD packets captured from FRR bfdd', () => {
  for (const [name, text] of cases) {
    it(`${name}: decodes as tshark shows it, TTL 255 from a port in 49152-65535 to 3784, re-encodes byte for byte`, () => {
      const { packet, bytes, ttl, ports } = bfdOf(name);
      assert.equal(describeBfd(packet), text);
      assert.equal(ttl, 255);
      assert.ok(ports[0] >= 49152, `source port ${ports[0]}`);
      assert.equal(ports[1], 3784);
      assert.deepEqual(encodeBfd(packet), bytes);
    });
  }

  it('our session core goes through the handshake with them', () => {
    const cfg = { localDiscr: OURS, desiredMinTxUs: 100_000, requiredMinRxUs: 100_000, detectMult: 3, auth: false };
    let s = createSession(cfg, 0, 1);
    let r = stepSession(s, { type: 'Received', packet: bfdOf('bfd-frr-down').packet }, 10);
    s = r.state;
    assert.equal(s.sessionState, 'Init');
    assert.equal(s.remoteDiscr, FRR_DISCR);
    // FRR Up with Poll: we go Up and answer with Final, P clear.
    r = stepSession(s, { type: 'Received', packet: bfdOf('bfd-frr-up-poll').packet }, 20);
    s = r.state;
    assert.equal(s.sessionState, 'Up');
    const answer = r.actions.find((a) => a.type === 'Send');
    assert.ok(answer?.type === 'Send' && answer.packet.final && !answer.packet.poll && answer.packet.yourDiscriminator === FRR_DISCR);
    // Their Final ends our Poll Sequence; their Down with diag 3 takes us Down (Neighbor Signaled Session Down).
    s = stepSession(s, { type: 'Received', packet: bfdOf('bfd-frr-up-final').packet }, 30).state;
    assert.equal(s.polling, false);
    r = stepSession(s, { type: 'Received', packet: { ...bfdOf('bfd-frr-down-diag3').packet } }, 40);
    assert.equal(r.state.sessionState, 'Down');
    assert.deepEqual(r.actions.find((a) => a.type === 'StateChanged'), { type: 'StateChanged', from: 'Up', to: 'Down', diag: 3, reason: 'neighbor signaled Down' });
  });
});
