/**
 * Test fakes for the runtime. TrackedClock: the simulator's VirtualClock, plus a view of the
 * timers still pending; its advance settles promises between timers (VirtualClock.advanceTo).
 */
import type { Clock } from '../../../src/ports/clock.js';
import type { Logger } from '../../../src/ports/logger.js';
import { settle, VirtualClock } from '../../sim/virtual-clock.js';

/** Lets every settled promise callback run (a macrotask turn drains the microtask queue). */
export const flush = settle;

export class TrackedClock implements Clock {
  readonly virtual = new VirtualClock();
  private readonly live = new Set<{ at: number }>();

  now(): number {
    return this.virtual.now();
  }

  schedule(at: number, fn: () => void): () => void {
    const entry = { at };
    this.live.add(entry);
    const cancel = this.virtual.schedule(at, () => {
      this.live.delete(entry);
      fn();
    });
    return () => {
      this.live.delete(entry);
      cancel();
    };
  }

  /** Deadlines of the timers neither fired nor cancelled, earliest first. */
  pending(): number[] {
    return [...this.live].map((e) => e.at).sort((a, b) => a - b);
  }

  /** Advances to `until`, one timer at a time, settling promises after each. */
  async advanceTo(until: number): Promise<void> {
    await this.virtual.advanceTo(until);
    await flush();
  }
}

export interface Logged {
  readonly level: 'debug' | 'info' | 'warn' | 'error';
  readonly fields: Readonly<Record<string, unknown>>;
  readonly msg: string;
}

/** A Logger that appends every line to `out` (children share it). */
export function recordingLogger(out: Logged[]): Logger {
  const at = (level: Logged['level']) => (fields: object, msg: string): void => {
    out.push({ level, fields: fields as Record<string, unknown>, msg });
  };
  const logger: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => logger };
  return logger;
}
