/**
 * The gRPC transport over real loopback connections with mutual TLS (issue 3 §3, §6): adverts
 * arrive; impostors, wrong keys, replays and garbage are rejected, logged once with a reason,
 * counted, and never reach the election.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { encodeAdvertBody } from '../../../src/wire/advert-body.js';
import { encodeFrame } from '../../../src/wire/peer-frame.js';
import { advert, CLUSTER, pki, rawClient, startNode, until, type TestNode } from './grpc-harness.js';
import type { TestPki } from '../../../src/security/certs.js';

describe('gRPC transport (mTLS, signed adverts) on loopback', () => {
  let p: TestPki;
  let a: TestNode;
  let b: TestNode;
  const extra: TestNode[] = [];

  before(async () => {
    p = await pki(['a', 'b', 'c', 'x']);
    a = await startNode(p, 'a', () => [b.transport.address]);
    b = await startNode(p, 'b', () => [a.transport.address]);
  });
  after(async () => {
    await Promise.all([a, b, ...extra].map((n) => n?.transport.stop()));
  });

  it('delivers a signed advert with every field, over one long-lived stream', async () => {
    // Sends while the link is still connecting are dropped (and counted); keep advertising.
    for (let i = 0; i < 100 && !a.transport.isUp(b.transport.address); i++) {
      a.transport.send(advert('a', 3, 150));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.ok(a.metrics.sum('vipd_peer_frames_unsent_total') >= 1, 'the first advert found no link and was counted');
    const before = b.received.length;
    for (let i = 0; i < 5; i++) a.transport.send(advert('a', 3, 150));
    await until(() => b.received.length >= before + 5, 5000, 'five adverts at b');
    // The stream's identity and what its Hello announced ride along (issue 8 finding 5).
    assert.deepEqual(b.received.at(-1), { ...advert('a', 3, 150), origin: { nodeId: 'a', address: a.transport.address, primaryAddresses: [], groups: [] } });
    assert.equal(b.metrics.sum('vipd_peer_rejected_total'), 0);
    assert.equal(b.metrics.get('vipd_advert_signatures_total', { verdict: 'valid' }) >= 5, true);
  });

  it('carries BFD liveness reports and queries with the stream\'s identity as the sender (docs/bfd.md)', async () => {
    const got: Array<{ m: unknown; from: string }> = [];
    a.transport.onLiveness((m, from) => got.push({ m, from }));
    for (let i = 0; i < 100 && !b.transport.isUp(a.transport.address); i++) {
      b.transport.sendLiveness(a.transport.address, { kind: 'query', subject: 'm' });
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = got.length;
    assert.equal(b.transport.sendLiveness(a.transport.address, { kind: 'report', subject: 'm', down: true }), true);
    assert.equal(b.transport.sendLiveness(a.transport.address, { kind: 'report', subject: 'm', down: false }), true);
    assert.equal(b.transport.sendLiveness(a.transport.address, { kind: 'query', subject: 'm' }), true);
    await until(() => got.length >= before + 3, 5000, 'three liveness messages at a');
    assert.deepEqual(got.slice(before), [
      { m: { kind: 'report', subject: 'm', down: true }, from: 'b' },
      { m: { kind: 'report', subject: 'm', down: false }, from: 'b' },
      { m: { kind: 'query', subject: 'm' }, from: 'b' },
    ]);
  });

  it('carries lease acks, refusals and relinquishes on the sender\'s stream, and the Hello\'s announcement as the advert origin', async () => {
    const c = await startNode(p, 'c', () => [a.transport.address], { announce: { primaryAddresses: ['192.0.2.3'], groups: ['web'] } });
    extra.push(c);
    const got: Array<{ m: unknown; from: string }> = [];
    a.transport.onLease((m, from) => got.push({ m, from }));
    for (let i = 0; i < 100 && !c.transport.isUp(a.transport.address); i++) {
      c.transport.sendLease(a.transport.address, { kind: 'ack', group: 'web', term: 4, echo: 1234 });
      await new Promise((r) => setTimeout(r, 20));
    }
    const before = got.length;
    assert.equal(c.transport.sendLease(a.transport.address, { kind: 'ack', group: 'web', term: 4, echo: 1234 }), true);
    assert.equal(c.transport.sendLease(a.transport.address, { kind: 'relinquish', group: 'web', term: 4 }), true);
    assert.equal(c.transport.sendLease(a.transport.address, { kind: 'refusal', group: 'web', term: 4, grantedTerm: 9 }), true);
    await until(() => got.length >= before + 3, 5000, 'three lease messages at a');
    assert.deepEqual(got.slice(before), [
      { m: { kind: 'ack', group: 'web', term: 4, echo: 1234 }, from: 'c' },
      { m: { kind: 'relinquish', group: 'web', term: 4 }, from: 'c' },
      { m: { kind: 'refusal', group: 'web', term: 4, grantedTerm: 9 }, from: 'c' },
    ]);
    const n = a.received.length;
    c.transport.send({ ...advert('c', 3, 150), advert: { ...advert('c', 3, 150).advert, leaseEcho: 77 } });
    await until(() => a.received.length > n, 5000, 'c\'s advert at a');
    // Where c serves, by its own Hello: lease acks and relinquishes for c go there (cluster-node.ts).
    assert.deepEqual(a.received.at(-1)?.origin, { nodeId: 'c', address: c.transport.address, primaryAddresses: ['192.0.2.3'], groups: ['web'] });
    assert.equal(a.received.at(-1)?.advert.leaseEcho, 77);
  });

  it('rejects a peer whose certificate comes from another CA, with a reason, and delivers nothing', async () => {
    // The impostor knows our (public) CA certificate, so it accepts our server; its own
    // certificate is from another CA.
    const other = await pki(['x']);
    const before = b.received.length;
    for (let i = 0; i < 3; i++) {
      const call = rawClient(b.transport.address, p, 'x', other);
      call.write(Buffer.from(encodeFrame({ hello: { clusterId: CLUSTER, nodeId: 'x', address: '', revision: 1 } })));
      await until(() => b.metrics.sum('vipd_peer_rejected_total', { reason: 'identity' }) === i + 1, 5000, `rejection ${i + 1}`);
      call.end();
    }
    const warns = b.logs.filter((l) => l.level === 'warn' && /no certificate issued by the cluster CA/.test(l.msg));
    assert.equal(warns.length, 1, 'logged once (rate-limited), counted every time');
    assert.equal(b.received.length, before);
  });

  it('a node with a certificate from another CA cannot connect with the real transport either', async () => {
    const other = await pki(['x']);
    const x = await startNode(other, 'x', () => [b.transport.address]);
    extra.push(x);
    for (let i = 0; i < 10; i++) {
      x.transport.send(advert('x'));
      await new Promise((r) => setTimeout(r, 30));
    }
    assert.equal(x.transport.isUp(b.transport.address), false);
    assert.ok(x.logs.some((l) => /cannot reach/.test(l.msg)), 'the impostor sees why');
  });

  it('drops an advert signed with the wrong key (bad-mac) and counts it', async () => {
    const c = await startNode(p, 'c', () => [b.transport.address], { key: { id: 'k1', secret: Buffer.alloc(32, 9) } });
    extra.push(c);
    const before = b.received.length;
    for (let i = 0; i < 20 && b.metrics.sum('vipd_adverts_dropped_total', { reason: 'signature-bad-mac' }) === 0; i++) {
      c.transport.send(advert('c'));
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(b.metrics.sum('vipd_adverts_dropped_total', { reason: 'signature-bad-mac' }) >= 1);
    assert.equal(b.received.length, before);
    assert.equal(b.logs.filter((l) => /signature bad-mac/.test(l.msg)).length, 1);
  });

  it('drops a replayed advert (stale sequence) and one sent outside the freshness window; garbage bytes are dropped and the stream survives', async () => {
    const call = rawClient(b.transport.address, p, 'c');
    try {
      call.write(Buffer.from(encodeFrame({ hello: { clusterId: CLUSTER, nodeId: 'c', address: '127.0.0.1:1', revision: 1 } })));
      const signed = (sequence: number, sentAtMs: number) => {
        const body = encodeAdvertBody({ clusterId: CLUSTER, group: 'web', vrid: 51, nodeId: 'c', address: '127.0.0.1', priority: 90, advertIntervalCs: 10, term: 1, sequence, sentAtMs });
        const sig = b.keyring.sign(body)!;
        return Buffer.from(encodeFrame({ advert: { body, keyId: sig.keyId, mac: sig.mac } }));
      };
      const seq = Date.now() * 1000 + 5_000_000_000; // above anything c's transport sent
      const before = b.received.length;
      const captured = signed(seq, Date.now());
      call.write(captured);
      await until(() => b.received.length === before + 1, 5000, 'first copy accepted');
      call.write(captured); // the replay
      call.write(signed(seq + 1, Date.now() - 60_000)); // stale timestamp
      call.write(Buffer.from('\xff\xfe garbage, not protobuf'));
      call.write(signed(seq + 2, Date.now())); // still accepted: the stream survived
      await until(() => b.received.length === before + 2, 5000, 'advert after garbage');
      assert.equal(b.metrics.sum('vipd_adverts_dropped_total', { reason: 'replay-stale-sequence' }), 1);
      assert.equal(b.metrics.sum('vipd_adverts_dropped_total', { reason: 'replay-outside-window' }), 1);
      assert.equal(b.metrics.sum('vipd_peer_frames_dropped_total', { reason: 'malformed' }), 1);
      assert.ok(b.logs.some((l) => /dropped malformed frame from c/.test(l.msg)));
    } finally {
      call.end();
    }
  });

  it('refuses a hello for another cluster and a hello that does not match the certificate', async () => {
    for (const [hello, reason] of [
      [{ clusterId: 'elsewhere', nodeId: 'c', address: '', revision: 1 }, 'wrong-cluster'],
      [{ clusterId: CLUSTER, nodeId: 'a', address: '', revision: 1 }, 'identity-mismatch'],
    ] as const) {
      const call = rawClient(b.transport.address, p, 'c');
      call.write(Buffer.from(encodeFrame({ hello })));
      await until(() => b.metrics.sum('vipd_peer_rejected_total', { reason }) === 1, 5000, reason);
      call.end();
    }
  });
});
