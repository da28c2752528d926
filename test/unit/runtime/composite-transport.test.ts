import assert from 'node:assert/strict';
import { it } from 'node:test';
import { CompositeTransport } from '../../../src/runtime/composite-transport.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../../../src/ports/peer-transport.js';

function recording(): PeerTransport & { sent: string[]; handler?: AdvertHandler; stopped: boolean } {
  const t = {
    sent: [] as string[],
    handler: undefined as AdvertHandler | undefined,
    stopped: false,
    async start(h: AdvertHandler) { t.handler = h; },
    send(m: GroupAdvert) { t.sent.push(m.group); },
    async stop() { t.stopped = true; },
  };
  return t;
}

const advert = (group: string): GroupAdvert => ({ group, advert: { vrid: 1, sender: { nodeId: 'x' }, priority: 1, advertIntervalCs: 10, term: 0 } });

it('routes each group to its transports (both = both), merges receive, stops all', async () => {
  const grpc = recording();
  const vrrp = recording();
  const c = new CompositeTransport([
    { transport: grpc, groups: new Set(['cloud', 'mixed']) },
    { transport: vrrp, groups: new Set(['lan', 'mixed']) },
  ]);
  const got: string[] = [];
  await c.start((m) => got.push(m.group));
  for (const g of ['cloud', 'lan', 'mixed', 'unknown']) c.send(advert(g));
  assert.deepEqual(grpc.sent, ['cloud', 'mixed']);
  assert.deepEqual(vrrp.sent, ['lan', 'mixed']);
  grpc.handler?.(advert('cloud'));
  vrrp.handler?.(advert('lan'));
  assert.deepEqual(got, ['cloud', 'lan']);
  await c.stop();
  assert.ok(grpc.stopped && vrrp.stopped);
});
