/**
 * VRRP adverts of a vrrp_peers: vipd group attributed to the vipd node that sent them
 * (src/runtime/vrrp-identities.ts): one master, one identity, with its gRPC term.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Advert } from '../../../src/core/election/types.js';
import { CLAIM_TTL_MS, MAX_CLAIMS_PER_GROUP, VrrpIdentities } from '../../../src/runtime/vrrp-identities.js';

const vrrp = (source: string, priority = 150): Advert => ({ vrid: 51, sender: { nodeId: source, address: source }, priority, advertIntervalCs: 10, term: 0 });
const nobodyLive = () => false;
const allLive = () => true;

describe('VRRP adverts attributed to vipd peers', () => {
  it('an address a peer announced over gRPC speaks for that peer, with its latest term', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 4, 0);
    ids.learn('web', '192.0.2.11', 'a', 7, 100);
    const r = ids.resolve('web', vrrp('192.0.2.11'), 150, nobodyLive);
    assert.equal(r.kind, 'vipd');
    assert.deepEqual(r.advert, { ...vrrp('192.0.2.11'), sender: { nodeId: 'a', address: '192.0.2.11' }, term: 7 }, 'only the name and the term change');
  });

  it('a Hello\'s standing teaches the address before any advert, and keeps the term last heard', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', undefined, 0);
    assert.deepEqual([ids.resolve('web', vrrp('192.0.2.11'), 1, nobodyLive).advert.sender.nodeId, ids.resolve('web', vrrp('192.0.2.11'), 1, nobodyLive).advert.term], ['a', 0]);
    ids.learn('web', '192.0.2.11', 'a', 5, 2);
    ids.learn('web', '192.0.2.11', 'a', undefined, 3);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 4, nobodyLive).advert.term, 5);
    // A new address replaces the old one (one address per node and group), and starts from term 0.
    ids.learn('web', '192.0.2.21', 'a', undefined, 5);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 6, allLive).kind, 'unknown');
    assert.deepEqual([ids.resolve('web', vrrp('192.0.2.21'), 6, allLive).advert.sender.nodeId, ids.resolve('web', vrrp('192.0.2.21'), 6, allLive).advert.term], ['a', 0]);
  });

  it('a priority-0 VRRP advert of an old master carries its own, lower term (so a backup that follows the successor ignores it)', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 7, 0);
    ids.learn('web', '192.0.2.12', 'b', 8, 5);
    const r = ids.resolve('web', vrrp('192.0.2.11', 0), 10, allLive);
    assert.deepEqual([r.kind, r.advert.sender.nodeId, r.advert.term, r.advert.priority], ['vipd', 'a', 7, 0]);
  });

  it('an address nobody claimed stays the address and is marked addressOnly (keepalived, FRR, or a peer not heard yet)', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 3, 0);
    const r = ids.resolve('web', vrrp('192.0.2.13'), 1, allLive);
    assert.equal(r.kind, 'unknown');
    assert.deepEqual(r.advert, { ...vrrp('192.0.2.13'), addressOnly: true });
  });

  it('claims are per group', () => {
    const ids = new VrrpIdentities();
    ids.learn('db', '192.0.2.11', 'a', 3, 0);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 1, allLive).kind, 'unknown');
  });

  it('two live node ids claiming one address (an insider announcing another node\'s address) map it to nobody', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 3, 0);
    ids.learn('web', '192.0.2.11', 'x', 9, 10);
    const r = ids.resolve('web', vrrp('192.0.2.11'), 20, allLive);
    assert.equal(r.kind, 'ambiguous');
    assert.deepEqual(r.kind === 'ambiguous' ? r.claimants : [], ['a', 'x']);
    assert.deepEqual([r.advert.term, r.advert.addressOnly], [0, true], 'no term borrowed from either');
    // Once a is no longer live and its claim is old, x alone counts (a readdressed node).
    const later = ids.resolve('web', vrrp('192.0.2.11'), CLAIM_TTL_MS + 5, (id) => id === 'x');
    assert.deepEqual([later.kind, later.advert.sender.nodeId], ['vipd', 'x']);
  });

  it('a claim counts while its node is live, however old, and for CLAIM_TTL_MS otherwise', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 3, 0);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), CLAIM_TTL_MS, nobodyLive).kind, 'vipd');
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), CLAIM_TTL_MS + 1, nobodyLive).kind, 'unknown');
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 100 * CLAIM_TTL_MS, allLive).kind, 'vipd', 'a backup that never advertises keeps its address');
  });

  it('ignores claims without an address or with a bad term, and keeps at most MAX_CLAIMS_PER_GROUP nodes', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', undefined, 'a', 3, 0);
    ids.learn('web', '192.0.2.11', 'a', -1, 0);
    ids.learn('web', '192.0.2.12', 'b', Number.NaN, 0);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 1, allLive).kind, 'unknown');
    assert.equal(ids.resolve('web', vrrp('192.0.2.12'), 1, allLive).kind, 'unknown');
    for (let i = 0; i < MAX_CLAIMS_PER_GROUP + 10; i++) ids.learn('web', `198.51.100.${i}`, `n${i}`, 1, 0);
    assert.equal(ids.resolve('web', vrrp(`198.51.100.${MAX_CLAIMS_PER_GROUP - 1}`), 1, allLive).kind, 'vipd');
    assert.equal(ids.resolve('web', vrrp(`198.51.100.${MAX_CLAIMS_PER_GROUP}`), 1, allLive).kind, 'unknown', 'past the cap, new nodes are not kept');
    ids.learn('web', '203.0.113.1', 'n0', 2, 2);
    assert.equal(ids.resolve('web', vrrp('203.0.113.1'), 3, allLive).advert.sender.nodeId, 'n0', 'a known node may still move');
  });
});
