/**
 * One simulated node's view of time (issue 8 "What must exist" 8): its own monotonic clock,
 * running at a rate within ±RHO of the world's (docs/leases.md bounds clock-rate drift so), and
 * a process that can stall (a GC pause, a SIGSTOP, an overloaded host): while stalled, its timers
 * and the messages delivered to it wait, then run in order when the stall ends, with the clock
 * read then. The clock itself keeps moving during a stall, as a real monotonic clock does.
 */
import type { Clock } from '../../src/ports/clock.js';
import type { VirtualClock } from './virtual-clock.js';

export class NodeClock implements Clock {
  /** World time until which the process is stalled. */
  private stalledUntil = -Infinity;

  /**
   * @param rate local milliseconds per world millisecond, in [1 - RHO, 1 + RHO]
   * @param offset local time at world time 0 (clocks need not agree, only their rates matter)
   */
  constructor(
    private readonly world: VirtualClock,
    readonly rate: number,
    readonly offset: number,
  ) {}

  now(): number {
    return this.offset + this.world.now() * this.rate;
  }

  schedule(at: number, fn: () => void): () => void {
    let cancelled = false;
    const cancelTimer = this.world.schedule(this.worldTime(at), () => {
      if (!cancelled) this.run(() => !cancelled && fn());
    });
    return () => {
      cancelled = true;
      cancelTimer();
    };
  }

  /** Runs `fn` in this process: now, or in order when a stall ends. */
  run(fn: () => void): void {
    if (this.world.now() < this.stalledUntil) this.world.schedule(this.stalledUntil, () => this.run(fn));
    else fn();
  }

  /** Stalls the process for `ms` of world time from now. */
  stall(ms: number): void {
    this.stalledUntil = Math.max(this.stalledUntil, this.world.now() + ms);
  }

  get stalled(): boolean {
    return this.world.now() < this.stalledUntil;
  }

  /** The first world time at which this clock reads at least `at` (never early by rounding). */
  private worldTime(at: number): number {
    let t = (at - this.offset) / this.rate;
    for (let i = 0; i < 4 && this.offset + t * this.rate < at; i++) t += 1e-6;
    return t;
  }
}
