/**
 * One timer armed at a core's earliest deadline (keepalived keeps one per instance). Re-arming
 * at the same deadline is free; a different deadline replaces the old timer.
 */
import type { Clock } from '../ports/clock.js';

export class DeadlineTimer {
  private armedAt: number | undefined;
  private cancel: (() => void) | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly fire: () => void,
  ) {}

  /** Arms at `at`, or disarms when `at` is undefined. */
  arm(at: number | undefined): void {
    if (at === this.armedAt) return;
    this.disarm();
    if (at === undefined) return;
    this.armedAt = at;
    this.cancel = this.clock.schedule(at, () => {
      this.armedAt = undefined;
      this.cancel = undefined;
      this.fire();
    });
  }

  disarm(): void {
    this.cancel?.();
    this.cancel = undefined;
    this.armedAt = undefined;
  }
}
