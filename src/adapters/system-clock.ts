/**
 * The real clock: monotonic milliseconds (performance.now) and setTimeout.
 * A due timer runs via setImmediate, i.e. after the event loop's poll phase: when the process
 * was stalled (GC, a burst of work) past a Master_Down_Interval, the adverts that arrived in the
 * meantime are read first and reset the deadline, instead of the timer firing on stale
 * knowledge and causing a false takeover.
 */
import type { Clock } from '../ports/clock.js';

export const systemClock: Clock = {
  now: () => performance.now(),
  schedule(at, fn) {
    let immediate: NodeJS.Immediate | undefined;
    const t = setTimeout(() => {
      immediate = setImmediate(fn);
    }, Math.max(0, at - performance.now()));
    return () => {
      clearTimeout(t);
      if (immediate) clearImmediate(immediate);
    };
  },
};
