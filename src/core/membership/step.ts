/**
 * The membership reducer: step(state, event, now) -> { state, actions }. SWIM (Das et al.,
 * 2002) as memberlist implements it, with the Lifeguard extensions (Dadgar et al., 2018): local
 * health awareness, dynamic suspicion with independent confirmations, the buddy system, nacks.
 * vipd additions, each explained where it happens:
 * - ProbeNow (a broken stream is a hint) and SendFailed (a refused connection goes indirect at once);
 * - MemberGone (our own crash verdict) and BfdDown (our BFD session), the local inputs of inputs.ts;
 * - a member heard to be suspect takes our next probe slot, so confirmations come quickly;
 * - a verdict nobody confirmed stays local, and accusations from members we consider dead are
 *   ignored, so a node that was cut off cannot kill live members when the partition heals;
 * - a member that shows stale news of us, or that we never heard of, is answered directly, and
 *   a joiner asks its seeds until a full member list arrived, so views converge without
 *   waiting for the 30 s push-pull.
 * Pure: no I/O, no clock, no Math.random; `now` is milliseconds on the runtime's clock.
 */
import { assertNever } from '../assert.js';
import { EMPTY_QUEUE } from './broadcast-queue.js';
import { type Ctx, admitted, begin, broadcast, drop, dropItems, envelope, finish, log, member, metric, send } from './context.js';
import { armTimers, gossipRound, joinRetry, joinSeeds, onJoin, onPushPull, pushPullRound, syncWith } from './gossip.js';
import { nextIncarnation } from './incarnation.js';
import { bfdDown, memberGone } from './inputs.js';
import { MAX_GOSSIP_PER_MESSAGE } from './limits.js';
import { aliveSelf, applyGossip, reap, suspicionExpired } from './members.js';
import { type Message, UINT32_MAX, invalidMessage, validGossipItem } from './messages.js';
import { randomIndex, shuffle } from './prng.js';
import { expireProbes, expireRelays, onAck, onNack, onPing, onPingReq, probeNow, roundRobin, sendFailed } from './probe.js';
import type { Member, MembershipEvent, MembershipInit, MembershipParams, MembershipState, StepResult } from './types.js';

export function initialState(params: MembershipParams, init: MembershipInit): MembershipState {
  const members = new Map<string, Member>();
  for (const m of init.members ?? []) {
    if (m.id === params.self.id || members.has(m.id) || (params.allowed !== undefined && !params.allowed.has(m.id))) continue;
    members.set(m.id, { id: m.id, address: m.address, incarnation: m.incarnation ?? 0, state: 'alive', since: 0 });
  }
  const order = shuffle([...members.keys()], init.seed >>> 0);
  // Begin the first round at a random place: members started together (a fleet restart, the
  // simulator's warm start) would otherwise run their rounds in phase, and a member probed by
  // everyone early in a round goes unprobed until the next one.
  const start = randomIndex(order.rng, order.value.length);
  return {
    params,
    running: false,
    incarnation: Math.min(UINT32_MAX, Math.max(0, Math.floor(init.incarnation ?? 0))),
    leaving: false,
    synced: false,
    members,
    liveOthers: members.size,
    probeOrder: order.value,
    probeIndex: start.value,
    probeFirst: [],
    // Every optional deadline is present (undefined) from the start, so every state object has
    // the same shape and the per-step copy stays on V8's fast path.
    nextProbeAt: undefined,
    nextGossipAt: undefined,
    nextPushPullAt: undefined,
    joinRetryAt: undefined,
    reapAt: undefined,
    probes: [],
    relays: [],
    suspicions: new Map(),
    queue: EMPTY_QUEUE,
    awareness: 0,
    seq: 0,
    rng: start.rng,
  };
}

/** The earliest deadline the runtime must arm its one timer for; feed Tick then. */
export function nextDeadline(state: MembershipState): number | undefined {
  let at = Infinity;
  const consider = (t: number | undefined): void => {
    if (t !== undefined && t < at) at = t;
  };
  consider(state.nextProbeAt);
  consider(state.nextGossipAt);
  consider(state.nextPushPullAt);
  consider(state.joinRetryAt);
  consider(state.reapAt);
  for (const p of state.probes) consider(p.phase === 'direct' ? p.directDeadline : p.deadline);
  for (const r of state.relays) consider(r.deadline);
  for (const s of state.suspicions.values()) consider(s.deadline);
  return at === Infinity ? undefined : at;
}

export function step(state: MembershipState, event: MembershipEvent, now: number): StepResult {
  const ctx = begin(state, now);
  if (!state.running && event.type !== 'Start') {
    if (event.type === 'Received') drop(ctx, 'not-running');
    return finish(ctx);
  }
  switch (event.type) {
    case 'Start':
      onStart(ctx);
      break;
    case 'Tick':
      onTick(ctx);
      break;
    case 'Received':
      onMessage(ctx, event.message, event.sender);
      break;
    case 'ProbeNow':
      if (ctx.s.leaving) log(ctx, 'debug', `ProbeNow ${event.id}: not probing, we are leaving`);
      else probeNow(ctx, event.id);
      break;
    case 'SendFailed':
      sendFailed(ctx, event.to);
      break;
    case 'Leave':
      onLeave(ctx);
      break;
    case 'MemberGone':
      memberGone(ctx, event.address, event.id);
      break;
    case 'BfdDown':
      bfdDown(ctx, event.id);
      break;
    default:
      return assertNever(event, 'membership event');
  }
  return finish(ctx);
}

// ---- events --------------------------------------------------------------------------------

function onStart(ctx: Ctx): void {
  if (ctx.s.running) return log(ctx, 'warn', 'Start refused: membership is already running');
  ctx.s.running = true;
  armTimers(ctx);
  log(ctx, 'info', `membership started as ${ctx.p.self.id} at ${ctx.p.self.address}`,
    { incarnation: ctx.s.incarnation, members: ctx.s.members.size });
  joinSeeds(ctx);
}

function onTick(ctx: Ctx): void {
  expireRelays(ctx);
  expireProbes(ctx);
  for (const [id, sus] of ctx.s.suspicions) if (ctx.now >= sus.deadline) suspicionExpired(ctx, id);
  roundRobin(ctx);
  gossipRound(ctx);
  pushPullRound(ctx);
  joinRetry(ctx);
  reap(ctx);
}

/** Graceful leave (memberlist Leave): `left` at incarnation + 1, gossiped at once. */
function onLeave(ctx: Ctx): void {
  const s = ctx.s;
  if (s.leaving) return log(ctx, 'debug', 'Leave: already left');
  s.leaving = true;
  s.incarnation = nextIncarnation(s.incarnation);
  s.probes = [];
  s.nextProbeAt = undefined;
  s.nextPushPullAt = undefined;
  s.joinRetryAt = undefined;
  // `left` is believed only from the leaver itself (members.ts leftReceived), so every live
  // member hears it from us directly, and again through the retransmit-limited queue.
  const left = { type: 'Left', id: ctx.p.self.id, incarnation: s.incarnation } as const;
  broadcast(ctx, ctx.p.self.id, left);
  for (const m of s.members.values()) {
    if (m.state === 'alive' || m.state === 'suspect') send(ctx, { id: m.id, address: m.address }, { type: 'Gossip', ...envelope(ctx), gossip: [left] });
  }
  log(ctx, 'info', `leaving the cluster at incarnation ${s.incarnation}`, { incarnation: s.incarnation });
  metric(ctx, 'vipd_membership_leaves_total');
  s.nextGossipAt = ctx.now + ctx.p.gossipIntervalMs;
}

function onMessage(ctx: Ctx, message: Message, sender: string): void {
  const bad = invalidMessage(message);
  if (bad) return drop(ctx, bad, `malformed membership message: ${bad}`);
  if (message.from === ctx.p.self.id) return drop(ctx, 'from-self');
  // The transport knows who sent it (the stream's TLS identity); `from` is only what it says.
  if (message.from !== sender) return drop(ctx, 'sender-mismatch', `membership message says it is from ${message.from}, sent by ${sender}`);
  if (!admitted(ctx, sender)) return drop(ctx, 'sender-not-allowed', `membership message from ${sender}, who is not in the allow-list`);
  if ('gossip' in message) {
    const items = message.gossip;
    const n = Math.min(items.length, MAX_GOSSIP_PER_MESSAGE);
    dropItems(ctx, 'too-many', items.length - n);
    for (let i = 0; i < n; i++) {
      const g: unknown = items[i];
      if (validGossipItem(g)) applyGossip(ctx, g, sender);
      else dropItems(ctx, 'malformed');
    }
  }
  if (message.type !== 'Join' && message.type !== 'PushPull' && !ctx.s.leaving && !member(ctx, message.from)) {
    // vipd: a member we never heard of is talking to us, so its news expired before it reached
    // us. Sync with it now instead of waiting up to a push-pull interval (memberlist: 30 s).
    syncWith(ctx, { id: message.from, address: message.fromAddress });
  }
  dispatch(ctx, message);
  if (ctx.staleNewsOfSelf && !ctx.s.leaving && message.type !== 'Ping' && message.type !== 'Join' && !(message.type === 'PushPull' && !message.reply)) {
    // vipd: the sender believes something about us older than our incarnation (it missed our
    // refutation, which is no longer gossiped). Tell it directly; a ping's ack already does.
    send(ctx, { id: message.from, address: message.fromAddress }, { type: 'Gossip', ...envelope(ctx), gossip: [aliveSelf(ctx)] });
  }
}

function dispatch(ctx: Ctx, message: Message): void {
  switch (message.type) {
    case 'Ping':
      return onPing(ctx, message);
    case 'PingReq':
      return onPingReq(ctx, message);
    case 'Ack':
      return onAck(ctx, message);
    case 'Nack':
      return onNack(ctx, message);
    case 'Gossip':
      return;
    case 'Join':
      return onJoin(ctx, message);
    case 'PushPull':
      return onPushPull(ctx, message);
    default:
      return assertNever(message, 'membership message');
  }
}
