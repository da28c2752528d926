/** MemoryHub / MemoryTransport: the in-process PeerTransport the simulator runs on. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub, type LinkModel } from './memory-transport.js';
import type { GroupAdvert } from '../../src/ports/peer-transport.js';
import { VirtualClock } from '../sim/virtual-clock.js';

const msg = (nodeId: string, term = 1): GroupAdvert => ({
  group: 'vip',
  advert: { vrid: 51, sender: { nodeId, address: '192.0.2.1' }, priority: 100, advertIntervalCs: 10, term },
});

interface Received {
  readonly to: string;
  readonly at: number;
  readonly msg: GroupAdvert;
}

async function setup(ids: readonly string[], link?: LinkModel) {
  const clock = new VirtualClock();
  const hub = link ? new MemoryHub(clock, link) : new MemoryHub(clock);
  const got: Received[] = [];
  const transports = new Map(ids.map((id) => [id, hub.connect(id)] as const));
  for (const [id, t] of transports) await t.start((m) => void got.push({ to: id, at: clock.now(), msg: m }));
  const get = (id: string) => {
    const t = transports.get(id);
    if (!t) throw new Error(`no transport ${id}`);
    return t;
  };
  return { clock, hub, got, get };
}

describe('MemoryTransport', () => {
  it('delivers to every other member, not to the sender, after the default 1 ms', async () => {
    const { clock, got, get } = await setup(['a', 'b', 'c']);
    get('a').send(msg('a'));
    clock.runUntil(0.5);
    assert.equal(got.length, 0, 'nothing before the link delay');
    clock.runUntil(10);
    assert.deepEqual(got.map((g) => [g.to, g.at]).sort(), [['b', 1], ['c', 1]]);
    assert.deepEqual(got[0]?.msg, msg('a'));
  });

  it('follows the LinkModel: one delivery per delay it returns, none when it returns []', async () => {
    const asked: Array<[string, string, number]> = [];
    const link: LinkModel = {
      deliveries: (from, to, now) => {
        asked.push([from, to, now]);
        return to === 'b' ? [5, 20] : [];
      },
    };
    const { clock, got, get } = await setup(['a', 'b', 'c'], link);
    clock.runUntil(100);
    get('a').send(msg('a'));
    clock.runUntil(1000);
    assert.deepEqual(asked.sort(), [['a', 'b', 100], ['a', 'c', 100]]);
    assert.deepEqual(got.map((g) => [g.to, g.at]), [['b', 105], ['b', 120]], 'b gets a duplicate, c loses it');
  });

  it('the hub link can be swapped at run time (a partition in the simulator)', async () => {
    const { clock, hub, got, get } = await setup(['a', 'b']);
    hub.link = { deliveries: () => [] };
    get('a').send(msg('a'));
    clock.runUntil(100);
    assert.equal(got.length, 0);
  });

  it('copies messages: mutation after send, or by one receiver, does not leak', async () => {
    const { clock, got, get } = await setup(['a', 'b', 'c']);
    const sent = structuredClone(msg('a', 7)) as { group: string; advert: { term: number } };
    get('a').send(sent as GroupAdvert);
    sent.advert.term = 99;
    sent.group = 'other';
    clock.runUntil(10);
    assert.equal(got.length, 2);
    for (const g of got) assert.deepEqual(g.msg, msg('a', 7));
    assert.notEqual(got[0]?.msg, got[1]?.msg, 'each receiver has its own copy');
  });

  it('a stopped transport receives nothing, not even what was already in flight', async () => {
    const { clock, got, get } = await setup(['a', 'b', 'c'], { deliveries: () => [10] });
    get('a').send(msg('a'));
    await get('b').stop();
    get('a').send(msg('a', 2));
    clock.runUntil(100);
    assert.deepEqual(got.map((g) => [g.to, g.msg.advert.term]), [['c', 1], ['c', 2]]);
  });

  it('a stopped transport sends nothing', async () => {
    const { clock, got, get } = await setup(['a', 'b']);
    await get('a').stop();
    get('a').send(msg('a'));
    clock.runUntil(100);
    assert.deepEqual(got, []);
  });

  it('stop before start is harmless, and the transport starts normally afterwards', async () => {
    const clock = new VirtualClock();
    const hub = new MemoryHub(clock);
    const a = hub.connect('a');
    const b = hub.connect('b');
    await b.stop();
    await b.stop();
    const got: GroupAdvert[] = [];
    await b.start((m) => void got.push(m));
    await a.start(() => undefined);
    a.send(msg('a'));
    clock.runUntil(10);
    assert.deepEqual(got, [msg('a')]);
  });

  it('a node that reconnects replaces its old transport', async () => {
    const { clock, hub, got, get } = await setup(['a', 'b']);
    const fresh: GroupAdvert[] = [];
    await hub.connect('b').start((m) => void fresh.push(m));
    get('a').send(msg('a'));
    clock.runUntil(10);
    assert.equal(fresh.length, 1);
    assert.deepEqual(got, [], 'the replaced transport gets nothing new');
  });
});
