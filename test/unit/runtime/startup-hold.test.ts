/** The startup hold (src/runtime/startup-hold.ts, issue 10): what ends it, and that it ends once. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { defaultStartupHoldMs, StartupHold, unheardPeers } from '../../../src/runtime/startup-hold.js';
import { masterDownIntervalMs } from '../../../src/core/election/timers.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

function hold(peers: string[]) {
  const clock = new VirtualClock();
  const heard = new Set<string>();
  const events: string[] = [];
  const above: { id?: string } = {};
  const h = new StartupHold({
    peers, holdMs: 3000, clock, heard: (id) => heard.has(id), outranked: () => above.id,
    target: { holdStartup: () => events.push('hold'), releaseStartup: (reason) => events.push(reason) },
  });
  h.arm();
  return { clock, heard, events, h, above };
}

describe('startup hold', () => {
  it('ends when every peer has been heard, naming them', () => {
    const t = hold(['b', 'c']);
    t.heard.add('b');
    t.h.check();
    assert.deepEqual(t.events, ['hold']);
    t.heard.add('c');
    t.h.check();
    t.h.check();
    assert.deepEqual(t.events, ['hold', 'startup-hold: heard every peer (b, c)']);
  });

  it('ends at the bound, naming who stayed silent; or at once when a master advertises', async () => {
    const t = hold(['b', 'c']);
    t.heard.add('b');
    await t.clock.advanceTo(2999);
    assert.deepEqual(t.events, ['hold']);
    await t.clock.advanceTo(3000);
    assert.deepEqual(t.events, ['hold', 'startup-hold: 3000 ms passed without hearing c']);
    const m = hold(['b']);
    m.h.heardMaster('b');
    await m.clock.advanceTo(5000);
    assert.deepEqual(m.events, ['hold', 'startup-hold: master b is advertising']);
  });

  it('every peer heard but one ranks above: holds on until a master advertises', async () => {
    const t = hold(['a', 'c']);
    t.above.id = 'c';
    t.heard.add('a');
    t.heard.add('c');
    t.h.check();
    assert.deepEqual(t.events, ['hold']);
    assert.equal(t.h.waitingForMaster, 'c');
    await t.clock.advanceTo(1000);
    t.h.heardMaster('c');
    assert.deepEqual(t.events, ['hold', 'startup-hold: master c is advertising']);
    assert.equal(t.h.waitingForMaster, undefined);
  });

  it('the higher peer never advertises (it is in Fault): the bound still ends the hold, saying so', async () => {
    const t = hold(['c']);
    t.above.id = 'c';
    t.heard.add('c');
    t.h.check();
    await t.clock.advanceTo(2999);
    assert.deepEqual(t.events, ['hold']);
    await t.clock.advanceTo(3000);
    assert.deepEqual(t.events, ['hold', 'startup-hold: 3000 ms passed without an advert from c, which ranks above']);
  });

  it('a cancelled hold (the node stops) starts nothing', async () => {
    const t = hold(['b']);
    t.h.cancel();
    await t.clock.advanceTo(5000);
    t.heard.add('b');
    t.h.check();
    assert.deepEqual(t.events, ['hold']);
  });

  it('defaults to max(2 × Master_Down_Interval, 3 s)', () => {
    assert.deepEqual(unheardPeers(['a', 'b'], (id) => id === 'a'), ['b']);
    assert.equal(defaultStartupHoldMs(100, 10, 3), 3000);
    assert.equal(defaultStartupHoldMs(100, 100, 3), 2 * masterDownIntervalMs(100, 100, 3));
  });
});
