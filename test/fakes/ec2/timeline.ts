/**
 * The live world and its recent past: a snapshot after every change, so a `stale-read` fault
 * can answer from the state as it was some milliseconds ago (EC2 API reference, "Eventual
 * consistency in the Amazon EC2 API"). World building (a new instance, address, route table)
 * goes into every snapshot: those objects have always existed.
 */
import { performance } from 'node:perf_hooks';
import { emptyWorld, type WorldState } from './world.js';

/** How far back a stale read may look; older snapshots are dropped. */
const KEEP_MS = 120_000;

export class Timeline {
  readonly live: WorldState = emptyWorld();
  /** Oldest first; the first one stands for "before anything happened". */
  private history: { at: number; state: WorldState }[] = [{ at: performance.now(), state: emptyWorld() }];

  /** Records the live state after a change. */
  commit(): void {
    const now = performance.now();
    this.history.push({ at: now, state: structuredClone(this.live) });
    const keepFrom = this.history.findIndex((h) => h.at >= now - KEEP_MS);
    if (keepFrom > 1) this.history = this.history.slice(keepFrom - 1);
  }

  /** The state as it was `ms` ago (the oldest one kept when that is further back). */
  ago(ms: number): WorldState {
    const cutoff = performance.now() - ms;
    let best = this.history[0]!.state;
    for (const h of this.history) if (h.at <= cutoff) best = h.state;
    return best;
  }

  /** Applies a world-building step to the live state and to every snapshot. */
  build(fn: (w: WorldState) => void): void {
    fn(this.live);
    for (const h of this.history) fn(h.state);
  }

  /** Runs `fn` on the live state as one action: a throw undoes its partial changes. */
  atomically<T>(fn: () => T): T {
    const before = structuredClone(this.live);
    try {
      return fn();
    } catch (e) {
      Object.assign(this.live, before);
      throw e;
    }
  }
}
