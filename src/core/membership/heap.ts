/**
 * A binary min-heap over a plain array (Williams 1964): push and pop cost O(log n) comparisons.
 * It mutates the array it is given; callers own a per-step copy (broadcast-queue.ts), so the
 * reducer's input is never changed.
 */
export type Before<T> = (a: T, b: T) => boolean;

export function heapPush<T>(heap: T[], x: T, before: Before<T>): void {
  let i = heap.length;
  heap.push(x);
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as T;
    if (!before(x, p)) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = x;
}

export function heapPop<T>(heap: T[], before: Before<T>): T | undefined {
  if (heap.length === 0) return undefined;
  const top = heap[0] as T;
  const last = heap.pop() as T;
  if (heap.length > 0) siftDown(heap, 0, last, before);
  return top;
}

/** Rebuilds heap order over arbitrary contents in O(n) (Floyd). */
export function heapify<T>(heap: T[], before: Before<T>): void {
  for (let i = (heap.length >> 1) - 1; i >= 0; i--) siftDown(heap, i, heap[i] as T, before);
}

function siftDown<T>(heap: T[], start: number, x: T, before: Before<T>): void {
  const n = heap.length;
  let i = start;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= n) break;
    const r = l + 1;
    const c = r < n && before(heap[r] as T, heap[l] as T) ? r : l;
    if (!before(heap[c] as T, x)) break;
    heap[i] = heap[c] as T;
    i = c;
  }
  heap[i] = x;
}
