/**
 * Properties of every codec: encode -> decode returns the message; decode never throws, on
 * random buffers and on random mutations of the captured packets; what decodes re-encodes.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeArp, decodeArpFrame, encodeArpFrame, type ArpFrame } from '../../../src/wire/arp.js';
import { formatIp } from '../../../src/wire/address.js';
import { formatMac } from '../../../src/wire/mac.js';
import { decodeEthernet } from '../../../src/wire/ethernet.js';
import { decodeIpv4, encodeIpv4, type Ipv4Packet } from '../../../src/wire/ipv4.js';
import { decodeNeighborAdvert, encodeNeighborAdvert, type NeighborAdvert } from '../../../src/wire/ndp.js';
import { decodeVrrp, encodeVrrp, type VrrpMessage, type VrrpPath } from '../../../src/wire/vrrp.js';
import { readGolden } from '../../golden/pcap.js';

const ipv4 = fc.uint8Array({ minLength: 4, maxLength: 4 }).map(formatIp);
const ipv6 = fc.uint8Array({ minLength: 16, maxLength: 16 }).map(formatIp);
const mac = fc.uint8Array({ minLength: 6, maxLength: 6 }).map(formatMac);
const byte = fc.integer({ min: 0, max: 255 });
/** Records with Object.prototype, so that deepStrictEqual can compare them with decoded values. */
const NO_NULL = { noNullPrototype: true } as const;
const addressList = (ip: fc.Arbitrary<string>) => fc.array(ip, { maxLength: 20 });

const v2 = fc.record({
  version: fc.constant(2 as const), vrid: fc.integer({ min: 1, max: 255 }), priority: byte,
  advertIntervalS: fc.integer({ min: 1, max: 255 }), authType: byte,
  authData: fc.uint8Array({ minLength: 8, maxLength: 8 }), addresses: addressList(ipv4),
}, NO_NULL);
const v3 = (ip: fc.Arbitrary<string>) => fc.record({
  version: fc.constant(3 as const), vrid: fc.integer({ min: 1, max: 255 }), priority: byte,
  maxAdvertIntervalCs: fc.integer({ min: 1, max: 4095 }), addresses: addressList(ip),
}, NO_NULL);
const path = (family: 4 | 6, ip: fc.Arbitrary<string>) => fc.record({ family: fc.constant(family), source: ip, destination: ip }, NO_NULL);

const roundTrips = (msg: VrrpMessage, p: VrrpPath): void => assert.deepEqual(decodeVrrp(encodeVrrp(msg, p), p), { ok: true, value: msg });

describe('round trips', () => {
  it('VRRPv2', () => fc.assert(fc.property(v2, path(4, ipv4), roundTrips)));
  it('VRRPv3 over IPv4', () => fc.assert(fc.property(v3(ipv4), path(4, ipv4), roundTrips)));
  it('VRRPv3 over IPv6', () => fc.assert(fc.property(v3(ipv6), path(6, ipv6), roundTrips)));

  it('IPv4', () => {
    const packet: fc.Arbitrary<Ipv4Packet> = fc.record({
      tos: byte, identification: fc.integer({ min: 0, max: 0xffff }), dontFragment: fc.boolean(), moreFragments: fc.boolean(),
      fragmentOffset: fc.integer({ min: 0, max: 0x1fff }).map((n) => n * 8), ttl: byte, protocol: byte, source: ipv4, destination: ipv4,
      options: fc.integer({ min: 0, max: 10 }).chain((n) => fc.uint8Array({ minLength: 4 * n, maxLength: 4 * n })),
      payload: fc.uint8Array({ maxLength: 100 }),
    }, NO_NULL);
    fc.assert(fc.property(packet, (p) => assert.deepEqual(decodeIpv4(encodeIpv4(p)), { ok: true, value: p })));
  });

  it('ARP frames', () => {
    const frame: fc.Arbitrary<ArpFrame> = fc.record({
      destination: mac, source: mac,
      arp: fc.record({ operation: fc.constantFrom('request' as const, 'reply' as const), senderMac: mac, senderIp: ipv4, targetMac: mac, targetIp: ipv4 }, NO_NULL),
    }, NO_NULL);
    fc.assert(fc.property(frame, (f) => assert.deepEqual(decodeArpFrame(encodeArpFrame(f)), { ok: true, value: f })));
  });

  it('neighbor advertisements', () => {
    const na: fc.Arbitrary<NeighborAdvert> = fc.record(
      { router: fc.boolean(), solicited: fc.boolean(), override: fc.boolean(), target: ipv6, targetMac: mac },
      { requiredKeys: ['router', 'solicited', 'override', 'target'], noNullPrototype: true },
    );
    fc.assert(fc.property(na, ipv6, ipv6, (m, source, destination) => {
      assert.deepEqual(decodeNeighborAdvert(encodeNeighborAdvert(m, { source, destination }), { source, destination }), { ok: true, value: m });
    }));
  });
});

/** Every decoder on one buffer; each must answer ok or a non-empty reason, never throw. */
function decodeAll(bytes: Uint8Array, p: VrrpPath): void {
  const answers = [
    decodeEthernet(bytes), decodeIpv4(bytes), decodeArp(bytes), decodeArpFrame(bytes),
    decodeVrrp(bytes, p), decodeNeighborAdvert(bytes, { source: p.source, destination: p.destination }),
  ];
  for (const a of answers) assert.ok(a.ok || a.reason.length > 0);
  // A decoded VRRP message encodes to something that decodes to the same message.
  const d = decodeVrrp(bytes, p);
  if (d.ok) assert.deepEqual(decodeVrrp(encodeVrrp(d.value, p), p), d);
}

/** Ethernet -> IPv4 -> VRRP, as a receiver would. */
function decodeStack(frame: Uint8Array): void {
  const eth = decodeEthernet(frame);
  if (!eth.ok) return;
  decodeArpFrame(frame);
  const ip = decodeIpv4(eth.value.payload);
  if (!ip.ok) return;
  decodeAll(ip.value.payload, { family: 4, source: ip.value.source, destination: ip.value.destination });
}

describe('decoders never throw', () => {
  const anyPath: fc.Arbitrary<VrrpPath> = fc.oneof(
    path(4, ipv4), path(6, ipv6),
    fc.record({ family: fc.constantFrom(4 as const, 6 as const), source: fc.string(), destination: fc.string() }),
  );

  it('on random buffers of any length', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), anyPath, decodeAll), { numRuns: 2000 });
  });

  it('on VRRP-shaped random buffers (version 2/3, type 1, plausible lengths)', () => {
    const shaped = fc.tuple(fc.constantFrom(0x21, 0x31), fc.uint8Array({ maxLength: 80 })).map(([vt, rest]) => Uint8Array.from([vt, ...rest]));
    fc.assert(fc.property(shaped, anyPath, decodeAll), { numRuns: 2000 });
  });

  const names = ['vrrpv2-advert', 'vrrpv2-prio0', 'vrrpv2-unicast-advert', 'vrrpv3-advert', 'vrrpv3-prio0', 'frr-vrrpv3-advert', 'garp-keepalived-b', 'garp-frr'];
  const frames = names.map((n) => readGolden(n).records[0]?.data ?? new Uint8Array(0));
  const mutation = fc.record({
    frame: fc.constantFrom(...frames),
    edits: fc.array(fc.tuple(fc.nat(), byte), { maxLength: 4 }),
    cut: fc.option(fc.nat(), { nil: undefined }),
    extra: fc.uint8Array({ maxLength: 20 }),
  });

  it('on random mutations of the captured packets', () => {
    fc.assert(fc.property(mutation, ({ frame, edits, cut, extra }) => {
      const bytes = Uint8Array.from([...frame, ...extra]);
      for (const [at, value] of edits) bytes[at % bytes.length] = value;
      decodeStack(cut === undefined ? bytes : bytes.subarray(0, cut % (bytes.length + 1)));
    }), { numRuns: 3000 });
  });
});
