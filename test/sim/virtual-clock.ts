/**
 * A virtual Clock: time moves only when the simulator says so, and timers fire in (time, order
 * of scheduling) order, so every run with the same seed is the same run.
 */
import type { Clock } from '../../src/ports/clock.js';

interface Timer {
  at: number;
  seq: number;
  fn: () => void;
  cancelled: boolean;
}

export class VirtualClock implements Clock {
  private t = 0;
  private seq = 0;
  private heap: Timer[] = [];
  /** Timers fired so far (a bound for runaway scenarios). */
  fired = 0;

  now(): number {
    return this.t;
  }

  schedule(at: number, fn: () => void): () => void {
    const timer: Timer = { at: Math.max(at, this.t), seq: this.seq++, fn, cancelled: false };
    this.push(timer);
    return () => {
      timer.cancelled = true;
    };
  }

  /** Fires every timer due up to `until` (inclusive), then sets the time to `until`. */
  runUntil(until: number, maxTimers = 5_000_000): void {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > until) break;
      this.pop();
      if (top.cancelled) continue;
      this.t = top.at;
      if (++this.fired > maxTimers) throw new Error(`virtual clock: more than ${maxTimers} timers fired; runaway scenario`);
      top.fn();
    }
    this.t = Math.max(this.t, until);
  }

  private less(a: Timer, b: Timer): boolean {
    return a.at < b.at || (a.at === b.at && a.seq < b.seq);
  }

  private push(x: Timer): void {
    const h = this.heap;
    h.push(x);
    let i = h.length - 1;
    while (i > 0) {
      const p = (i - 1) >> 1;
      const hp = h[p] as Timer;
      if (!this.less(x, hp)) break;
      h[i] = hp;
      i = p;
    }
    h[i] = x;
  }

  private pop(): void {
    const h = this.heap;
    const last = h.pop();
    if (!last || h.length === 0) return;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      let best = last;
      const hl = h[l];
      const hr = h[r];
      if (hl && this.less(hl, best)) { m = l; best = hl; }
      if (hr && this.less(hr, best)) { m = r; best = hr; }
      if (m === i) break;
      h[i] = best;
      i = m;
    }
    h[i] = last;
  }
}
