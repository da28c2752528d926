/**
 * The working copy of one step. step() copies the state object once and the member map and
 * suspicion map only when they change ("copy only what changes"), so a ping that changes
 * nothing costs no O(n) copy. The caller's state is never mutated: the core stays a pure reducer.
 */
import { QueueDraft, queueSize } from './broadcast-queue.js';
import type { MembershipDropReason } from './drop-reasons.js';
import type { ItemDropReason } from './limits.js';
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
  queue?: QueueDraft;
  /** The probe order being edited (append-and-swap inserts; removals applied once, at finish). */
  probeOrder?: string[];
  /** Members removed from the table this step, still in the probe order until finish. */
  unordered?: Set<string>;
  /** Items and records ignored this step, counted once per reason at finish. */
  dropped?: Map<ItemDropReason, number>;
  /** The message being handled carried news of us older than our incarnation. */
  staleNewsOfSelf?: boolean;
}

export function begin(state: MembershipState, now: number): Ctx {
  return { now, p: state.params, s: { ...state }, out: [] };
}

export function finish(ctx: Ctx): StepResult {
  const s = ctx.s;
  if (ctx.queue) s.queue = ctx.queue.done();
  if (ctx.unordered) purgeProbeOrder(ctx, ctx.unordered);
  if (ctx.dropped) {
    for (const [reason, n] of ctx.dropped) {
      metric(ctx, 'vipd_membership_items_dropped_total', { reason }, n);
      // One line per reason and step; the runtime's limiter keeps one per reason per window.
      log(ctx, reason === 'malformed' || reason === 'too-many' ? 'debug' : 'warn', `ignored ${n} membership item(s): ${reason}`,
        { reason, count: n }, `membership-${reason}`);
    }
  }
  // The gossip round runs only while something is queued (memberlist gossip() sends nothing
  // on an empty queue); not ticking an idle round saves a wake-up per interval.
  if (queueSize(s.queue) === 0) s.nextGossipAt = undefined;
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

export function log(ctx: Ctx, level: LogLevel, msg: string, fields?: Record<string, unknown>, key?: string): void {
  const line: Extract<MembershipAction, { type: 'Log' }> = fields ? { type: 'Log', level, msg, fields } : { type: 'Log', level, msg };
  ctx.out.push(key === undefined ? line : { ...line, key });
}

export function metric(ctx: Ctx, name: MembershipMetricName, labels: Record<string, string> = {}, inc = 1): void {
  ctx.out.push({ type: 'Metric', name, labels, inc });
}

export function drop(ctx: Ctx, reason: MembershipDropReason, msg?: string): void {
  metric(ctx, 'vipd_membership_messages_dropped_total', { reason });
  if (msg) log(ctx, 'debug', msg, { reason }, `membership-drop ${reason}`);
}

/** Counts `n` ignored items (limits.ts ITEM_DROP_REASONS); reported once per reason at finish. */
export function dropItems(ctx: Ctx, reason: ItemDropReason, n = 1): void {
  if (n <= 0) return;
  ctx.dropped ??= new Map();
  ctx.dropped.set(reason, (ctx.dropped.get(reason) ?? 0) + n);
}

/** Whether `id` may be a member: ourselves, or in the allow-list (every id when there is none). */
export function admitted(ctx: Ctx, id: string): boolean {
  return id === ctx.p.self.id || ctx.p.allowed === undefined || ctx.p.allowed.has(id);
}

function queueDraft(ctx: Ctx): QueueDraft {
  ctx.queue ??= new QueueDraft(ctx.s.queue);
  return ctx.queue;
}

/** Queues a broadcast about member `key` (replacing older news about it). */
export function broadcast(ctx: Ctx, key: string, item: GossipItem): void {
  queueDraft(ctx).enqueue(key, item);
}

/** Broadcasts to piggyback on one outgoing message, counted against the retransmit limit. */
export function piggyback(ctx: Ctx, room = ctx.p.maxGossipPerMessage): readonly GossipItem[] {
  if (room <= 0 || (ctx.queue ? ctx.queue.size : queueSize(ctx.s.queue)) === 0) return [];
  return queueDraft(ctx).take(room, retransmitLimit(ctx.p.retransmitMultiplier, clusterSize(ctx)));
}

/** Broadcasts queued right now. */
export function queued(ctx: Ctx): number {
  return ctx.queue ? ctx.queue.size : queueSize(ctx.s.queue);
}

function probeOrderDraft(ctx: Ctx): string[] {
  if (!ctx.probeOrder) {
    ctx.probeOrder = ctx.s.probeOrder.slice();
    ctx.s.probeOrder = ctx.probeOrder;
  }
  return ctx.probeOrder;
}

/** Replaces the probe order (a reshuffle); members removed this step are still purged at finish. */
export function setProbeOrder(ctx: Ctx, order: string[]): void {
  ctx.probeOrder = order;
  ctx.s.probeOrder = order;
}

/**
 * memberlist aliveNode: a new member goes to a random place in the probe order, by appending it
 * and swapping it with a random slot: O(1), where inserting in the middle moved every element.
 * Landing before probeIndex means it waits for the next round, and the member it displaced is
 * probed once more in this one (memberlist does the same).
 */
export function addToProbeOrder(ctx: Ctx, id: string): void {
  if (ctx.unordered?.delete(id)) return; // removed and back within one step: still in place
  insertAtRandom(probeOrderDraft(ctx), id, random(ctx));
}

/** Appends `id` and swaps it into slot ⌊r · length⌋ (r in [0, 1)): two writes, whatever the length. */
export function insertAtRandom(order: string[], id: string, r: number): void {
  order.push(id);
  const at = Math.floor(r * order.length);
  const last = order.length - 1;
  if (at !== last) {
    order[last] = order[at] as string;
    order[at] = id;
  }
}

/** Marks a member for removal from the probe order; every removal of a step costs one pass at finish. */
export function removeFromProbeOrder(ctx: Ctx, id: string): void {
  ctx.unordered ??= new Set();
  ctx.unordered.add(id);
}

function purgeProbeOrder(ctx: Ctx, gone: ReadonlySet<string>): void {
  if (gone.size === 0) return;
  const s = ctx.s;
  const kept: string[] = [];
  let index = s.probeIndex;
  for (let i = 0; i < s.probeOrder.length; i++) {
    const id = s.probeOrder[i] as string;
    if (!gone.has(id)) kept.push(id);
    else if (i < s.probeIndex) index--;
  }
  s.probeOrder = kept;
  s.probeIndex = index;
}
