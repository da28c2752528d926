/**
 * memberlist's TransmitLimitedQueue as data: broadcasts waiting to be piggybacked, fewest
 * transmissions first and the newest first among equals; each is sent at most the retransmit
 * limit (timers.ts retransmitLimit) times, and newer information about a member replaces what
 * is queued about it.
 *
 * A binary heap with lazy replacement (memberlist keeps a btree): queueing costs O(log n), so a
 * Join that teaches us many members costs O(n log n), not O(n²) (issue 8 finding 7). A step
 * edits one copy (QueueDraft, made at its first change), so the reducer's input is never mutated.
 */
import { type Before, heapPop, heapPush, heapify } from './heap.js';
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
  /** Heap-ordered (next to send at 0); an entry that is not `live.get(entry.key)` was replaced. */
  readonly heap: readonly QueuedBroadcast[];
  /** What is queued about each member. */
  readonly live: ReadonlyMap<string, QueuedBroadcast>;
  readonly nextOrder: number;
}

export const EMPTY_QUEUE: BroadcastQueue = Object.freeze({
  heap: Object.freeze([]) as readonly QueuedBroadcast[], live: new Map<string, QueuedBroadcast>(), nextOrder: 0,
});

const NO_ITEMS: readonly GossipItem[] = Object.freeze([]);

const before: Before<QueuedBroadcast> = (a, b) => a.transmits < b.transmits || (a.transmits === b.transmits && a.order > b.order);

/** Broadcasts queued. */
export function queueSize(q: BroadcastQueue): number {
  return q.live.size;
}

/** A queue being edited by one step. */
export class QueueDraft {
  private readonly heap: QueuedBroadcast[];
  private readonly live: Map<string, QueuedBroadcast>;
  private nextOrder: number;

  constructor(q: BroadcastQueue) {
    this.heap = q.heap.slice();
    this.live = new Map(q.live);
    this.nextOrder = q.nextOrder;
  }

  get size(): number {
    return this.live.size;
  }

  /** Queues `item` about member `key`, replacing anything queued about that member. O(log n). */
  enqueue(key: string, item: GossipItem): void {
    const fresh: QueuedBroadcast = { key, item, transmits: 0, order: this.nextOrder++ };
    this.live.set(key, fresh);
    heapPush(this.heap, fresh, before);
    this.compact();
  }

  /**
   * Takes up to `max` items to piggyback on one message, counts the transmission, and drops the
   * items that reached `transmitLimit`. O(max · log n) plus the replaced entries it skips.
   */
  take(max: number, transmitLimit: number): GossipItem[] {
    const taken: QueuedBroadcast[] = [];
    while (taken.length < max) {
      const b = heapPop(this.heap, before);
      if (!b) break;
      if (this.live.get(b.key) === b) taken.push(b);
    }
    // Put back only after taking, so one message never carries an item twice.
    for (const b of taken) {
      if (b.transmits + 1 < transmitLimit) {
        const again: QueuedBroadcast = { ...b, transmits: b.transmits + 1 };
        this.live.set(b.key, again);
        heapPush(this.heap, again, before);
      } else {
        this.live.delete(b.key);
      }
    }
    return taken.map((b) => b.item);
  }

  done(): BroadcastQueue {
    return { heap: this.heap, live: this.live, nextOrder: this.nextOrder };
  }

  /** Replaced entries are dropped once they outnumber the live ones (amortised O(1) a change). */
  private compact(): void {
    if (this.heap.length <= 2 * this.live.size + 32) return;
    this.heap.length = 0;
    for (const b of this.live.values()) this.heap.push(b);
    heapify(this.heap, before);
  }
}

/** Queues `item` about member `key` on a copy of `q` (one change; a step uses QueueDraft). */
export function enqueue(q: BroadcastQueue, key: string, item: GossipItem): BroadcastQueue {
  const d = new QueueDraft(q);
  d.enqueue(key, item);
  return d.done();
}

/** Takes up to `max` items from a copy of `q` (see QueueDraft.take). */
export function take(q: BroadcastQueue, max: number, transmitLimit: number): { readonly queue: BroadcastQueue; readonly items: readonly GossipItem[] } {
  if (q.live.size === 0 || max <= 0) return { queue: q, items: NO_ITEMS };
  const d = new QueueDraft(q);
  const items = d.take(max, transmitLimit);
  return { queue: d.done(), items };
}
