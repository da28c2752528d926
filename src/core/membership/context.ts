/**
 * The working copy of one step. step() copies the state object once and the member map and
 * suspicion map only when they change ("copy only what changes"), so a ping that changes
 * nothing costs no O(n) copy. The caller's state is never mutated: the core stays a pure reducer.
 */
import { enqueue, take } from './broadcast-queue.js';
import type { MembershipDropReason } from './drop-reasons.js';
import type { MembershipMetricName } from './metric-names.js';
import type { GossipItem, Message } from './messages.js';
import { nextRandom } from './prng.js';
import type { Suspicion } from './suspicion.js';
import { retransmitLimit } from './timers.js';
import type { Destination, LogLevel, Member, MembershipAction, MembershipParams, MembershipState, StepResult } from './types.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export interface Ctx {
  readonly now: number;
  readonly p: MembershipParams;
  readonly s: Mutable<MembershipState>;
  readonly out: MembershipAction[];
  members?: Map<string, Member>;
  suspicions?: Map<string, Suspicion>;
  /** The message being handled carried news of us older than our incarnation. */
  staleNewsOfSelf?: boolean;
}

export function begin(state: MembershipState, now: number): Ctx {
  return { now, p: state.params, s: { ...state }, out: [] };
}

export function finish(ctx: Ctx): StepResult {
  const s = ctx.s;
  // The gossip round runs only while something is queued (memberlist gossip() sends nothing
  // on an empty queue); not ticking an idle round saves a wake-up per interval.
  if (s.queue.items.length === 0) s.nextGossipAt = undefined;
  else if (s.nextGossipAt === undefined && s.running) s.nextGossipAt = ctx.now + ctx.p.gossipIntervalMs;
  return { state: s, actions: ctx.out };
}

export function random(ctx: Ctx): number {
  const r = nextRandom(ctx.s.rng);
  ctx.s.rng = r.rng;
  return r.value;
}

export function nextSeq(ctx: Ctx): number {
  ctx.s.seq = ctx.s.seq >= 0xffff_ffff ? 1 : ctx.s.seq + 1;
  return ctx.s.seq;
}

/**
 * n, the cluster size, as memberlist estimates it (estNumNodes): every member in the table,
 * dead and left ones included until they are reaped, and ourselves. Counting only live members
 * would cut the retransmit limit just when a death needs spreading (9 live of 10: 4 instead of 8).
 */
export function clusterSize(ctx: Ctx): number {
  return ctx.s.members.size + 1;
}

export function member(ctx: Ctx, id: string): Member | undefined {
  return ctx.s.members.get(id);
}

export function putMember(ctx: Ctx, m: Member): void {
  if (!ctx.members) {
    ctx.members = new Map(ctx.s.members);
    ctx.s.members = ctx.members;
  }
  ctx.members.set(m.id, m);
}

export function deleteMember(ctx: Ctx, id: string): void {
  if (!ctx.members) {
    ctx.members = new Map(ctx.s.members);
    ctx.s.members = ctx.members;
  }
  ctx.members.delete(id);
}

export function setSuspicion(ctx: Ctx, id: string, sus: Suspicion | undefined): void {
  if (sus === undefined && !ctx.s.suspicions.has(id)) return;
  if (!ctx.suspicions) {
    ctx.suspicions = new Map(ctx.s.suspicions);
    ctx.s.suspicions = ctx.suspicions;
  }
  if (sus) ctx.suspicions.set(id, sus);
  else ctx.suspicions.delete(id);
}

export function send(ctx: Ctx, to: Destination, message: Message): void {
  ctx.out.push({ type: 'Send', to, message });
}

/** The sender fields every message carries. */
export function envelope(ctx: Ctx): { readonly from: string; readonly fromAddress: string } {
  return { from: ctx.p.self.id, fromAddress: ctx.p.self.address };
}

export function log(ctx: Ctx, level: LogLevel, msg: string, fields?: Record<string, unknown>): void {
  ctx.out.push(fields ? { type: 'Log', level, msg, fields } : { type: 'Log', level, msg });
}

export function metric(ctx: Ctx, name: MembershipMetricName, labels: Record<string, string> = {}, inc = 1): void {
  ctx.out.push({ type: 'Metric', name, labels, inc });
}

export function drop(ctx: Ctx, reason: MembershipDropReason, msg?: string): void {
  metric(ctx, 'vipd_membership_messages_dropped_total', { reason });
  if (msg) log(ctx, 'debug', msg, { reason });
}

/** Queues a broadcast about member `key` (replacing older news about it). */
export function broadcast(ctx: Ctx, key: string, item: GossipItem): void {
  ctx.s.queue = enqueue(ctx.s.queue, key, item);
}

/** Broadcasts to piggyback on one outgoing message, counted against the retransmit limit. */
export function piggyback(ctx: Ctx, room = ctx.p.maxGossipPerMessage): readonly GossipItem[] {
  const t = take(ctx.s.queue, room, retransmitLimit(ctx.p.retransmitMultiplier, clusterSize(ctx)));
  ctx.s.queue = t.queue;
  return t.items;
}
