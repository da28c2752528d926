/**
 * Gossip items and member records per frame are capped at decode (issue 8 finding 10, must-exist
 * 6): a frame over the caps of src/core/membership/limits.ts is refused before protobufjs builds
 * its objects, and the pass stops at the first item over the cap.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { MAX_GOSSIP_PER_MESSAGE, MAX_RECORDS_PER_MESSAGE } from '../../../src/core/membership/limits.js';
import { decodeFrame, encodeFrame, type MembershipFrame } from '../../../src/wire/peer-frame.js';
import { membershipOverLimit } from '../../../src/wire/membership-scan.js';

/** Protobuf bytes of a length-delimited field (lengths below 2^21 here). */
function len(field: number, body: Uint8Array): Uint8Array {
  const varint = (n: number): number[] => {
    const out: number[] = [];
    while (n > 0x7f) {
      out.push((n & 0x7f) | 0x80);
      n >>>= 7;
    }
    out.push(n);
    return out;
  };
  return Uint8Array.from([...varint((field << 3) | 2), ...varint(body.length), ...body]);
}

const concat = (...parts: Uint8Array[]): Uint8Array => Uint8Array.from(parts.flatMap((p) => [...p]));
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s);

/** A Frame { membership { from, gossip_round {}, `n` empty gossip items, `tail` } }. */
function emptyGossipFrame(n: number, tail: Uint8Array = new Uint8Array()): Uint8Array {
  const items = new Uint8Array(2 * n);
  for (let i = 0; i < n; i++) items[2 * i] = (15 << 3) | 2; // field 15, length 0
  return len(3, concat(len(1, utf8('a')), len(7, new Uint8Array()), items, tail));
}

const gossipFrame = (n: number): MembershipFrame => ({
  from: 'a', fromAddress: 'a.test:7946', gossipRound: {},
  gossip: Array.from({ length: n }, (_, i) => ({ state: 'MEMBER_STATE_ALIVE' as const, id: `m${i}`, address: 'm.test:1', incarnation: 1, from: '' })),
});

describe('membership frames: items capped at decode', () => {
  it('a frame with 500,000 empty gossip items is refused, not decoded; so is one that fits the 256 KiB frame limit', () => {
    // The finding's frame (~1 MB), and 100,000 items (~200 KB, under src/adapters/grpc/limits.ts MAX_FRAME_BYTES).
    for (const n of [500_000, 100_000]) {
      const d = decodeFrame(emptyGossipFrame(n));
      assert.equal(d.ok, false);
      assert.match(d.ok ? '' : d.reason, /more than 256 gossip items/);
    }
  });

  it('the pass stops at the first item over the cap: bytes after it are never read', () => {
    // Garbage after item 257 would be a decode error if anything read that far.
    const garbage = new Uint8Array(100_000).fill(0xff);
    const d = decodeFrame(emptyGossipFrame(MAX_GOSSIP_PER_MESSAGE + 1, garbage));
    assert.match(d.ok ? '' : d.reason, /more than 256 gossip items/);
    assert.equal(decodeFrame(emptyGossipFrame(MAX_GOSSIP_PER_MESSAGE, garbage)).ok, false, 'at the cap the decoder reads on and finds the garbage');
  });

  it('up to the cap the frame decodes as before', () => {
    const d = decodeFrame(encodeFrame({ membership: gossipFrame(MAX_GOSSIP_PER_MESSAGE) }));
    assert.ok(d.ok && d.value.membership?.gossip.length === MAX_GOSSIP_PER_MESSAGE);
    assert.equal(decodeFrame(encodeFrame({ membership: gossipFrame(MAX_GOSSIP_PER_MESSAGE + 1) })).ok, false);
  });

  it('member records of a Join or PushPull are capped, across repeated occurrences too', () => {
    const record = (i: number) => ({ id: `fake${i}`, address: 'f.test:1', incarnation: 0, state: 'MEMBER_STATE_ALIVE' as const });
    const join = (n: number): MembershipFrame => ({ from: 'a', fromAddress: 'a.test:1', gossip: [], join: { members: Array.from({ length: n }, (_, i) => record(i)) } });
    assert.ok(decodeFrame(encodeFrame({ membership: join(MAX_RECORDS_PER_MESSAGE) })).ok);
    const flood = decodeFrame(encodeFrame({ membership: join(20_000) }));
    assert.match(flood.ok ? '' : flood.reason, /more than 1025 member records/);
    // Two push_pull fields of 600 records each: protobufjs decodes both, so both count.
    const half = encodeFrame({ membership: { from: 'a', fromAddress: 'a.test:1', gossip: [], pushPull: { reply: true, members: Array.from({ length: 600 }, (_, i) => record(i)) } } });
    assert.ok(half[0] === 0x1a && ((half[1] as number) & 0x80) !== 0 && ((half[2] as number) & 0x80) === 0, 'Frame field 3 with a 2-byte length');
    const inner = half.subarray(3);
    assert.equal(membershipOverLimit(len(3, concat(inner, inner))), `membership message with more than ${MAX_RECORDS_PER_MESSAGE} member records`);
  });

  it('never throws, and leaves malformed bytes to the decoder', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (b) => {
      assert.doesNotThrow(() => membershipOverLimit(b));
      assert.doesNotThrow(() => decodeFrame(b));
    }), { numRuns: 500 });
    assert.equal(membershipOverLimit(Uint8Array.from([0x1a, 0x7f])), undefined);
  });
});
