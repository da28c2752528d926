/**
 * VRRP adverts of a vrrp_peers: vipd group attributed to the vipd node that sent them
 * (src/runtime/vrrp-identities.ts): one master, one identity, with its gRPC term.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Advert } from '../../../src/core/election/types.js';
import { CLAIM_TTL_MS, MAX_CLAIMS_PER_GROUP, VrrpIdentities } from '../../../src/runtime/vrrp-identities.js';

const vrrp = (source: string, priority = 150): Advert => ({ vrid: 51, sender: { nodeId: source, address: source }, priority, advertIntervalCs: 10, term: 0 });

describe('VRRP adverts attributed to vipd peers', () => {
  it('an address a peer announced over gRPC speaks for that peer, with its latest term', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 4, 0);
    ids.learn('web', '192.0.2.11', 'a', 7, 100);
    const r = ids.resolve('web', vrrp('192.0.2.11'), 150);
    assert.equal(r.kind, 'vipd');
    assert.deepEqual(r.advert.sender, { nodeId: 'a', address: '192.0.2.11' });
    assert.equal(r.advert.term, 7);
    assert.equal(r.advert.priority, 150, 'nothing else changes');
  });

  it('a priority-0 VRRP advert of an old master carries its own, lower term (so a backup that follows the successor ignores it)', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 7, 0);
    ids.learn('web', '192.0.2.12', 'b', 8, 5);
    const r = ids.resolve('web', vrrp('192.0.2.11', 0), 10);
    assert.deepEqual([r.kind, r.advert.sender.nodeId, r.advert.term, r.advert.priority], ['vipd', 'a', 7, 0]);
  });

  it('an address nobody claimed stays the address (keepalived, FRR, or a peer not heard over gRPC yet)', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 3, 0);
    const r = ids.resolve('web', vrrp('192.0.2.13'), 1);
    assert.equal(r.kind, 'unknown');
    assert.deepEqual(r.advert, vrrp('192.0.2.13'));
  });

  it('claims are per group', () => {
    const ids = new VrrpIdentities();
    ids.learn('db', '192.0.2.11', 'a', 3, 0);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 1).kind, 'unknown');
  });

  it('two node ids claiming one address (an insider announcing another node\'s address) map it to nobody', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 3, 0);
    ids.learn('web', '192.0.2.11', 'x', 9, 10);
    const r = ids.resolve('web', vrrp('192.0.2.11'), 20);
    assert.equal(r.kind, 'ambiguous');
    assert.deepEqual(r.kind === 'ambiguous' ? r.claimants : [], ['a', 'x']);
    assert.equal(r.advert.term, 0, 'no term borrowed from either');
    // Once one claim is stale, the other alone counts again (a readdressed node).
    ids.learn('web', '192.0.2.11', 'x', 9, CLAIM_TTL_MS + 5);
    const later = ids.resolve('web', vrrp('192.0.2.11'), CLAIM_TTL_MS + 6);
    assert.deepEqual([later.kind, later.advert.sender.nodeId], ['vipd', 'x']);
  });

  it('a claim expires without fresh gRPC adverts', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', '192.0.2.11', 'a', 3, 0);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), CLAIM_TTL_MS).kind, 'vipd');
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), CLAIM_TTL_MS + 1).kind, 'unknown');
  });

  it('ignores claims without an address or with a bad term, and keeps at most MAX_CLAIMS_PER_GROUP addresses', () => {
    const ids = new VrrpIdentities();
    ids.learn('web', undefined, 'a', 3, 0);
    ids.learn('web', '192.0.2.11', 'a', -1, 0);
    ids.learn('web', '192.0.2.12', 'a', Number.NaN, 0);
    assert.equal(ids.resolve('web', vrrp('192.0.2.11'), 1).kind, 'unknown');
    assert.equal(ids.resolve('web', vrrp('192.0.2.12'), 1).kind, 'unknown');
    for (let i = 0; i < MAX_CLAIMS_PER_GROUP + 10; i++) ids.learn('web', `198.51.100.${i}`, `n${i}`, 1, 0);
    assert.equal(ids.resolve('web', vrrp(`198.51.100.${MAX_CLAIMS_PER_GROUP - 1}`), 1).kind, 'vipd');
    assert.equal(ids.resolve('web', vrrp(`198.51.100.${MAX_CLAIMS_PER_GROUP}`), 1).kind, 'unknown', 'past the cap, new addresses are not kept');
    // Stale entries make room.
    ids.learn('web', '203.0.113.1', 'late', 1, CLAIM_TTL_MS + 1);
    assert.equal(ids.resolve('web', vrrp('203.0.113.1'), CLAIM_TTL_MS + 2).kind, 'vipd');
  });
});
