/**
 * The simulator's safety and liveness checker (issue 8 "What must exist" 8).
 *
 * Nothing in the simulated world changes between two steps of the virtual clock, so checking
 * each step's interval [from, to) samples every virtual millisecond and every sub-millisecond
 * overlap too, at a cost of one check per event instead of one per millisecond.
 *
 * - Safety (quorum mode): at no instant do two *running* nodes hold the VIP, by their hosts'
 *   own records (provider.ts). A node runs from the moment its start() resolved until it
 *   crashes or stops; a crashed node's stale record counts again once it is restarted.
 * - The one exception (docs/leases.md, "Handoff"): a master that handed off and its named
 *   successor may both hold, only within the window the handoff allows (from the Handoff's send
 *   until `handoff_overlap_max` plus the master's stall tolerance, in real time); any other pair,
 *   a third holder, or an overlap past the window is a violation.
 * - Liveness: once the world has been stable (no partition, loss, crash, stall or long delay)
 *   for `settleMs` (2 × Master_Down_Interval), exactly one running node holds the VIP.
 */
import type { VirtualClock } from './virtual-clock.js';

export interface HostView {
  readonly id: string;
  /** start() resolved and the node has not crashed or stopped since. */
  readonly running: boolean;
  /** Its host's record says the VIP is bound there. */
  readonly held: boolean;
}

export type ViolationKind = 'two-holders' | 'not-exactly-one';

export interface Violation {
  readonly kind: ViolationKind;
  /** World time the violation began (ms). */
  readonly at: number;
  /** How long it lasted, ms (until the state changed; at least the first interval). */
  durationMs: number;
  readonly holders: readonly string[];
}

/** A handoff's allowance: `from` and `to` may both hold from `since` until `until` (world ms). */
export interface OverlapWindow {
  readonly from: string;
  readonly to: string;
  readonly since: number;
  readonly until: number;
}

export interface CheckerOptions {
  readonly hosts: () => readonly HostView[];
  /** Handoffs so far (the make-before-break exception); none allowed when absent. */
  readonly overlaps?: () => readonly OverlapWindow[];
  /** Check "never two holders" (quorum mode). */
  readonly safety: boolean;
  /** Stable time after which exactly one holder is required (2 × Master_Down_Interval). */
  readonly settleMs: number;
}

export class InvariantChecker {
  readonly violations: Violation[] = [];
  /** World time since which the world is stable; undefined while it is not. */
  private stableSince: number | undefined;
  private open: Partial<Record<ViolationKind, Violation>> = {};
  /** Intervals checked (how many steps of time the run had). */
  steps = 0;
  /** End of the last interval, since the world became stable, without exactly one holder. */
  private unsettledUntil: number | undefined;

  constructor(
    clock: VirtualClock,
    private readonly opts: CheckerOptions,
  ) {
    clock.observe((from, to) => this.check(from, to));
  }

  /** The world says whether it is stable now (called on every fault and heal). */
  setStable(stable: boolean, now: number): void {
    if (!stable) {
      this.stableSince = undefined;
      this.unsettledUntil = undefined;
    } else this.stableSince ??= now;
  }

  /** How long after it became stable the world last lacked exactly one holder (0: never). */
  get settleTimeMs(): number | undefined {
    if (this.stableSince === undefined) return undefined;
    return this.unsettledUntil === undefined ? 0 : this.unsettledUntil - this.stableSince;
  }

  /** Stable time after which exactly one holder is required. */
  get settleMs(): number {
    return this.opts.settleMs;
  }

  /** When "exactly one holder" starts to apply, or undefined while the world is unstable. */
  get settledFrom(): number | undefined {
    return this.stableSince === undefined ? undefined : this.stableSince + this.opts.settleMs;
  }

  private check(from: number, to: number): void {
    this.steps++;
    const holders = this.opts.hosts().filter((h) => h.running && h.held).map((h) => h.id);
    // A handoff's pair inside its window counts as one holder for liveness too (a preemption
    // after the settle window is a handoff, docs/leases.md "Handoff").
    const handingOver = this.allowedOverlap(holders, from, to);
    if (this.stableSince !== undefined && holders.length !== 1 && !handingOver) this.unsettledUntil = to;
    this.flag('two-holders', this.opts.safety && holders.length >= 2 && !handingOver, holders, from, to);
    const settled = this.settledFrom;
    this.flag('not-exactly-one', settled !== undefined && from >= settled && holders.length !== 1 && !handingOver, holders, from, to);
  }

  /** Two holders within a handoff's window: the old master and its named successor only. */
  private allowedOverlap(holders: readonly string[], from: number, to: number): boolean {
    if (holders.length !== 2) return false;
    const windows = this.opts.overlaps?.() ?? [];
    const ok = windows.some((w) => holders.includes(w.from) && holders.includes(w.to) && from >= w.since && to <= w.until);
    if (ok) this.overlapMs += to - from;
    return ok;
  }

  /** Time two holders were allowed by a handoff, summed (the exception's use). */
  overlapMs = 0;

  private flag(kind: ViolationKind, bad: boolean, holders: readonly string[], from: number, to: number): void {
    const open = this.open[kind];
    if (!bad) {
      this.open[kind] = undefined;
      return;
    }
    if (open && open.holders.join() === holders.join()) {
      open.durationMs = to - open.at;
      return;
    }
    const v: Violation = { kind, at: from, durationMs: to - from, holders };
    this.violations.push(v);
    this.open[kind] = v;
  }
}

/** One line per violation, for a failing property's message. */
export function describeViolations(vs: readonly Violation[], max = 5): string {
  const lines = vs.slice(0, max).map((v) => {
    const who = v.holders.length === 0 ? 'no running node holds the VIP' : `held by [${v.holders.join(', ')}]`;
    const what = v.kind === 'two-holders' ? 'two running holders' : 'not exactly one holder after the settle window';
    return `${what} at t=${v.at.toFixed(3)} ms for ${v.durationMs.toFixed(3)} ms: ${who}`;
  });
  if (vs.length > max) lines.push(`… and ${vs.length - max} more`);
  return lines.join('\n');
}
