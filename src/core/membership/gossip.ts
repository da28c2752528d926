/**
 * Dissemination and state sync (memberlist gossip / pushPull / Join): gossip rounds that push
 * queued broadcasts to a few random members, periodic push-pull of the full member list with
 * one random member, and joining through seed addresses.
 */
import { type Ctx, clusterSize, envelope, log, member, piggyback, random, send } from './context.js';
import { memberRecords, mergeRecords } from './members.js';
import type { Message } from './messages.js';
import { sample } from './prng.js';
import { pushPullIntervalMs } from './timers.js';
import type { Destination } from './types.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

/**
 * Tick: a gossip round to `gossipNodes` random members: alive or suspect ones, and members dead
 * for less than gossipToTheDeadMs, so a member wrongly declared dead hears it and refutes.
 */
export function gossipRound(ctx: Ctx): void {
  const s = ctx.s;
  if (s.nextGossipAt === undefined || ctx.now < s.nextGossipAt) return;
  s.nextGossipAt = ctx.now + ctx.p.gossipIntervalMs;
  const eligible = (id: string): boolean => {
    const m = member(ctx, id);
    if (!m) return false;
    if (m.state === 'alive' || m.state === 'suspect') return true;
    return m.state === 'dead' && ctx.now - m.since < ctx.p.gossipToTheDeadMs;
  };
  const drawn = sample(s.probeOrder, ctx.p.gossipNodes, eligible, s.rng);
  s.rng = drawn.rng;
  for (const id of drawn.value) {
    const gossip = piggyback(ctx);
    if (gossip.length === 0) return;
    send(ctx, { id, address: (member(ctx, id) as { address: string }).address }, { type: 'Gossip', ...envelope(ctx), gossip });
  }
}

/** Sends a Join with our view to every seed but ourselves. */
export function joinSeeds(ctx: Ctx): void {
  const seeds = ctx.p.seeds.filter((a) => a !== ctx.p.self.address);
  if (seeds.length === 0) return;
  const members = memberRecords(ctx);
  for (const address of seeds) send(ctx, { address }, { type: 'Join', ...envelope(ctx), members });
  log(ctx, 'debug', `joining through ${seeds.length} seed(s)`, { seeds });
}

/**
 * Tick: periodic push-pull with one random live member (memberlist pushPull), slower in large
 * clusters. With no live member known, the seeds are asked instead: a node that was cut off
 * and declared everyone dead finds its way back.
 */
export function pushPullRound(ctx: Ctx): void {
  const s = ctx.s;
  if (s.nextPushPullAt === undefined || ctx.now < s.nextPushPullAt) return;
  s.nextPushPullAt = ctx.now + pushPullIntervalMs(ctx.p.pushPullIntervalMs, clusterSize(ctx));
  const drawn = sample(s.probeOrder, 1, (id) => member(ctx, id)?.state === 'alive', s.rng);
  s.rng = drawn.rng;
  const id = drawn.value[0];
  if (id === undefined) return joinSeeds(ctx);
  syncWith(ctx, { id, address: (member(ctx, id) as { address: string }).address });
}

/** Sends a push-pull request: our whole view, answered with theirs. */
export function syncWith(ctx: Ctx, to: Destination): void {
  send(ctx, to, { type: 'PushPull', ...envelope(ctx), reply: false, members: memberRecords(ctx) });
}

/**
 * Tick: ask the seeds again until a full member list reached us (memberlist's Join is one TCP
 * push-pull that either succeeds or fails; ours is two messages that may be lost), and whenever
 * no other live member is known (cut off, we may have declared everyone dead).
 */
export function joinRetry(ctx: Ctx): void {
  const s = ctx.s;
  if (s.joinRetryAt === undefined || ctx.now < s.joinRetryAt) return;
  s.joinRetryAt = ctx.now + ctx.p.joinRetryMs;
  if (!s.synced || s.liveOthers === 0) joinSeeds(ctx);
}

/** First timers after Start, staggered so that members started together do not beat in step. */
export function armTimers(ctx: Ctx): void {
  const s = ctx.s;
  s.nextProbeAt = ctx.now + Math.floor(random(ctx) * ctx.p.probeIntervalMs);
  s.nextPushPullAt = ctx.now + Math.floor((0.5 + random(ctx)) * pushPullIntervalMs(ctx.p.pushPullIntervalMs, clusterSize(ctx)));
  s.joinRetryAt = ctx.p.seeds.some((a) => a !== ctx.p.self.address) ? ctx.now + ctx.p.joinRetryMs : undefined;
}

export function onJoin(ctx: Ctx, m: Msg<'Join'>): void {
  mergeRecords(ctx, m.members, m.from);
  send(ctx, { id: m.from, address: m.fromAddress }, { type: 'PushPull', ...envelope(ctx), reply: true, members: memberRecords(ctx) });
}

export function onPushPull(ctx: Ctx, m: Msg<'PushPull'>): void {
  mergeRecords(ctx, m.members, m.from);
  ctx.s.synced = true;
  if (!m.reply) {
    send(ctx, { id: m.from, address: m.fromAddress }, { type: 'PushPull', ...envelope(ctx), reply: true, members: memberRecords(ctx) });
  }
}
