/**
 * memberlist's TransmitLimitedQueue as data: broadcasts waiting to be piggybacked, fewest
 * transmissions first and the newest first among equals; each is sent at most the retransmit
 * limit (timers.ts retransmitLimit) times, and newer information about a member replaces what
 * is queued about it.
 */
import type { GossipItem } from './messages.js';

export interface QueuedBroadcast {
  /** The member the item is about: one queued item per member. */
  readonly key: string;
  readonly item: GossipItem;
  readonly transmits: number;
  /** Insertion order; higher is newer. */
  readonly order: number;
}

export interface BroadcastQueue {
  /** Sorted: transmits ascending, then order descending (the next to send first). */
  readonly items: readonly QueuedBroadcast[];
  readonly nextOrder: number;
}

export const EMPTY_QUEUE: BroadcastQueue = Object.freeze({ items: Object.freeze([]) as readonly QueuedBroadcast[], nextOrder: 0 });

const NO_ITEMS: readonly GossipItem[] = Object.freeze([]);

function before(a: QueuedBroadcast, b: QueuedBroadcast): number {
  return a.transmits - b.transmits || b.order - a.order;
}

/** Queues `item` about member `key`, replacing anything queued about that member. */
export function enqueue(q: BroadcastQueue, key: string, item: GossipItem): BroadcastQueue {
  const fresh: QueuedBroadcast = { key, item, transmits: 0, order: q.nextOrder };
  // Newest with zero transmits sorts first: the rest keeps its order.
  const items = [fresh];
  for (const b of q.items) if (b.key !== key) items.push(b);
  return { items, nextOrder: q.nextOrder + 1 };
}

/**
 * Takes up to `max` items to piggyback on one message, counts the transmission, and drops the
 * items that reached `transmitLimit`.
 */
export function take(q: BroadcastQueue, max: number, transmitLimit: number): { readonly queue: BroadcastQueue; readonly items: readonly GossipItem[] } {
  if (q.items.length === 0 || max <= 0) return { queue: q, items: NO_ITEMS };
  const n = Math.min(max, q.items.length);
  const items: GossipItem[] = [];
  const kept: QueuedBroadcast[] = [];
  for (let i = 0; i < n; i++) {
    const b = q.items[i] as QueuedBroadcast;
    items.push(b.item);
    if (b.transmits + 1 < transmitLimit) kept.push({ ...b, transmits: b.transmits + 1 });
  }
  const rest = q.items.slice(n);
  const merged = kept.length === 0 ? rest : rest.concat(kept).sort(before);
  return { queue: { items: merged, nextOrder: q.nextOrder }, items };
}
