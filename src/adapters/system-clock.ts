/** The real clock: monotonic milliseconds (performance.now) and setTimeout. */
import type { Clock } from '../ports/clock.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(at, fn) {
    const t = setTimeout(fn, Math.max(0, at - performance.now()));
    return () => clearTimeout(t);
  },
};
