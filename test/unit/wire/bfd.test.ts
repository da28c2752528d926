/**
 * BFD Control packets (src/wire/bfd.ts): golden bytes laid out as RFC 5880 §4.1 and §4.4 draw
 * them, every reception check of §6.8.6 that needs no session, round trips and a decode that
 * never throws.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  BFD_STATES, BfdAuthType, decodeBfd, describeBfd, encodeBfd, type BfdAuth, type BfdControlPacket,
} from '../../../src/wire/bfd.js';
import { BfdAuthenticator, deriveBfdKey } from '../../../src/adapters/bfd/auth.js';
import { expectedLines, fromHex, joinGroups, labelBytes, type ByteGroup } from '../../golden/bytes.js';

const UP: BfdControlPacket = {
  diag: 0, state: 'Up', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
  myDiscriminator: 1, yourDiscriminator: 2, desiredMinTxUs: 20_000, requiredMinRxUs: 20_000, requiredMinEchoRxUs: 0,
};

/** §4.1, hand-checked: Vers 1 (001) + Diag 0; Sta 3 (11), P F C A D M all 0; Detect Mult 3; Length 24. */
const UP_GROUPS: ByteGroup[] = [
  ['Vers=1|Diag=0', '20'], ['Sta=Up|P F C A D M=0', 'c0'], ['Detect Mult', '03'], ['Length=24', '18'],
  ['My Discriminator', '00000001'], ['Your Discriminator', '00000002'],
  ['Desired Min TX Interval=20000us', '00004e20'], ['Required Min RX Interval=20000us', '00004e20'],
  ['Required Min Echo RX Interval', '00000000'],
];

/** Down, Diag 1 (Control Detection Time Expired), Poll: 001 00001 = 0x21; 01 1 0 0 0 0 0 = 0x60. */
const DOWN_POLL_GROUPS: ByteGroup[] = [
  ['Vers=1|Diag=1', '21'], ['Sta=Down|P', '60'], ['Detect Mult', '05'], ['Length=24', '18'],
  ['My Discriminator', 'deadbeef'], ['Your Discriminator', '00000000'],
  ['Desired Min TX Interval=1s', '000f4240'], ['Required Min RX Interval=300ms', '000493e0'],
  ['Required Min Echo RX Interval=50ms', '0000c350'],
];

const ok = (bytes: Uint8Array): BfdControlPacket => {
  const d = decodeBfd(bytes);
  if (!d.ok) assert.fail(`${d.reason}: ${d.detail}`);
  return d.value;
};

describe('BFD golden bytes (RFC 5880 §4.1)', () => {
  it('an Up packet at 20 ms', () => {
    assert.deepEqual(labelBytes(UP_GROUPS, encodeBfd(UP)), expectedLines(UP_GROUPS));
    assert.deepEqual(ok(joinGroups(UP_GROUPS)), UP);
    assert.equal(describeBfd(UP), 'BFDv1 Up diag 0 mult 3 my 0x1 your 0x2 tx 20ms rx 20ms echo 0ms');
  });

  it('a Down packet with Poll, a diagnostic and discriminators with the top bit set', () => {
    const p: BfdControlPacket = {
      ...UP, state: 'Down', diag: 1, poll: true, detectMult: 5, myDiscriminator: 0xdeadbeef, yourDiscriminator: 0,
      desiredMinTxUs: 1_000_000, requiredMinRxUs: 300_000, requiredMinEchoRxUs: 50_000,
    };
    assert.deepEqual(labelBytes(DOWN_POLL_GROUPS, encodeBfd(p)), expectedLines(DOWN_POLL_GROUPS));
    assert.deepEqual(ok(joinGroups(DOWN_POLL_GROUPS)), p);
    assert.equal(describeBfd(p), 'BFDv1 Down diag 1 P mult 5 my 0xdeadbeef your 0x0 tx 1000ms rx 300ms echo 50ms');
  });

  it('Meticulous Keyed SHA1 (§4.4): A bit, Length 52, Auth Len 28, sequence, the SHA1 of the packet with the key in place', () => {
    const secret = Buffer.alloc(32, 0x42);
    const auth = new BfdAuthenticator([{ id: 'k1', secret }], 'k1');
    const { key, wireId } = deriveBfdKey({ id: 'k1', secret });
    const p = { ...UP, state: 'Init' as const, final: true };
    const bytes = auth.sign(p, 42);
    const head: ByteGroup[] = [
      ['Vers=1|Diag=0', '20'], ['Sta=Init|F|A', '94'], ['Detect Mult', '03'], ['Length=52', '34'],
      ['My Discriminator', '00000001'], ['Your Discriminator', '00000002'],
      ['Desired Min TX Interval', '00004e20'], ['Required Min RX Interval', '00004e20'], ['Required Min Echo RX Interval', '00000000'],
      ['Auth Type=5', '05'], ['Auth Len=28', '1c'], ['Auth Key ID', wireId.toString(16).padStart(2, '0')], ['Reserved', '00'],
      ['Sequence Number=42', '0000002a'],
    ];
    // §6.7.4: SHA1 over the packet with the 20-byte key in the Auth Key/Hash field.
    const hash = createHash('sha1').update(Buffer.concat([joinGroups(head), key])).digest('hex');
    const groups: ByteGroup[] = [...head, ['Auth Key/Hash', hash]];
    assert.deepEqual(labelBytes(groups, bytes), expectedLines(groups));
    const decoded = ok(bytes);
    assert.deepEqual(decoded.auth, { type: 5, keyId: wireId, sequence: 42, digest: fromHex(hash) });
    assert.equal(describeBfd(decoded), `BFDv1 Init diag 0 F mult 3 my 0x1 your 0x2 tx 20ms rx 20ms echo 0ms auth Meticulous Keyed SHA1 key ${wireId} seq 42`);
    assert.equal(auth.verify(bytes, decoded), 'valid');
  });

  it('Simple Password and Keyed MD5 layouts (§4.2, §4.3) decode', () => {
    const pw: BfdAuth = { type: BfdAuthType.SimplePassword, keyId: 9, password: new TextEncoder().encode('secret') };
    const md5: BfdAuth = { type: BfdAuthType.MeticulousKeyedMd5, keyId: 1, sequence: 0xffffffff, digest: new Uint8Array(16).fill(7) };
    for (const a of [pw, md5]) {
      const bytes = encodeBfd({ ...UP, auth: a });
      assert.equal(bytes[3], 24 + (a.type === 1 ? 9 : 24));
      assert.deepEqual(ok(bytes).auth, a);
    }
  });
});

describe('BFD authentication refusals', () => {
  const secret = Buffer.alloc(32, 0x11);
  const auth = new BfdAuthenticator([{ id: 'k1', secret }, { id: 'k2', secret: Buffer.alloc(32, 0x22) }], 'k1');
  const signed = auth.sign(UP, 1000);

  it('a tampered byte is a bad digest; every byte counts', () => {
    for (const at of [1, 4, 12, 28, 40]) {
      const copy = Uint8Array.from(signed);
      copy[at] = (copy[at] ?? 0) ^ 0x01;
      const d = decodeBfd(copy);
      if (d.ok) assert.equal(auth.verify(copy, d.value), 'bad-digest', `byte ${at}`);
    }
  });

  it('a key this node does not know, and a section of another type', () => {
    const other = new BfdAuthenticator([{ id: 'k9', secret: Buffer.alloc(32, 0x99) }], 'k9');
    const foreign = other.sign(UP, 5);
    assert.equal(auth.verify(foreign, ok(foreign)), 'unknown-key');
    const md5 = encodeBfd({ ...UP, auth: { type: BfdAuthType.KeyedMd5, keyId: 1, sequence: 1, digest: new Uint8Array(16) } });
    assert.equal(auth.verify(md5, ok(md5)), 'wrong-type');
  });

  it('the second key verifies (rotation), and the same secret under another id is another key', () => {
    const rotated = new BfdAuthenticator([{ id: 'k2', secret: Buffer.alloc(32, 0x22) }], 'k2').sign(UP, 7);
    assert.equal(auth.verify(rotated, ok(rotated)), 'valid');
    assert.notDeepEqual(deriveBfdKey({ id: 'a', secret }).key, deriveBfdKey({ id: 'b', secret }).key);
  });
});

describe('BFD reception checks without a session (RFC 5880 §6.8.6)', () => {
  const base = encodeBfd(UP);
  const mutate = (f: (b: Uint8Array) => void): Uint8Array => {
    const b = Uint8Array.from(base);
    f(b);
    return b;
  };
  const cases: Array<[string, Uint8Array, string]> = [
    ['version 2', mutate((b) => { b[0] = 0x40; }), 'bad-version'],
    ['version 0', mutate((b) => { b[0] = 0x00; }), 'bad-version'],
    ['23 bytes', base.subarray(0, 23), 'short-length'],
    ['Length 20', mutate((b) => { b[3] = 20; }), 'short-length'],
    ['Length 25 without A', mutate((b) => { b[3] = 25; }), 'length-exceeds-payload'],
    ['A bit with Length 24', mutate((b) => { b[1] = (b[1] ?? 0) | 0x04; }), 'short-length'],
    ['Detect Mult 0', mutate((b) => { b[2] = 0; }), 'zero-detect-mult'],
    ['Multipoint', mutate((b) => { b[1] = (b[1] ?? 0) | 0x01; }), 'multipoint'],
    ['My Discriminator 0', mutate((b) => b.fill(0, 4, 8)), 'zero-my-discriminator'],
    ['Your Discriminator 0 in Up', mutate((b) => b.fill(0, 8, 12)), 'zero-your-discriminator'],
    ['Your Discriminator 0 in Init', mutate((b) => { b.fill(0, 8, 12); b[1] = 0x80; }), 'zero-your-discriminator'],
  ];
  for (const [name, bytes, reason] of cases) {
    it(`drops ${name}: ${reason}`, () => {
      const d = decodeBfd(bytes);
      assert.equal(d.ok, false);
      if (!d.ok) assert.equal(d.reason, reason, d.detail);
    });
  }

  it('accepts Your Discriminator 0 in Down and AdminDown, and ignores bytes past Length', () => {
    for (const sta of [0x00, 0x40]) {
      const d = decodeBfd(mutate((b) => { b.fill(0, 8, 12); b[1] = sta; }));
      assert.ok(d.ok);
    }
    assert.deepEqual(ok(Uint8Array.from([...base, 1, 2, 3])), UP);
  });

  it('auth sections whose length does not match their type or the packet, and reserved types', () => {
    const signed = encodeBfd({ ...UP, auth: { type: 5, keyId: 1, sequence: 1, digest: new Uint8Array(20) } });
    const bad = (f: (b: Uint8Array) => void): string => {
      const b = Uint8Array.from(signed);
      f(b);
      const d = decodeBfd(b);
      return d.ok ? 'ok' : d.reason;
    };
    assert.equal(bad((b) => { b[25] = 24; }), 'bad-auth-section'); // Auth Len 24 vs Length 52
    assert.equal(bad((b) => { b[25] = 24; b[3] = 48; }), 'bad-auth-section'); // SHA1 with MD5's length
    assert.equal(bad((b) => { b[24] = 6; }), 'bad-auth-section');
    assert.equal(bad((b) => { b[24] = 0; }), 'bad-auth-section');
  });

  it('encode refuses what no one may send', () => {
    assert.throws(() => encodeBfd({ ...UP, detectMult: 0 }), /Detect Mult/);
    assert.throws(() => encodeBfd({ ...UP, myDiscriminator: 0 }), /My Discriminator/);
    assert.throws(() => encodeBfd({ ...UP, poll: true, final: true }), /§6\.5/);
    assert.throws(() => encodeBfd({ ...UP, desiredMinTxUs: 2 ** 32 }), /Desired Min TX/);
  });
});

const NO_NULL = { noNullPrototype: true } as const;
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const authArb: fc.Arbitrary<BfdAuth> = fc.oneof(
  fc.record({ type: fc.constant(1 as const), keyId: fc.integer({ min: 0, max: 255 }), password: fc.uint8Array({ minLength: 1, maxLength: 16 }) }, NO_NULL),
  fc.integer({ min: 2, max: 5 }).chain((type) => fc.record({
    type: fc.constant(type as 2 | 3 | 4 | 5), keyId: fc.integer({ min: 0, max: 255 }), sequence: u32,
    digest: fc.uint8Array({ minLength: type <= 3 ? 16 : 20, maxLength: type <= 3 ? 16 : 20 }),
  }, NO_NULL)),
);
const packetArb: fc.Arbitrary<BfdControlPacket> = fc.record({
  diag: fc.integer({ min: 0, max: 31 }), state: fc.constantFrom(...BFD_STATES),
  pf: fc.constantFrom([false, false], [true, false], [false, true]),
  controlPlaneIndependent: fc.boolean(), demand: fc.boolean(), detectMult: fc.integer({ min: 1, max: 255 }),
  myDiscriminator: fc.integer({ min: 1, max: 0xffffffff }), yourDiscriminator: fc.integer({ min: 1, max: 0xffffffff }),
  desiredMinTxUs: u32, requiredMinRxUs: u32, requiredMinEchoRxUs: u32, auth: fc.option(authArb, { nil: undefined }),
}, NO_NULL).map(({ pf, auth, ...rest }) => {
  const p: BfdControlPacket = { ...rest, poll: pf[0] as boolean, final: pf[1] as boolean };
  if (auth) p.auth = auth;
  return p;
});

describe('BFD properties', () => {
  it('encode -> decode returns the packet', () => {
    fc.assert(fc.property(packetArb, (p) => assert.deepEqual(decodeBfd(encodeBfd(p)), { ok: true, value: p })));
  });

  it('decode never throws on random bytes, and what decodes re-encodes to the same Length bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 80 }), (b) => {
      const d = decodeBfd(b);
      if (d.ok && !(d.value.poll && d.value.final)) assert.deepEqual(encodeBfd(d.value), b.subarray(0, b[3]));
    }), { numRuns: 2000 });
  });

  it('decode never throws on mutations of valid packets (version bits kept so the checks past it run)', () => {
    fc.assert(fc.property(packetArb, fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.integer({ min: 0, max: 60 }), (p, edits, cut) => {
      const b = Uint8Array.from(encodeBfd(p));
      for (const [at, v] of edits) b[at % b.length] = v;
      b[0] = ((b[0] ?? 0) & 0x1f) | 0x20;
      decodeBfd(b.subarray(0, Math.min(b.length, cut)));
      decodeBfd(b);
    }), { numRuns: 2000 });
  });
});
