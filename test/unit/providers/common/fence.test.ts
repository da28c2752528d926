/** The cross-node fence record: parse never throws, round trip, and the verdict table. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { encodeFence, fenceVerdict, parseFence, type FenceRecord } from '../../../../providers/common/fence.js';

const NOW = 1_764_633_600_000;
const TTL = 30_000;
const rec = (over: Partial<FenceRecord> = {}): FenceRecord => ({ term: 5, node: 'node-b', atMs: NOW - 1000, released: false, ...over });
/** Node ids are config names: 1-63 of a-z, 0-9, "-" (src/config/schema.ts). */
const nodeId = fc.stringMatching(/^[a-z0-9-]{1,63}$/);

describe('fence record', () => {
  it('parseFence never throws, and whatever it returns is a well-formed record (arbitrary strings)', () => {
    fc.assert(fc.property(fc.oneof(fc.string(), fc.string({ unit: 'binary' }), fc.constant(undefined)), (text) => {
      const r = parseFence(text);
      if (r === undefined) return;
      assert.ok(Number.isSafeInteger(r.term) && r.term >= 0);
      assert.ok(Number.isSafeInteger(r.atMs) && r.atMs >= 0);
      assert.ok(r.node.length > 0);
    }), { numRuns: 2000 });
  });

  it('parseFence never throws on strings made of the record\'s own pieces', () => {
    const piece = fc.constantFrom('t=', 'n=', 'at=', 'rel', ';', '=', '5', '-1', '1e3', '0x10', ' ', 'node-a', '9007199254740993', '');
    fc.assert(fc.property(fc.array(piece, { maxLength: 20 }).map((xs) => xs.join('')), (text) => {
      const r = parseFence(text);
      if (r) assert.ok(Number.isSafeInteger(r.term) && Number.isSafeInteger(r.atMs) && r.node !== '');
    }), { numRuns: 2000 });
  });

  it('round trip: parse(encode(r)) is r', () => {
    fc.assert(fc.property(
      fc.record({ term: fc.nat({ max: 2 ** 48 }), node: nodeId, atMs: fc.nat({ max: 4_102_444_800_000 }), released: fc.boolean() }),
      (r) => assert.deepEqual(parseFence(encodeFence(r)), { ...r }),
    ));
    assert.equal(encodeFence(rec()), `t=5;n=node-b;at=${NOW - 1000}`);
    assert.equal(encodeFence(rec({ released: true })), `t=5;n=node-b;at=${NOW - 1000};rel`);
  });

  it('refuses malformed records: missing or non-decimal fields, empty node, over 512 characters', () => {
    for (const text of [
      '', 't=5;n=a', 't=5;at=1', 'n=a;at=1', 't=;n=a;at=1', 't=5;n=;at=1', 't=-1;n=a;at=1', 't=1.5;n=a;at=1',
      't=0x10;n=a;at=1', 't= 5;n=a;at=1', 't=1e3;n=a;at=1', 't=5;n=a;at=', 't=9007199254740993;n=a;at=1',
      `t=5;n=${'a'.repeat(600)};at=1`,
    ]) assert.equal(parseFence(text), undefined, JSON.stringify(text));
    assert.deepEqual(parseFence('t=7;n=a;at=12;rel'), { term: 7, node: 'a', atMs: 12, released: true });
    assert.deepEqual(parseFence('at=12;n=a;t=7;extra=1'), { term: 7, node: 'a', atMs: 12, released: false }, 'order and unknown fields do not matter');
  });
});

describe('fenceVerdict', () => {
  const take = { take: true };
  const verdict = (r: FenceRecord | undefined, term: number, fenced = true, now = NOW) => fenceVerdict(r, { term, fenced }, 'node-a', now, TTL);

  it('takes: no record, a released record, our own record, a lower or equal term, a stale record, an unfenced group', () => {
    assert.deepEqual(verdict(undefined, 1), take, 'no record');
    assert.deepEqual(verdict(rec({ term: 9, released: true }), 1), take, 'released');
    assert.deepEqual(verdict(rec({ term: 9, node: 'node-a' }), 1), take, 'our own (an earlier run of this node)');
    assert.deepEqual(verdict(rec({ term: 4 }), 5), take, 'lower term');
    assert.deepEqual(verdict(rec({ term: 5 }), 5), take, 'equal term');
    assert.deepEqual(verdict(rec({ term: 9, atMs: NOW - TTL }), 5), take, 'stale: exactly the TTL old');
    assert.deepEqual(verdict(rec({ term: 9, atMs: NOW - 10 * TTL }), 5), take, 'stale: long gone');
    assert.deepEqual(verdict(rec({ term: 9 }), 5, false), take, 'fenced=false (VRRP group): terms are per node');
    assert.deepEqual(fenceVerdict(rec({ term: 9 }), { term: 5 }, 'node-a', NOW, TTL), take, 'fenced absent means false');
  });

  it('refuses a fresh, unreleased record of another node with a higher term, and says who holds it', () => {
    const v = verdict(rec({ term: 6, atMs: NOW - 2000 }), 5);
    assert.equal(v.take, false);
    assert.ok(!v.take);
    assert.match(v.detail, /node-b holds it at term 6 \(ours is 5\), asserted 2 s ago/);
    assert.equal(verdict(rec({ term: 6, atMs: NOW - TTL + 1 }), 5).take, false, 'one ms short of the TTL');
    assert.equal(verdict(rec({ term: 6, atMs: NOW + 5000 }), 5).take, false, 'a little ahead (clock skew): still fresh');
  });

  it('a record dated more than a TTL in the future (a clock far off) fences no longer than a TTL would', () => {
    assert.deepEqual(verdict(rec({ term: 6, atMs: NOW + TTL }), 5), take);
    assert.deepEqual(verdict(rec({ term: 6, atMs: NOW + 3_600_000 }), 5), take);
  });

  it('property: only "fenced, another node, unreleased, higher term, |age| < TTL" refuses', () => {
    fc.assert(fc.property(
      fc.record({ term: fc.nat(20), node: fc.constantFrom('node-a', 'node-b'), atMs: fc.integer({ min: NOW - 3 * TTL, max: NOW + 3 * TTL }), released: fc.boolean() }),
      fc.nat(20), fc.boolean(),
      (r, term, fenced) => {
        const refuses = fenced && r.node !== 'node-a' && !r.released && r.term > term && Math.abs(NOW - r.atMs) < TTL;
        assert.equal(fenceVerdict(r, { term, fenced }, 'node-a', NOW, TTL).take, !refuses);
      },
    ));
  });
});
