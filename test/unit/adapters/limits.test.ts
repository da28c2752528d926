/**
 * The frame budget and frame size of limits.ts against what a correct cluster sends at the
 * fastest timing preset (issue 8 "What must exist" 6: a correct node must never meet them).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CORRECT_PEER_BYTES_PER_SECOND, CORRECT_PEER_FRAMES_PER_SECOND, DEFAULT_LIMITS, MAX_CLUSTER_MEMBERS, MAX_FRAME_BYTES } from '../../../src/adapters/grpc/limits.js';
import { encodeAdvertBody } from '../../../src/wire/advert-body.js';
import { membershipParams } from '../../../src/core/membership/params.js';
import { TIMING_PRESETS } from '../../../src/config/presets.js';
import { encodeFrame } from '../../../src/wire/peer-frame.js';

describe('transport limits', () => {
  it('the per-peer frame budget covers twice the worst case of the fastest preset, and 2 s of it as burst', () => {
    const fastest = Object.values(TIMING_PRESETS).reduce((a, b) => (a.advertIntervalMs <= b.advertIntervalMs ? a : b));
    const params = membershipParams({ self: { id: 'a', address: '' }, ...fastest.membership });
    // 255 groups; per group and advert interval an advert and a lease ack.
    const election = 255 * 2 * (1000 / fastest.advertIntervalMs);
    // Per probe interval: gossip rounds, ping, ping-req, ack, ack + nack, push-pull, and a relayed
    // ping from every other member while we are suspect.
    const gossipRounds = params.probeIntervalMs / params.gossipIntervalMs;
    const membership = (gossipRounds + 5 + MAX_CLUSTER_MEMBERS) * (1000 / params.probeIntervalMs);
    assert.ok(CORRECT_PEER_FRAMES_PER_SECOND >= election + membership, `${CORRECT_PEER_FRAMES_PER_SECOND} >= ${election + membership}`);
    assert.ok(DEFAULT_LIMITS.peerFramesPerSecond >= 2 * (election + membership));
    assert.ok(DEFAULT_LIMITS.peerFrameBurst >= 2 * DEFAULT_LIMITS.peerFramesPerSecond, 'a 2 s stall of our own loop');
  });

  // The longest names config accepts (src/security/spiffe.ts NAME_RULE) and the longest address.
  const id = 'n'.repeat(63);
  const address = '[2001:db8:ffff:ffff:ffff:ffff:ffff:ffff]:65535';
  const gossipItem = { id, address, incarnation: 2 ** 32 - 1, state: 'MEMBER_STATE_SUSPECT' as const, from: id };

  it('the byte budget covers the largest frames a correct peer sends at the frame rates above', () => {
    const body = encodeAdvertBody({ clusterId: id, group: id, vrid: 255, nodeId: id, address: '2001:db8:ffff:ffff:ffff:ffff:ffff:ffff', priority: 255, advertIntervalCs: 4095, term: 2 ** 53 - 1, sequence: 2 ** 53 - 1, sentAtMs: 2 ** 53 - 1 });
    const advertBytes = encodeFrame({ advert: { body, keyId: id, mac: new Uint8Array(32) } }).length;
    const gossipBytes = encodeFrame({ membership: { from: id, fromAddress: address, pingReq: { seq: 2 ** 32 - 1, target: id, targetAddress: address, nack: true }, gossip: Array.from({ length: 17 }, () => gossipItem) } }).length;
    // limits.ts sizes the byte budget with 512-byte election frames and 4,096-byte membership frames.
    assert.ok(advertBytes <= 512, `advert frame ${advertBytes} bytes`);
    assert.ok(gossipBytes <= 4096, `membership frame ${gossipBytes} bytes`);
    assert.ok(CORRECT_PEER_BYTES_PER_SECOND >= 255 * 2 * 10 * advertBytes + (7 + MAX_CLUSTER_MEMBERS) * 5 * gossipBytes + MAX_FRAME_BYTES);
    assert.ok(DEFAULT_LIMITS.peerBytesPerSecond >= 2 * CORRECT_PEER_BYTES_PER_SECOND);
    assert.ok(DEFAULT_LIMITS.peerByteBurst >= 2 * DEFAULT_LIMITS.peerBytesPerSecond && DEFAULT_LIMITS.peerByteBurst > MAX_FRAME_BYTES);
  });

  it('a push-pull with every member, at the longest ids and addresses, fits in one frame', () => {
    // Our table plus the sender (membership caps records per message at MAX_MEMBERS + 1).
    const members = Array.from({ length: MAX_CLUSTER_MEMBERS + 1 }, (_, i) => ({
      id: `${id.slice(0, 59)}${String(i).padStart(4, '0')}`,
      address: `[2001:db8:ffff:ffff:ffff:ffff:ffff:${i.toString(16)}]:65535`,
      incarnation: 2 ** 32 - 1,
      state: 'MEMBER_STATE_SUSPECT' as const,
    }));
    const gossip = Array.from({ length: 17 }, () => gossipItem);
    const bytes = encodeFrame({ membership: { from: id, fromAddress: members[0]!.address, pushPull: { reply: true, members }, gossip } }).length;
    assert.ok(2 * bytes <= MAX_FRAME_BYTES, `${bytes} bytes, half of ${MAX_FRAME_BYTES}`);
    assert.equal(members.every((m) => m.id.length === 63), true);
  });
});
