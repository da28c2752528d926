/** Shared fixtures for the membership core's unit tests: a node "self" that knows a..e. */
import type { BroadcastQueue, QueuedBroadcast } from '../../../../src/core/membership/broadcast-queue.js';
import type { GossipItem, Message } from '../../../../src/core/membership/messages.js';
import { membershipParams } from '../../../../src/core/membership/params.js';
import { initialState, step } from '../../../../src/core/membership/step.js';
import type { MembershipAction, MembershipEvent, MembershipParams, MembershipState } from '../../../../src/core/membership/types.js';

export const SELF = { id: 'self', address: '192.0.2.10:7946' };
export const addr = (id: string): string => `${id}.test:7946`;
export const LAN = { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 3, suspicionMultiplier: 4 } as const;

export function params(o: Partial<MembershipParams> = {}): MembershipParams {
  return membershipParams({ self: SELF, ...LAN }, o);
}

/** A started node that knows `ids` as alive at incarnation 0. */
export function started(ids: readonly string[] = ['a', 'b', 'c', 'd', 'e'], o: Partial<MembershipParams> = {}, seed = 1): MembershipState {
  const s = initialState(params(o), { seed, members: ids.map((id) => ({ id, address: addr(id) })) });
  return step(s, { type: 'Start' }, 0).state;
}

/** What is queued about member `key`, if anything. */
export const queuedFor = (q: BroadcastQueue, key: string): QueuedBroadcast | undefined => q.live.get(key);

/** Every queued broadcast, next to send first (fewest transmits, then newest). */
export const queuedBroadcasts = (q: BroadcastQueue): QueuedBroadcast[] =>
  [...q.live.values()].sort((a, b) => a.transmits - b.transmits || b.order - a.order);

type Of<T> = Extract<MembershipAction, { type: T }>;
export const ofType = <T extends MembershipAction['type']>(as: readonly MembershipAction[], type: T): Of<T>[] =>
  as.filter((a): a is Of<T> => a.type === type);

export type MsgOf<T extends Message['type']> = Extract<Message, { type: T }>;
/** Messages of one type among the Send actions, with their destination. */
export function sent<T extends Message['type']>(as: readonly MembershipAction[], type: T): { to: string; message: MsgOf<T> }[] {
  return ofType(as, 'Send')
    .filter((a) => a.message.type === type)
    .map((a) => ({ to: a.to.id ?? a.to.address, message: a.message as MsgOf<T> }));
}

export const changes = (as: readonly MembershipAction[]) => ofType(as, 'MemberChanged');

export const env = (from: string) => ({ from, fromAddress: addr(from) });
/** A message as the transport hands it over: sent by `sender` (default: whoever it says it is from). */
export const recv = (message: Message, sender: string = message.from): MembershipEvent => ({ type: 'Received', message, sender });
export const gossipFrom = (from: string, gossip: readonly GossipItem[]): MembershipEvent => recv({ type: 'Gossip', ...env(from), gossip });
export const TICK: MembershipEvent = { type: 'Tick' };

/** Feeds Ticks at each deadline up to `until`; returns the final state and every action. */
export function runTo(state: MembershipState, until: number, deadline: (s: MembershipState) => number | undefined): { state: MembershipState; actions: MembershipAction[]; now: number } {
  let s = state;
  const actions: MembershipAction[] = [];
  let now = 0;
  for (let i = 0; i < 100_000; i++) {
    const d = deadline(s);
    if (d === undefined || d > until) break;
    now = d;
    const r = step(s, TICK, d);
    s = r.state;
    actions.push(...r.actions);
  }
  return { state: s, actions, now };
}
