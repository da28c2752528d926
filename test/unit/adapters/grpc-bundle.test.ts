/**
 * Advert bundles on real loopback streams (docs/wire-compatibility.md, "Advert bundles"): the
 * periodic adverts of several groups travel in one frame signed once, an urgent advert leaves at
 * once, each entry is checked like a lone advert (one bad entry is dropped alone, a bad signature
 * drops the bundle), and a peer whose Hello says revision 1 gets lone adverts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { GroupAdvert } from '../../../src/ports/peer-transport.js';
import type { TestPki } from '../../../src/security/certs.js';
import { encodeAdvertBody, type AdvertBody } from '../../../src/wire/advert-body.js';
import { encodeAdvertBundleBody } from '../../../src/wire/advert-bundle.js';
import { encodeFrame, type Hello } from '../../../src/wire/peer-frame.js';
import { CLUSTER, pki, rawClient, startNode, until, type TestNode } from './grpc-harness.js';

const GROUPS = ['web', 'db', 'api'];
const groupAdvert = (sender: string, group: string, periodic: boolean): GroupAdvert => ({
  group,
  advert: { vrid: GROUPS.indexOf(group) + 1, sender: { nodeId: sender, address: '127.0.0.1' }, priority: 100, advertIntervalCs: 10, term: 1 },
  ...(periodic ? { periodic: true } : {}),
});
const bundles = (n: TestNode) => n.metrics.sum('vipd_advert_bundles_sent_total');
const valid = (n: TestNode) => n.metrics.get('vipd_advert_signatures_total', { verdict: 'valid' });

/** Urgent adverts until the link is up (sends while connecting are dropped, as for lone adverts). */
async function linkUp(from: TestNode, to: TestNode): Promise<void> {
  for (let i = 0; i < 100 && !from.transport.isUp(to.transport.address); i++) {
    from.transport.send(groupAdvert(from.id, 'web', false));
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.ok(from.transport.isUp(to.transport.address));
  const got = to.received.length;
  from.transport.send(groupAdvert(from.id, 'web', false));
  await until(() => to.received.length > got, 5000, `the first advert at ${to.id}`);
}

describe('gRPC transport: advert bundles', () => {
  let p: TestPki;
  let a: TestNode;
  let b: TestNode;
  const extra: TestNode[] = [];

  before(async () => {
    p = await pki(['a', 'b', 'c', 'x']);
    a = await startNode(p, 'a', () => [b.transport.address]);
    b = await startNode(p, 'b', () => [a.transport.address]);
    await linkUp(a, b);
  });
  after(async () => {
    await Promise.all([a, b, ...extra].map((n) => n?.transport.stop()));
  });

  it('the periodic adverts of three groups in one event-loop turn travel in one bundle, signed once', async () => {
    const [sent, got, signatures] = [bundles(a), b.received.length, valid(b)];
    for (const g of GROUPS) a.transport.send(groupAdvert('a', g, true));
    assert.equal(bundles(a), sent, 'periodic adverts wait for the end of the turn');
    await until(() => b.received.length === got + 3, 5000, 'three adverts at b');
    assert.equal(bundles(a), sent + 1);
    assert.equal(valid(b), signatures + 1, 'one signature checked for the three');
    assert.deepEqual(b.received.slice(got).map((m) => [m.group, m.advert.vrid, m.origin?.nodeId]), [['web', 1, 'a'], ['db', 2, 'a'], ['api', 3, 'a']]);
  });

  it('an urgent advert leaves at once, with the periodic ones that wait for the same peer', async () => {
    const [sent, got] = [bundles(a), b.received.length];
    a.transport.send(groupAdvert('a', 'web', true));
    a.transport.send(groupAdvert('a', 'db', true));
    a.transport.send(groupAdvert('a', 'api', false));
    assert.equal(bundles(a), sent + 1, 'written before send() returned');
    await until(() => b.received.length === got + 3, 5000, 'three adverts at b');
    assert.deepEqual(b.received.slice(got).map((m) => m.group), ['web', 'db', 'api']);
    await new Promise((r) => setImmediate(r));
    assert.equal(bundles(a), sent + 1, 'nothing left for the end of the turn');
  });

  it('checks each entry alone: bad entries are dropped and counted, the others delivered; a bad signature or body drops the bundle', async () => {
    const call = rawClient(b.transport.address, p, 'c');
    try {
      call.write(Buffer.from(encodeFrame({ hello: { clusterId: CLUSTER, nodeId: 'c', address: '127.0.0.1:1', revision: 2 } })));
      const seq = Date.now() * 1000 + 5_000_000_000; // above anything c's transport sent
      const entry = (over: Partial<AdvertBody>) => encodeAdvertBody({
        clusterId: CLUSTER, group: 'web', vrid: 1, nodeId: 'c', address: '127.0.0.1', priority: 90, advertIntervalCs: 10, term: 1, sequence: seq, sentAtMs: Date.now(), ...over,
      });
      const bundle = (entries: Uint8Array[], sign = b.keyring) => {
        const body = encodeAdvertBundleBody(entries);
        const sig = sign.sign(body)!;
        return Buffer.from(encodeFrame({ advertBundle: { body, keyId: sig.keyId, mac: sig.mac } }));
      };
      const drops = (reason: string) => b.metrics.sum('vipd_adverts_dropped_total', { reason });
      const before = { got: b.received.length, cluster: drops('wrong-cluster'), identity: drops('identity-mismatch'), malformed: drops('malformed'), stale: drops('replay-stale-sequence'), window: drops('replay-outside-window') };
      call.write(bundle([
        entry({ group: 'web' }),
        entry({ group: 'db', sequence: seq + 1, clusterId: 'other' }),
        entry({ group: 'db', sequence: seq + 2, nodeId: 'a' }),
        Uint8Array.from([0xff, 0xfe, 0x01]),
        entry({ group: 'db', sequence: seq }), // a replay of the first entry
        entry({ group: 'db', sequence: seq + 3, sentAtMs: Date.now() - 60_000 }),
        entry({ group: 'api', sequence: seq + 4 }),
      ]));
      await until(() => b.received.length === before.got + 2, 5000, 'the two good entries');
      assert.deepEqual(b.received.slice(before.got).map((m) => [m.group, m.origin?.nodeId]), [['web', 'c'], ['api', 'c']]);
      assert.equal(drops('wrong-cluster'), before.cluster + 1);
      assert.equal(drops('identity-mismatch'), before.identity + 1);
      assert.equal(drops('malformed'), before.malformed + 1);
      assert.equal(drops('replay-stale-sequence'), before.stale + 1);
      assert.equal(drops('replay-outside-window'), before.window + 1);

      const badMac = drops('signature-bad-mac');
      const impostor = (await startNode(p, 'x', () => [], { key: { id: 'k1', secret: Buffer.alloc(32, 9) } }));
      extra.push(impostor);
      call.write(bundle([entry({ group: 'web', sequence: seq + 5 }), entry({ group: 'db', sequence: seq + 6 })], impostor.keyring));
      const body = Uint8Array.from([0x0a, 0x00]); // an empty entry: the body is refused whole
      const sig = b.keyring.sign(body)!;
      call.write(Buffer.from(encodeFrame({ advertBundle: { body, keyId: sig.keyId, mac: sig.mac } })));
      call.write(bundle([entry({ group: 'web', sequence: seq + 7 })])); // the stream survived
      await until(() => b.received.length === before.got + 3, 5000, 'the advert after the refused bundles');
      assert.equal(drops('signature-bad-mac'), badMac + 1, 'a bundle with a bad MAC is dropped whole, counted once');
      assert.equal(drops('malformed'), before.malformed + 2);
      assert.deepEqual(b.received.at(-1)?.advert.priority, 90);
    } finally {
      call.end();
    }
  });

  it('a peer whose Hello says revision 1 (an older node) gets lone signed adverts', async () => {
    // c models a node from before bundles: its Hello announces revision 1 (the transport shares
    // one Hello object with its server, so changing it before anyone dials is what c answers).
    const c = await startNode(p, 'c', () => [a.transport.address]);
    extra.push(c);
    (c.transport as unknown as { hello: Hello }).hello.revision = 1;
    const d = await startNode(p, 'x', () => [c.transport.address]);
    extra.push(d);
    await linkUp(d, c);
    const [sent, got, signatures] = [bundles(d), c.received.length, valid(c)];
    for (const g of GROUPS) d.transport.send(groupAdvert('x', g, true));
    await until(() => c.received.length === got + 3, 5000, 'three adverts at c');
    assert.equal(bundles(d), sent, 'no bundle to an older peer');
    assert.equal(valid(c), signatures + 3, 'three lone signed adverts');
    assert.equal(c.metrics.sum('vipd_peer_frames_dropped_total'), 0);
  });
});
