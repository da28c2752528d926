/**
 * A virtual Clock: time moves only when the simulator says so, and timers fire in (time, order
 * of scheduling) order, so every run with the same seed is the same run.
 *
 * Two ways to move time. `runUntil` fires timers back to back and suits pure cores driven
 * synchronously (the membership simulator). `advanceTo` lets every settled promise callback run
 * after each timer, before the next one and before time moves (issue 8 finding 12): provider
 * calls, whose fakes resolve through `schedule`, then continue at the virtual time they resolve,
 * not when the run ends. Observers see every step of time, with the state constant in between.
 */
import type { Clock } from '../../src/ports/clock.js';

/** Lets every settled promise callback run: a macrotask turn drains the microtask queue. */
export const settle = (): Promise<void> => new Promise((r) => setImmediate(r));

/** Called before time moves from `from` to `to` (> from); nothing changes in [from, to). */
export type AdvanceObserver = (from: number, to: number) => void;

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
  private readonly observers: AdvanceObserver[] = [];

  /** Registers `fn` to see every step of time (the invariant checker samples through it). */
  observe(fn: AdvanceObserver): void {
    this.observers.push(fn);
  }

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
      this.fire(top, maxTimers);
    }
    this.moveTo(until);
  }

  /**
   * Fires every timer due up to `until` (inclusive) one at a time, letting promise callbacks
   * settle before the first and after each (they may schedule more timers, also fired here if
   * due), then sets the time to `until`.
   */
  async advanceTo(until: number, maxTimers = 5_000_000): Promise<void> {
    await settle();
    while (await this.fireNext(until, maxTimers));
    this.moveTo(until);
  }

  /**
   * Runs timers one at a time (settling after each) until `p` settles, for a graceful stop that
   * waits for provider calls: time moves only as far as the last timer it needed. Rejects when
   * `p` is still pending after `maxMs` of virtual time or when no timer is left to fire.
   */
  async runWhile<T>(p: Promise<T>, maxMs = 60_000): Promise<T> {
    let done = false;
    const watched = p.finally(() => {
      done = true;
    });
    const end = this.t + maxMs;
    await settle();
    while (!done) {
      if (!(await this.fireNext(end, 5_000_000))) throw new Error(`virtual clock: still pending after ${maxMs} ms of virtual time`);
    }
    return watched;
  }

  /** Fires the earliest live timer due by `until` and settles; false when there is none. */
  private async fireNext(until: number, maxTimers: number): Promise<boolean> {
    for (;;) {
      const top = this.heap[0];
      if (!top || top.at > until) return false;
      this.pop();
      if (top.cancelled) continue;
      this.fire(top, maxTimers);
      await settle();
      return true;
    }
  }

  private fire(timer: Timer, maxTimers: number): void {
    this.moveTo(timer.at);
    if (++this.fired > maxTimers) throw new Error(`virtual clock: more than ${maxTimers} timers fired; runaway scenario`);
    timer.fn();
  }

  private moveTo(t: number): void {
    if (t <= this.t) return;
    for (const o of this.observers) o(this.t, t);
    this.t = t;
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
