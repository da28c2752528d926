/** The in-memory MembershipTransport reports streams the way the gRPC peer link does. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/core/membership/messages.js';
import type { MembershipReceiver } from '../../src/ports/membership-transport.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { MemoryMembershipHub, type StreamModel } from './memory-membership.js';

const ping = (from: string): Message => ({ type: 'Ping', from, fromAddress: from, seq: 1, target: 'b', gossip: [] });

function receiver(events: string[]): MembershipReceiver {
  return {
    message: (m, from) => events.push(`message ${m.type} from ${from}`),
    peerUp: (id) => events.push(`up ${id}`),
    peerDown: (id) => events.push(`down ${id}`),
    unreachable: (address) => events.push(`unreachable ${address}`),
    groupTargets: () => [],
  };
}

describe('MemoryMembershipTransport', () => {
  it('close before listen is harmless; a send before listen is refused', async () => {
    const hub = new MemoryMembershipHub(new VirtualClock());
    const a = hub.connect('a');
    assert.equal(a.sendMembership('b', ping('a')), false);
    await a.close();
    await a.close();
  });

  it('opens a stream on the first send, delivers through the link model, breaks it when the far end closes', async () => {
    const clock = new VirtualClock();
    const hub = new MemoryMembershipHub(clock, { deliveries: () => [5, 7] }); // every message twice
    const ea: string[] = [];
    const eb: string[] = [];
    const a = hub.connect('a');
    const b = hub.connect('b');
    await a.listen(receiver(ea));
    await b.listen(receiver(eb));
    assert.equal(a.sendMembership('b', ping('a')), true);
    assert.equal(a.isUp('b'), true);
    clock.runUntil(4);
    assert.deepEqual(eb, [], 'nothing before the link delay');
    clock.runUntil(10);
    assert.deepEqual(eb, ['message Ping from a', 'message Ping from a']);
    assert.deepEqual(ea, ['up b']);
    await b.close();
    clock.runUntil(11);
    assert.deepEqual(ea, ['up b', 'down b']);
    assert.equal(a.isUp('b'), false);
  });

  it('a send nobody listens to, or over a cut link, is unreachable; a stream cut later is down', async () => {
    const clock = new VirtualClock();
    let cut = false;
    const model: StreamModel = { deliveries: () => [1], connected: () => !cut };
    const hub = new MemoryMembershipHub(clock, model);
    const ea: string[] = [];
    const a = hub.connect('a');
    await a.listen(receiver(ea));
    assert.equal(a.sendMembership('nobody', ping('a')), false);
    await hub.connect('b').listen(receiver([]));
    cut = true;
    assert.equal(a.sendMembership('b', ping('a')), false);
    cut = false;
    assert.equal(a.sendMembership('b', ping('a')), true);
    cut = true;
    assert.equal(a.isUp('b'), false, 'a cut stream is not up');
    assert.equal(a.sendMembership('b', ping('a')), false);
    clock.runUntil(1);
    assert.deepEqual(ea, ['unreachable nobody', 'unreachable b', 'up b', 'down b']);
  });

  it('forget closes our stream: the next send opens a new one', async () => {
    const clock = new VirtualClock();
    const hub = new MemoryMembershipHub(clock);
    const ea: string[] = [];
    const a = hub.connect('a');
    await a.listen(receiver(ea));
    await hub.connect('b').listen(receiver([]));
    a.sendMembership('b', ping('a'));
    a.forget('b');
    a.forget('b');
    assert.equal(a.isUp('b'), false);
    a.sendMembership('b', ping('a'));
    clock.runUntil(1);
    assert.deepEqual(ea, ['up b', 'up b']);
  });
});
