/**
 * Advert sequence numbers track the sender's wall clock (src/security/replay.ts, docs/security.md
 * "Replay protection"): a node restarted with its clock stepped back is heard again as soon as
 * its clock passes where it was, not only after its peers forget it (10 freshness windows, long
 * enough for two masters).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { TestPki } from '../../../src/security/certs.js';
import { advert, pki, startNode, until, type TestNode } from './grpc-harness.js';

/** Opens `n`'s link to `address`: sends made while it connects are dropped, not delivered. */
async function linkUp(n: TestNode, address: string): Promise<void> {
  for (let i = 0; i < 250 && !n.transport.isUp(address); i++) {
    n.transport.send(advert(n.id));
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(n.transport.isUp(address), `${n.id} connected to ${address}`);
}

describe('gRPC transport: advert sequences follow the wall clock', () => {
  let p: TestPki;
  let b: TestNode;
  before(async () => {
    p = await pki(['a', 'b']);
    b = await startNode(p, 'b', () => []);
  });
  after(async () => {
    await b.transport.stop();
  });

  it('a sender restarted with its clock 3 s behind is accepted once its clock passes its old position', async () => {
    const accepted = () => b.received.filter((m) => m.advert.sender.nodeId === 'a').length;
    const stale = () => b.metrics.sum('vipd_adverts_dropped_total', { reason: 'replay-stale-sequence' });

    // First life: sends with the real clock, then stops (its sequence is forgotten).
    const a1 = await startNode(p, 'a', () => [b.transport.address]);
    try {
      await linkUp(a1, b.transport.address);
      a1.transport.send(advert('a'));
      await until(() => accepted() === 1, 5000, 'the first life advert');
    } finally {
      await a1.transport.stop();
    }

    // Second life: its clock is 3 s behind (inside the 5 s freshness window).
    let offsetMs = -3000;
    const a2 = await startNode(p, 'a', () => [b.transport.address], { wallClock: () => Date.now() + offsetMs });
    try {
      await linkUp(a2, b.transport.address);
      a2.transport.send(advert('a'));
      await until(() => stale() === 1, 5000, 'the behind-clock advert dropped as stale');
      // Its clock reaches, then passes, where the first life was: 3.5 s later on its own clock.
      offsetMs = 500;
      a2.transport.send(advert('a'));
      await until(() => accepted() === 2 || stale() === 2, 5000, 'the second advert of the second life');
      assert.equal(accepted(), 2, 'accepted once the sender\'s clock passed its old position');
      assert.equal(stale(), 1);
    } finally {
      await a2.transport.stop();
    }
  });
});
