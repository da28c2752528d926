/**
 * Transport limits over real loopback gRPC with mutual TLS (issue 8 findings 8 and 10, "What
 * must exist" 6): the dialer ties the peer's Hello to its certificate and to the node it meant
 * to reach; streams per connection, the Hello deadline, the per-peer frame budget and the frame
 * size are bounded; every refusal is counted with its reason, logged once per window, and the
 * peer is told only a generic status.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as grpc from '@grpc/grpc-js';
import { DEFAULT_LIMITS, MAX_FRAME_BYTES, REFUSED_DETAILS } from '../../../src/adapters/grpc/limits.js';
import { encodeAdvertBody } from '../../../src/wire/advert-body.js';
import { decodeFrame, encodeFrame } from '../../../src/wire/peer-frame.js';
import type { TestPki } from '../../../src/security/certs.js';
import { advert, CLUSTER, pki, rawChannel, rawClient, startNode, until, type TestNode } from './grpc-harness.js';

const hello = (nodeId: string) => Buffer.from(encodeFrame({ hello: { clusterId: CLUSTER, nodeId, address: '', revision: 1 } }));

/** Resolves with the status a raw stream ended with (bounded wait). */
function statusOf(call: grpc.ClientDuplexStream<Buffer, Buffer>, ms = 5000): Promise<{ code: number; details: string }> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no status within ${ms} ms`)), ms).unref();
    call.on('status', (s: grpc.StatusObject) => { clearTimeout(t); resolve({ code: s.code, details: s.details }); });
  });
}

/** Resolves when the server answered with its Hello (bounded wait). */
function answered(call: grpc.ClientDuplexStream<Buffer, Buffer>, ms = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no hello within ${ms} ms`)), ms).unref();
    call.once('data', (b: Buffer) => {
      clearTimeout(t);
      const f = decodeFrame(b);
      if (f.ok && f.value.hello) resolve();
      else reject(new Error('first answer is not a hello'));
    });
  });
}

describe('gRPC transport limits on loopback', () => {
  let p: TestPki;
  const nodes: TestNode[] = [];
  const start = async (...args: Parameters<typeof startNode>) => {
    const n = await startNode(...args);
    nodes.push(n);
    return n;
  };

  before(async () => {
    p = await pki(['a', 'b', 'c']);
  });
  after(async () => {
    await Promise.all(nodes.map((n) => n.transport.stop()));
  });

  it('the dialer refuses a peer whose Hello names another node than its certificate (certificate c, Hello "b")', async () => {
    const impostor = await start(p, 'b', () => [], { certOf: 'c' });
    const a = await start(p, 'a', () => [impostor.transport.address]);
    const address = impostor.transport.address;
    a.transport.sendMembership(address, { type: 'Ping', from: 'a', fromAddress: a.transport.address, seq: 1, target: 'b', gossip: [] });
    await until(() => a.metrics.sum('vipd_peer_rejected_total', { reason: 'identity-mismatch', side: 'dial' }) >= 1, 5000, 'dial-side refusal');
    assert.equal(a.transport.isUp(address), false);
    const warn = a.logs.filter((l) => l.level === 'warn' && l.fields.reason === 'identity-mismatch');
    assert.equal(warn.length, 1, 'logged once');
    assert.match(warn[0]?.msg ?? '', /node b/);
  });

  it('the dialer refuses a genuine node that is not the one it meant to reach (dialled b, reached c)', async () => {
    const c = await start(p, 'c', () => []);
    const a = await start(p, 'a', () => [c.transport.address], { expectedPeer: (addr) => (addr === c.transport.address ? 'b' : undefined) });
    a.transport.send(advert('a'));
    await until(() => a.metrics.sum('vipd_peer_rejected_total', { reason: 'unexpected-peer', side: 'dial' }) >= 1, 5000, 'dial-side refusal');
    assert.equal(a.transport.isUp(c.transport.address), false);
    assert.ok(a.logs.some((l) => l.level === 'warn' && /expected b/.test(l.msg) && /\bc\b/.test(l.msg)));
    // The node it did mean to reach is fine: with the right expectation the link comes up.
    const a2 = await start(p, 'a', () => [c.transport.address], { expectedPeer: () => 'c' });
    for (let i = 0; i < 100 && !a2.transport.isUp(c.transport.address); i++) {
      a2.transport.send(advert('a'));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(a2.transport.isUp(c.transport.address), true);
  });

  it('refuses a stream beyond the per-connection limit, counts it, and tells the peer only a generic status', async () => {
    const b = await start(p, 'b', () => [], { limits: { maxStreamsPerConnection: 2 } });
    const ch = rawChannel(b.transport.address, p, 'c');
    try {
      const first = ch.open();
      first.write(hello('c'));
      await answered(first);
      const second = ch.open();
      second.write(hello('c'));
      await answered(second);
      const third = ch.open();
      const status = statusOf(third);
      third.write(hello('c'));
      const s = await status;
      assert.equal(s.code, grpc.status.RESOURCE_EXHAUSTED);
      assert.doesNotMatch(s.details, /connection|stream|limit|\d/i, 'no detail for the peer');
      assert.equal(b.metrics.sum('vipd_peer_rejected_total', { reason: 'too-many-streams', side: 'accept' }), 1);
      assert.equal(b.logs.filter((l) => l.level === 'warn' && l.fields.reason === 'too-many-streams').length, 1);
      // Closing one frees its place (once the server has seen the cancel: retry, bounded).
      first.cancel();
      let fourth: grpc.ClientDuplexStream<Buffer, Buffer> | undefined;
      for (let i = 0; i < 50 && !fourth; i++) {
        const call = ch.open();
        call.write(hello('c'));
        const accepted = await Promise.race([answered(call).then(() => true), statusOf(call).then(() => false)]);
        if (accepted) fourth = call;
      }
      assert.ok(fourth, 'a stream is accepted again after one closed');
      second.cancel();
      fourth.cancel();
    } finally {
      ch.close();
    }
  });

  it('tells a refused peer nothing of our reasons (the allow-list stays in our log)', async () => {
    const b = await start(p, 'b', () => [], { allow: ['a'] });
    const call = rawClient(b.transport.address, p, 'c');
    const status = statusOf(call);
    call.write(hello('c'));
    const s = await status;
    assert.equal(s.code, grpc.status.PERMISSION_DENIED);
    assert.equal(s.details, REFUSED_DETAILS);
    assert.ok(b.logs.some((l) => l.level === 'warn' && /node c is not in the allow-list \[a\]/.test(l.msg)), 'the reason is in our log');
  });

  it('closes a stream that sends no Hello within the deadline (accepting side)', async () => {
    const b = await start(p, 'b', () => [], { limits: { helloDeadlineMs: 200 } });
    const call = rawClient(b.transport.address, p, 'c');
    const status = statusOf(call);
    const s = await status;
    assert.equal(s.code, grpc.status.DEADLINE_EXCEEDED);
    assert.doesNotMatch(s.details, /hello|\d/i);
    assert.equal(b.metrics.sum('vipd_peer_rejected_total', { reason: 'hello-timeout', side: 'accept' }), 1);
  });

  /** A TLS server with b's certificate whose Exchange handler is `handler` (raw bytes). */
  async function fakePeer(handler: (call: grpc.ServerDuplexStream<Buffer, Buffer>) => void): Promise<{ address: string; close: () => void }> {
    const server = new grpc.Server();
    server.addService({
      exchange: {
        path: '/vipd.v1.Peer/Exchange', requestStream: true, responseStream: true,
        requestSerialize: (x: Buffer) => x, requestDeserialize: (x: Buffer) => x,
        responseSerialize: (x: Buffer) => x, responseDeserialize: (x: Buffer) => x,
        originalName: 'exchange',
      },
    }, { exchange: handler });
    const pair = p.node('b');
    const creds = grpc.ServerCredentials.createSsl(Buffer.from(p.ca.cert), [{ private_key: Buffer.from(pair.key), cert_chain: Buffer.from(pair.cert) }], false);
    const port = await new Promise<number>((resolve, reject) => server.bindAsync('127.0.0.1:0', creds, (e, x) => (e ? reject(e) : resolve(x))));
    return { address: `127.0.0.1:${port}`, close: () => server.forceShutdown() };
  }

  it('the dialer gives up on a peer that never answers its Hello (dialling side)', async () => {
    const silent: unknown[] = [];
    const peer = await fakePeer((call) => void silent.push(call));
    try {
      const a = await start(p, 'a', () => [peer.address], { limits: { helloDeadlineMs: 200 } });
      a.transport.send(advert('a'));
      await until(() => a.metrics.sum('vipd_peer_rejected_total', { reason: 'hello-timeout', side: 'dial' }) >= 1, 5000, 'dial-side hello timeout');
      assert.ok(silent.length >= 1, 'the stream did reach the silent server');
      assert.equal(a.transport.isUp(peer.address), false);
    } finally {
      peer.close();
    }
  });

  it('the dialer refuses a peer whose first frame is not its Hello, without reading on', async () => {
    const peer = await fakePeer((call) => {
      call.write(Buffer.from(encodeFrame({ advert: { body: new Uint8Array([1]), keyId: '', mac: new Uint8Array() } })));
      call.write(hello('b'));
    });
    try {
      const a = await start(p, 'a', () => [peer.address]);
      a.transport.send(advert('a'));
      await until(() => a.metrics.sum('vipd_peer_rejected_total', { reason: 'no-hello', side: 'dial' }) >= 1, 5000, 'dial-side refusal');
      assert.equal(a.transport.isUp(peer.address), false, 'the Hello that came second was not read');
    } finally {
      peer.close();
    }
  });

  /** Hello from c, then `n` signed adverts as fast as the stream takes them. */
  async function flood(b: TestNode, n: number): Promise<void> {
    const call = rawClient(b.transport.address, p, 'c');
    try {
      call.write(hello('c'));
      await answered(call);
      const seq0 = Date.now() * 1000 + 5_000_000_000;
      for (let i = 0; i < n; i++) {
        const body = encodeAdvertBody({ clusterId: CLUSTER, group: 'web', vrid: 51, nodeId: 'c', address: '127.0.0.1', priority: 90, advertIntervalCs: 10, term: 1, sequence: seq0 + i, sentAtMs: Date.now() });
        const sig = b.keyring.sign(body)!;
        call.write(Buffer.from(encodeFrame({ advert: { body, keyId: sig.keyId, mac: sig.mac } })));
      }
      const dropped = () => b.metrics.sum('vipd_peer_frames_dropped_total');
      await until(() => b.received.length + dropped() === n, 5000, 'every frame delivered or dropped');
    } finally {
      call.end();
    }
  }

  for (const [budget, limits, reason, passes] of [
    ['frame', { peerFramesPerSecond: 1, peerFrameBurst: 5 }, 'rate-limited', 5],
    ['byte', { peerBytesPerSecond: 10, peerByteBurst: 500 }, 'byte-limited', 2],
  ] as const) {
    it(`drops and counts frames beyond the per-peer ${budget} budget, logging once`, async () => {
      const b = await start(p, 'b', () => [], { limits });
      await flood(b, 40);
      const dropped = b.metrics.sum('vipd_peer_frames_dropped_total', { reason });
      assert.ok(b.received.length >= passes, 'the burst passes');
      assert.ok(dropped >= 20, `most of the flood is dropped (dropped ${dropped})`);
      assert.equal(b.metrics.sum('vipd_peer_frames_dropped_total'), dropped, `dropped as ${reason} only`);
      assert.equal(b.logs.filter((l) => l.level === 'warn' && l.fields.reason === reason).length, 1, 'logged once per window');
    });
  }

  it('refuses a frame larger than the limit before decoding it (500,000 empty gossip items)', async () => {
    const b = await start(p, 'b', () => []);
    const call = rawClient(b.transport.address, p, 'c');
    call.write(hello('c'));
    await answered(call);
    const huge = Buffer.from(encodeFrame({ membership: { from: 'c', fromAddress: '', ping: { seq: 1, target: 'b' }, gossip: Array.from({ length: 500_000 }, () => ({}) as never) } }));
    assert.ok(huge.length > MAX_FRAME_BYTES && huge.length < 1 << 20, `${huge.length} bytes: under the old 1 MiB limit`);
    const status = statusOf(call);
    call.write(huge);
    const s = await status;
    assert.equal(s.code, grpc.status.RESOURCE_EXHAUSTED);
    assert.equal(b.metrics.sum('vipd_peer_frames_dropped_total', { reason: 'malformed' }), 0, 'never decoded');
  });

  it('a correct peer at the fastest preset never meets the limits: one second of 255 groups × 10 adverts passes unhindered', async () => {
    const b = await start(p, 'b', () => []);
    const a = await start(p, 'a', () => [b.transport.address], { expectedPeer: () => 'b' });
    for (let i = 0; i < 100 && !a.transport.isUp(b.transport.address); i++) {
      a.transport.send(advert('a'));
      await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(a.transport.isUp(b.transport.address), true);
    const before = b.received.length;
    const frames = 255 * 10;
    assert.ok(frames <= DEFAULT_LIMITS.peerFrameBurst, 'a second of adverts fits the burst');
    for (let i = 0; i < frames; i++) a.transport.send({ ...advert('a'), group: `g${i % 255}` });
    await until(() => b.received.length === before + frames, 10_000, `${frames} adverts at b`);
    assert.equal(b.metrics.sum('vipd_peer_frames_dropped_total'), 0);
    assert.equal(b.metrics.sum('vipd_peer_rejected_total'), 0);
    assert.equal(a.metrics.sum('vipd_peer_rejected_total'), 0);
  });
});
