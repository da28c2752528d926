/** The membership reducer driven directly: hand-made messages and `now`. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { initialState, nextDeadline, step } from '../../../../src/core/membership/step.js';
import type { MembershipState } from '../../../../src/core/membership/types.js';
import { LAN, SELF, addr, changes, queuedBroadcasts, env, gossipFrom, ofType, params, recv, runTo, sent, started, TICK } from './helpers.js';

/** Runs to the first round-robin probe; returns its target, seq and start time. */
function firstProbe(s0: MembershipState = started()): { s: MembershipState; target: string; seq: number; at: number } {
  const at = s0.nextProbeAt as number;
  const r = step(s0, TICK, at);
  const ping = sent(r.actions, 'Ping')[0];
  assert.ok(ping, 'a ping goes out at nextProbeAt');
  return { s: r.state, target: ping.message.target, seq: ping.message.seq, at };
}

const ack = (from: string, seq: number) => recv({ type: 'Ack', ...env(from), seq, gossip: [] });
const nack = (from: string, seq: number) => recv({ type: 'Nack', ...env(from), seq, gossip: [] });

describe('membership: start and join', () => {
  it('Start joins every seed but our own address, and arms the timers', () => {
    const s = initialState(params({ seeds: [SELF.address, 'seed1:7946', 'seed2:7946'] }), { seed: 1 });
    assert.equal(nextDeadline(s), undefined, 'nothing runs before Start');
    const r = step(s, { type: 'Start' }, 0);
    const joins = sent(r.actions, 'Join');
    assert.deepEqual(joins.map((j) => j.to), ['seed1:7946', 'seed2:7946']);
    assert.deepEqual(joins[0]?.message.members, [{ id: 'self', address: SELF.address, incarnation: 0, state: 'alive' }]);
    assert.ok(r.state.nextProbeAt !== undefined && r.state.nextProbeAt < LAN.probeIntervalMs);
    assert.equal(r.state.joinRetryAt, 1000);
  });

  it('a push-pull reply from the seed adds its members, and alone we ask the seeds again', () => {
    let s = step(initialState(params({ seeds: ['seed1:7946'] }), { seed: 1 }), { type: 'Start' }, 0).state;
    const retry = step(s, TICK, 1000);
    assert.equal(sent(retry.actions, 'Join').length, 1, 'no live member known: join again');
    s = retry.state;
    const r = step(s, recv({ type: 'PushPull', ...env('a'), reply: true, members: [
      { id: 'a', address: addr('a'), incarnation: 2, state: 'alive' },
      { id: 'b', address: addr('b'), incarnation: 0, state: 'alive' },
      { id: 'self', address: SELF.address, incarnation: 0, state: 'alive' },
    ] }), 1005);
    assert.deepEqual(changes(r.actions).map((c) => `${c.id} ${c.from}->${c.to}`), ['a unknown->alive', 'b unknown->alive']);
    assert.equal(r.state.liveOthers, 2);
    assert.equal(sent(step(r.state, TICK, 2000).actions, 'Join').length, 0, 'members known: no more joins');
  });

  it('a Join is answered with our whole view, and the joiner is gossiped', () => {
    const r = step(started(['a']), recv({ type: 'Join', ...env('z'), members: [{ id: 'z', address: addr('z'), incarnation: 0, state: 'alive' }] }), 5);
    const reply = sent(r.actions, 'PushPull')[0];
    assert.equal(reply?.to, 'z');
    assert.equal(reply?.message.reply, true);
    assert.deepEqual(reply?.message.members.map((m) => m.id), ['self', 'a', 'z']);
    assert.equal(queuedBroadcasts(r.state.queue)[0]?.item.type, 'Alive');
  });

  it('a push-pull peer that says dead makes us suspect, not declare dead (memberlist mergeState)', () => {
    const r = step(started(['a', 'b']), recv({ type: 'PushPull', ...env('b'), reply: false, members: [{ id: 'a', address: addr('a'), incarnation: 0, state: 'dead' }] }), 5);
    assert.equal(r.state.members.get('a')?.state, 'suspect');
    assert.equal(sent(r.actions, 'PushPull')[0]?.message.reply, true);
  });
});

describe('membership: probing', () => {
  it('direct ack: the probe ends well and no helper is asked', () => {
    const p = firstProbe();
    const r = step(p.s, ack(p.target, p.seq), p.at + 3);
    assert.equal(r.state.probes.length, 0);
    assert.deepEqual(ofType(r.actions, 'Metric').map((m) => m.labels.result), ['ack']);
    assert.equal(sent(runTo(r.state, p.at + 150, nextDeadline).actions, 'PingReq').length, 0);
  });

  it('no direct ack within the probe timeout: k helpers get a ping-req, the target a second ping', () => {
    const p = firstProbe();
    const r = step(p.s, TICK, p.at + LAN.probeTimeoutMs);
    const reqs = sent(r.actions, 'PingReq');
    assert.equal(reqs.length, 3);
    assert.ok(reqs.every((q) => q.to !== p.target && q.message.target === p.target && q.message.seq === p.seq && q.message.nack));
    assert.deepEqual(sent(r.actions, 'Ping').map((x) => x.to), [p.target]);
    // A helper relays the target's ack: success.
    const helper = reqs[0]?.to as string;
    const ok = step(r.state, ack(helper, p.seq), p.at + 120);
    assert.equal(ok.state.probes.length, 0);
    assert.deepEqual(ofType(ok.actions, 'Metric').map((m) => m.labels.result), ['indirect-ack']);
  });

  it('an ack from a member that is neither the target nor a helper does not count', () => {
    const p = firstProbe();
    const other = ['a', 'b', 'c', 'd', 'e'].find((x) => x !== p.target) as string;
    const r = step(p.s, ack(other, p.seq), p.at + 3);
    assert.equal(r.state.probes.length, 1);
  });

  it('no ack at all: the target is suspect at the end of the interval, confirmedByProbe', () => {
    const p = firstProbe();
    const esc = step(p.s, TICK, p.at + 100);
    const helpers = sent(esc.actions, 'PingReq').map((q) => q.to);
    let s = esc.state;
    for (const h of helpers) s = step(s, nack(h, p.seq), p.at + 185).state;
    const r = step(s, TICK, p.at + LAN.probeIntervalMs);
    const c = changes(r.actions);
    assert.deepEqual(c.map((x) => [x.id, x.from, x.to, x.confirmedByProbe]), [[p.target, 'alive', 'suspect', true]]);
    assert.match(c[0]?.reason ?? '', /no ack to direct probe or 3 indirect probes \(3 nacks\)/);
    assert.equal(r.state.awareness, 0, 'every helper nacked: our own link works, no health penalty');
    const q = queuedBroadcasts(r.state.queue)[0]?.item;
    assert.deepEqual(q, { type: 'Suspect', id: p.target, incarnation: 0, from: 'self' });
  });
});

describe('membership: local health awareness (Lifeguard)', () => {
  it('missing nacks raise the score by one each; timeouts then stretch by score + 1', () => {
    const p = firstProbe();
    const s1 = step(p.s, TICK, p.at + 100).state;
    const r = step(s1, TICK, p.at + 200);
    assert.equal(r.state.awareness, 3, 'three helpers, no nacks');
    // The same tick starts the next round-robin probe, already at the stretched timings.
    const probe = r.state.probes.find((x) => x.cause === 'round-robin');
    assert.equal(probe?.directDeadline, p.at + 200 + 100 * 4);
    assert.equal(probe?.deadline, p.at + 200 + 200 * 4);
    assert.equal(r.state.nextProbeAt, p.at + 200 + 200 * 4, 'the probe after it waits 4 intervals');
  });

  it('a probe with no helpers to ask raises the score by one', () => {
    const s0 = started(['a']);
    const p = firstProbe(s0);
    const r = runTo(p.s, p.at + 200, nextDeadline);
    assert.equal(r.state.awareness, 1);
  });

  it('successful probes lower it again, never below 0; it never exceeds awarenessMax − 1', () => {
    const s = { ...started(['a', 'b']), awareness: 7 };
    const p = firstProbe(s);
    assert.equal(step(p.s, ack(p.target, p.seq), p.at + 1).state.awareness, 6);
    let t = started(['a']);
    t = { ...t, awareness: 0 };
    const q = firstProbe(t);
    assert.equal(step(q.s, ack(q.target, q.seq), q.at + 1).state.awareness, 0);
    const noNack = step(step({ ...firstProbe(started()).s, awareness: 7 }, TICK, 10_000).state, TICK, 20_000).state;
    assert.equal(noNack.awareness, 7);
  });

  it('having to refute raises it by one', () => {
    const r = step(started(), gossipFrom('a', [{ type: 'Suspect', id: 'self', incarnation: 0, from: 'a' }]), 5);
    assert.equal(r.state.awareness, 1);
  });
});

describe('membership: refutation', () => {
  it('hearing our own suspicion bumps the incarnation and gossips alive, first on the answer to the accuser', () => {
    const s = started();
    const r = step(s, recv({ type: 'Ping', ...env('a'), seq: 9, target: 'self', gossip: [{ type: 'Suspect', id: 'self', incarnation: 0, from: 'a' }] }), 5);
    assert.equal(r.state.incarnation, 1);
    const reply = sent(r.actions, 'Ack')[0];
    assert.equal(reply?.to, 'a');
    assert.deepEqual(reply?.message.gossip[0], { type: 'Alive', id: 'self', address: SELF.address, incarnation: 1 });
    assert.equal(changes(r.actions).length, 0, 'we never mark ourselves');
  });

  it('dead about us, at our incarnation or above, is refuted past it; so is left, which a member believed from a previous life of ours', () => {
    const r1 = step(started(), gossipFrom('a', [{ type: 'Dead', id: 'self', incarnation: 4, from: 'a' }]), 5);
    assert.equal(r1.state.incarnation, 5);
    // We left gracefully at 5 and restarted (a restart within reapAfterMs): b believed that
    // leave, and ignores our alive at 5; only an incarnation past it brings us back.
    const r2 = step(r1.state, gossipFrom('b', [{ type: 'Left', id: 'self', incarnation: 5 }]), 6);
    assert.equal(r2.state.incarnation, 6);
    // In a push-pull record too (the seed's view after a restart).
    const r3 = step(started(), recv({ type: 'PushPull', ...env('b'), reply: true, members: [{ id: 'self', address: SELF.address, incarnation: 2, state: 'left' }] }), 5);
    assert.equal(r3.state.incarnation, 3);
  });

  it('old news about us is ignored', () => {
    const s = step(started(), gossipFrom('a', [{ type: 'Suspect', id: 'self', incarnation: 3, from: 'a' }]), 5).state;
    assert.equal(s.incarnation, 4);
    const r = step(s, gossipFrom('b', [{ type: 'Suspect', id: 'self', incarnation: 3, from: 'b' }]), 6);
    assert.equal(r.state.incarnation, 4);
    assert.equal(ofType(r.actions, 'Metric').length, 0);
  });

  it('alive about us at a higher incarnation (a previous life) is overridden', () => {
    const r = step(started(), gossipFrom('a', [{ type: 'Alive', id: 'self', address: SELF.address, incarnation: 7 }]), 5);
    assert.equal(r.state.incarnation, 8);
  });
});

describe('membership: graceful leave', () => {
  it('Leave gossips left at incarnation + 1 at once, and stops probing and refuting', () => {
    const s = started();
    const r = step(s, { type: 'Leave' }, 50);
    assert.equal(r.state.incarnation, 1);
    assert.equal(r.state.leaving, true);
    assert.equal(r.state.nextProbeAt, undefined);
    const gossip = sent(r.actions, 'Gossip');
    // `left` counts only from the leaver itself, so every live member hears it from us.
    assert.deepEqual(gossip.map((g) => g.to).sort(), ['a', 'b', 'c', 'd', 'e']);
    assert.ok(gossip.every((g) => g.message.gossip[0]?.type === 'Left' && g.message.gossip[0].incarnation === 1));
    const later = step(r.state, gossipFrom('a', [{ type: 'Suspect', id: 'self', incarnation: 1, from: 'a' }]), 60);
    assert.equal(later.state.incarnation, 1, 'a leaving member does not refute');
    assert.equal(later.state.leaving, true, 'still leaving: we describe ourselves as left');
  });

  it('a member that left is left, not dead, and is neither probed nor suspected again', () => {
    let s = started(['a', 'b']);
    const r = step(s, gossipFrom('a', [{ type: 'Left', id: 'a', incarnation: 1 }]), 5);
    assert.deepEqual(changes(r.actions).map((c) => [c.id, c.from, c.to, c.reason]), [['a', 'alive', 'left', 'left the cluster']]);
    s = step(r.state, gossipFrom('b', [{ type: 'Suspect', id: 'a', incarnation: 1, from: 'b' }]), 6).state;
    assert.equal(s.members.get('a')?.state, 'left');
    const run = runTo(s, 5000, nextDeadline);
    assert.ok(sent(run.actions, 'Ping').every((p) => p.message.target !== 'a'));
    assert.ok(changes(run.actions).every((c) => c.id !== 'a' || c.to === 'unknown'));
  });

  it('dead and left members are forgotten after reapAfterMs', () => {
    const s = step(started(['a', 'b']), gossipFrom('a', [{ type: 'Left', id: 'a', incarnation: 1 }]), 100).state;
    assert.equal(s.reapAt, 100 + 30_000);
    const r = runTo(s, 30_100, nextDeadline);
    assert.deepEqual(changes(r.actions).filter((c) => c.id === 'a').map((c) => [c.from, c.to]), [['left', 'unknown']]);
    assert.equal(r.state.members.has('a'), false);
    assert.equal(r.state.probeOrder.includes('a'), false);
  });
});

describe('membership: ProbeNow', () => {
  it('probes the member at once, outside the round robin', () => {
    const s = started();
    const r = step(s, { type: 'ProbeNow', id: 'c' }, 3);
    assert.deepEqual(sent(r.actions, 'Ping').map((p) => p.to), ['c']);
    assert.equal(r.state.probes[0]?.cause, 'probe-now');
    assert.equal(r.state.nextProbeAt, s.nextProbeAt, 'the round robin keeps its schedule');
  });

  it('direct and indirect failure make the member suspect, confirmedByProbe', () => {
    const s = step(started(), { type: 'ProbeNow', id: 'c' }, 0).state;
    const r = runTo({ ...s, nextProbeAt: undefined }, 200, nextDeadline);
    assert.equal(sent(r.actions, 'PingReq').length, 3);
    const c = changes(r.actions);
    assert.deepEqual(c.map((x) => [x.id, x.to, x.confirmedByProbe]), [['c', 'suspect', true]]);
  });

  it('an ack ends it: a broken stream is a hint, not a verdict', () => {
    let s = step(started(), { type: 'ProbeNow', id: 'c' }, 0).state;
    const seq = s.probes[0]?.seq as number;
    s = step(s, ack('c', seq), 2).state;
    assert.equal(s.probes.length, 0);
    assert.equal(s.members.get('c')?.state, 'alive');
  });

  it('unknown, dead or already probed members are not probed twice', () => {
    const s = step(started(), { type: 'ProbeNow', id: 'c' }, 0).state;
    assert.equal(sent(step(s, { type: 'ProbeNow', id: 'c' }, 1).actions, 'Ping').length, 0);
    assert.equal(sent(step(s, { type: 'ProbeNow', id: 'zz' }, 1).actions, 'Ping').length, 0);
    assert.equal(sent(step(s, { type: 'ProbeNow', id: 'self' }, 1).actions, 'Ping').length, 0);
  });
});

describe('membership: SendFailed', () => {
  it('a refused direct probe goes indirect at once, without a second direct ping and without marking', () => {
    const s = step(started(), { type: 'ProbeNow', id: 'c' }, 0).state;
    const r = step(s, { type: 'SendFailed', to: { id: 'c', address: addr('c') } }, 1);
    assert.equal(sent(r.actions, 'PingReq').length, 3);
    assert.equal(sent(r.actions, 'Ping').length, 0);
    assert.equal(r.state.probes[0]?.phase, 'indirect');
    assert.equal(changes(r.actions).length, 0);
    assert.equal(r.state.members.get('c')?.state, 'alive');
  });

  it('is matched by address when the id is not given', () => {
    const s = step(started(), { type: 'ProbeNow', id: 'c' }, 0).state;
    assert.equal(sent(step(s, { type: 'SendFailed', to: { address: addr('c') } }, 1).actions, 'PingReq').length, 3);
  });

  it('with nothing pending it does nothing', () => {
    const r = step(started(), { type: 'SendFailed', to: { id: 'c', address: addr('c') } }, 1);
    assert.deepEqual(r.actions, []);
  });

  it('a helper whose ping to the target is refused nacks at once', () => {
    const s = step(started(), recv({ type: 'PingReq', ...env('a'), seq: 7, target: 'c', targetAddress: addr('c'), nack: true, gossip: [] }), 0).state;
    const r = step(s, { type: 'SendFailed', to: { id: 'c', address: addr('c') } }, 1);
    assert.deepEqual(sent(r.actions, 'Nack').map((n) => [n.to, n.message.seq]), [['a', 7]]);
    assert.equal(r.state.relays.length, 0);
  });
});

describe('membership: helping with indirect probes', () => {
  const req = recv({ type: 'PingReq', ...env('a'), seq: 7, target: 'c', targetAddress: addr('c'), nack: true, gossip: [] });

  it('pings the target with our own seq and relays its ack with the requester seq', () => {
    const r = step(started(), req, 0);
    const ping = sent(r.actions, 'Ping')[0];
    assert.equal(ping?.to, 'c');
    const back = step(r.state, ack('c', ping?.message.seq as number), 2);
    assert.deepEqual(sent(back.actions, 'Ack').map((a) => [a.to, a.message.seq]), [['a', 7]]);
  });

  it('nacks after 80 % of the probe timeout when the target stays silent', () => {
    const r = step(started(), req, 0);
    assert.equal(r.state.relays[0]?.deadline, 80);
    const t = step(r.state, TICK, 80);
    assert.deepEqual(sent(t.actions, 'Nack').map((a) => [a.to, a.message.seq]), [['a', 7]]);
  });
});

describe('membership: received messages', () => {
  it('a ping is answered; one meant for another node is dropped and counted', () => {
    const s = started();
    const ok = step(s, recv({ type: 'Ping', ...env('a'), seq: 1, target: 'self', gossip: [] }), 1);
    assert.deepEqual(sent(ok.actions, 'Ack').map((a) => [a.to, a.message.seq]), [['a', 1]]);
    const wrong = step(s, recv({ type: 'Ping', ...env('a'), seq: 1, target: 'other', gossip: [] }), 1);
    assert.equal(sent(wrong.actions, 'Ack').length, 0);
    assert.deepEqual(ofType(wrong.actions, 'Metric').map((m) => m.labels.reason), ['wrong-target']);
  });

  it('a member we see as suspect hears so in our answer (buddy system)', () => {
    const s = step(started(), gossipFrom('b', [{ type: 'Suspect', id: 'a', incarnation: 0, from: 'b' }]), 1).state;
    const r = step(s, recv({ type: 'Ping', ...env('a'), seq: 1, target: 'self', gossip: [] }), 2);
    assert.deepEqual(sent(r.actions, 'Ack')[0]?.message.gossip[0], { type: 'Suspect', id: 'a', incarnation: 0, from: 'self' });
  });

  it('malformed messages, bad gossip items and our own messages are dropped, never thrown', () => {
    const s = started();
    const bad = [
      null, 42, {}, { type: 'Ping', from: 'a' }, { type: 'Nope', from: 'a', fromAddress: 'x' },
      { type: 'Ack', from: 'a', fromAddress: 'x', seq: -1, gossip: [] },
      { type: 'Gossip', from: 'a', fromAddress: 'x', gossip: [null, { type: 'Alive', id: 'q' }, { type: 'Dead', id: 'a', incarnation: 1.5, from: 'b' }] },
    ];
    for (const m of bad) assert.doesNotThrow(() => step(s, { type: 'Received', message: m as never, sender: 'a' }, 1));
    const own = step(s, recv({ type: 'Ping', ...env('self'), seq: 1, target: 'self', gossip: [] }), 1);
    assert.deepEqual(ofType(own.actions, 'Metric').map((m) => m.labels.reason), ['from-self']);
  });

  it('a live member keeps its address against a conflicting claim', () => {
    const r = step(started(['a']), gossipFrom('b', [{ type: 'Alive', id: 'a', address: 'elsewhere:1', incarnation: 3 }]), 1);
    assert.equal(r.state.members.get('a')?.address, addr('a'));
    assert.equal(ofType(r.actions, 'Log')[0]?.level, 'warn');
  });

  it('before Start nothing is processed', () => {
    const s = initialState(params(), { seed: 1, members: [{ id: 'a', address: addr('a') }] });
    const r = step(s, recv({ type: 'Ping', ...env('a'), seq: 1, target: 'self', gossip: [] }), 1);
    assert.equal(sent(r.actions, 'Ack').length, 0);
  });
});

describe('membership: healing after a partition (vipd additions)', () => {
  it('a verdict nobody confirmed is ours alone: the member is dead here, but `dead` is not gossiped', () => {
    // self knows a..e (n = 6, K = 3); a is suspected by us alone and times out at the max.
    const p = firstProbe();
    const r1 = runTo({ ...p.s, nextProbeAt: undefined }, p.at + 200, nextDeadline);
    assert.equal(r1.state.members.get(p.target)?.state, 'suspect');
    const r2 = runTo(r1.state, p.at + 200 + 4800, nextDeadline);
    const dead = changes(r2.actions).filter((c) => c.to === 'dead');
    assert.deepEqual(dead.map((c) => [c.id, c.confirmedByProbe]), [[p.target, true]]);
    assert.match(dead[0]?.reason ?? '', /0\/3 confirmations; not gossiped/);
    assert.ok(queuedBroadcasts(r2.state.queue).every((b) => b.item.type !== 'Dead'));
  });

  it('a confirmed verdict is gossiped', () => {
    let s = started();
    for (const from of ['b', 'c']) s = step(s, gossipFrom(from, [{ type: 'Suspect', id: 'a', incarnation: 0, from }]), 0).state;
    const r = runTo({ ...s, nextProbeAt: undefined }, 10_000, nextDeadline);
    const items = sent(r.actions, 'Gossip').flatMap((g) => g.message.gossip);
    assert.ok(items.some((g) => g.type === 'Dead' && g.id === 'a' && g.from === 'self'));
  });

  it('accusations from a member we consider dead are stale and ignored', () => {
    let s = step(started(), gossipFrom('b', [{ type: 'Dead', id: 'c', incarnation: 0, from: 'b' }]), 0).state;
    assert.equal(s.members.get('c')?.state, 'dead');
    s = step(s, gossipFrom('c', [{ type: 'Dead', id: 'a', incarnation: 0, from: 'c' }, { type: 'Suspect', id: 'b', incarnation: 0, from: 'c' }]), 5).state;
    assert.equal(s.members.get('a')?.state, 'alive');
    assert.equal(s.members.get('b')?.state, 'alive');
  });

  it('a member that missed our refutation is told directly: in the ack, or in a gossip message', () => {
    const s = step(started(), gossipFrom('a', [{ type: 'Suspect', id: 'self', incarnation: 0, from: 'a' }]), 0).state;
    assert.equal(s.incarnation, 1);
    const stale = { type: 'Suspect' as const, id: 'self', incarnation: 0, from: 'b' };
    const viaPing = step(s, recv({ type: 'Ping', ...env('b'), seq: 3, target: 'self', gossip: [stale] }), 5);
    assert.deepEqual(sent(viaPing.actions, 'Ack')[0]?.message.gossip[0], { type: 'Alive', id: 'self', address: SELF.address, incarnation: 1 });
    const viaGossip = step(s, gossipFrom('b', [stale]), 5);
    assert.deepEqual(sent(viaGossip.actions, 'Gossip').map((g) => [g.to, g.message.gossip]), [['b', [{ type: 'Alive', id: 'self', address: SELF.address, incarnation: 1 }]]]);
  });

  it('a ping from a member we never heard of starts a push-pull with it', () => {
    const r = step(started(['a']), recv({ type: 'Ping', ...env('z'), seq: 1, target: 'self', gossip: [] }), 5);
    assert.deepEqual(sent(r.actions, 'PushPull').map((p) => [p.to, p.message.reply]), [['z', false]]);
    assert.equal(sent(r.actions, 'Ack').length, 1);
  });

  it('the seeds are asked again until a full member list arrived, even when gossip taught us members', () => {
    let s = step(initialState(params({ seeds: ['seed1:7946'] }), { seed: 1 }), { type: 'Start' }, 0).state;
    s = step(s, gossipFrom('a', [{ type: 'Alive', id: 'a', address: addr('a'), incarnation: 0 }]), 10).state;
    assert.equal(sent(step(s, TICK, 1000).actions, 'Join').length, 1);
    s = step(s, recv({ type: 'PushPull', ...env('a'), reply: true, members: [{ id: 'a', address: addr('a'), incarnation: 0, state: 'alive' }] }), 20).state;
    assert.equal(sent(step(s, TICK, 1000).actions, 'Join').length, 0);
  });
});
