import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { TokenBucket } from '../../../src/adapters/grpc/token-bucket.js';

describe('TokenBucket', () => {
  it('lets a full burst through, then exactly the rate', () => {
    const b = new TokenBucket(10, 5, 1000);
    const takes = (now: number, n: number) => Array.from({ length: n }, () => b.take(now)).filter(Boolean).length;
    assert.equal(takes(1000, 8), 5, 'the burst');
    assert.equal(takes(1050, 3), 0, 'half a token is not a token');
    assert.equal(takes(1100, 3), 1, 'one token per 100 ms at 10/s');
    assert.equal(takes(1400, 10), 3);
  });

  it('takes a cost of several tokens only when all are there', () => {
    const b = new TokenBucket(1000, 1500, 0);
    assert.equal(b.has(0, 1500), true);
    assert.equal(b.take(0, 1000), true);
    assert.equal(b.take(0, 1000), false, 'takes none when short');
    assert.equal(b.take(0, 500), true);
    assert.equal(b.has(0, 1), false);
    assert.equal(b.take(1000, 1000), true, 'a second refills 1000');
  });

  it('never holds more than the burst, however long it idles, and a clock stepping back adds nothing', () => {
    const b = new TokenBucket(10, 5, 0);
    assert.equal(b.full(0), true);
    for (let i = 0; i < 5; i++) assert.equal(b.take(0), true);
    assert.equal(b.full(0), false);
    assert.equal(b.take(-1_000_000), false);
    assert.equal(b.full(3_600_000), true);
    assert.equal(Array.from({ length: 10 }, () => b.take(3_600_000)).filter(Boolean).length, 5);
  });
});
