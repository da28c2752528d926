/**
 * Issue 8 finding 5 and "What must exist" 3, over real gRPC + mTLS on loopback: two members and
 * a witness in a `quorum: majority` group. The master holds the VIP on a lease granted through
 * the witness's and the backup's acks; a witness, or a node that does not run the group, that
 * sends priority-255 adverts (signed with the cluster key, on its own authenticated stream) is
 * dropped with a typed reason instead of making every member Backup.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type * as grpc from '@grpc/grpc-js';
import { encodeAdvertBody } from '../../src/wire/advert-body.js';
import { encodeFrame } from '../../src/wire/peer-frame.js';
import { Keyring } from '../../src/security/signing.js';
import { rawClient } from '../unit/adapters/grpc-harness.js';
import { CLUSTER, KEY, TestCluster, until } from './harness.js';

const c = new TestCluster([
  { id: 'a', priority: 200, peers: ['b'], witnesses: ['w'], quorum: 'majority' },
  { id: 'b', priority: 100, peers: ['a'], witnesses: ['w'], quorum: 'majority' },
  { id: 'w', role: 'witness' },
  // Allow-listed, but runs no group with a and b (here: a witness of nothing).
  { id: 'x', role: 'witness' },
]);
const held = () => [...c.providers.entries()].filter(([, p]) => p.isHeld()).map(([id]) => id);

/** A stream from `id` (its own certificate) that sends signed adverts claiming to run `web`. */
function hostile(id: string, to: string): { send: (n: number) => void; close: () => void } {
  const call: grpc.ClientDuplexStream<Buffer, Buffer> = rawClient(to, c.pki, id);
  const keyring = new Keyring({ keys: [KEY], activeKeyId: KEY.id, mode: 'enforce' });
  let seq = Date.now() * 1000;
  call.write(Buffer.from(encodeFrame({ hello: { clusterId: CLUSTER, nodeId: id, address: '127.0.0.1:1', revision: 1, primaryAddresses: ['127.0.0.2'], groups: ['web'] } })));
  return {
    send: (n) => {
      for (let i = 0; i < n; i++) {
        const body = encodeAdvertBody({ clusterId: CLUSTER, group: 'web', vrid: 51, nodeId: id, address: '127.0.0.2', priority: 255, advertIntervalCs: 10, term: 1, sequence: seq++, sentAtMs: Date.now() });
        const sig = keyring.sign(body)!;
        call.write(Buffer.from(encodeFrame({ advert: { body, keyId: sig.keyId, mac: sig.mac } })));
      }
    },
    close: () => call.end(),
  };
}

describe('leases and per-group authorisation over gRPC', () => {
  before(() => c.startAll());
  after(() => c.stopAll());

  it('the master takes the VIP once the backup or the witness granted its lease', async () => {
    await until(() => c.masters().length === 1 && c.masters()[0] === 'a' && c.role('b') === 'Backup', 10_000, 'a master');
    await until(() => held().join() === 'a', 5000, 'a holds the VIP');
    await until(() => (c.metrics.get('w')?.get('vipd_lease_grants_total', { group: 'web', result: 'granted' }) ?? 0) > 0, 5000, 'the witness grants');
    assert.ok((c.metrics.get('b')?.get('vipd_lease_grants_total', { group: 'web', result: 'granted' }) ?? 0) > 0, 'the backup grants');
    assert.equal(c.metrics.get('a')?.sum('vipd_lease_expired_total') ?? 0, 0, 'the lease never ran out');
  });

  for (const [id, reason] of [['w', 'from-witness'], ['x', 'not-a-peer']] as const) {
    it(`priority-255 adverts from ${id} are dropped as ${reason}; a stays master with the VIP`, async () => {
      const streams = [...c.nodes.entries()].filter(([n]) => n === 'a' || n === 'b').map(([, node]) => hostile(id, node.address));
      try {
        const end = Date.now() + 1500; // several Master_Down_Intervals of hostile adverts
        while (Date.now() < end) {
          for (const s of streams) s.send(2);
          await new Promise((r) => setTimeout(r, 50));
          assert.deepEqual(c.masters(), ['a'], 'a stays master');
          assert.equal(c.role('b'), 'Backup');
        }
        for (const n of ['a', 'b']) {
          assert.ok((c.metrics.get(n)?.get('vipd_adverts_dropped_total', { group: 'web', reason }) ?? 0) > 0, `${n} counted ${reason}`);
        }
        assert.deepEqual(held(), ['a']);
      } finally {
        for (const s of streams) s.close();
      }
    });
  }
});
