/**
 * Runtime side of the direct handoff (issue 10 "What must exist" 2; protocol and proof in
 * docs/leases.md, "Handoff"). The core (src/core/election/step.ts) decides; this keeps the
 * bookkeeping an InstanceRunner needs around it:
 * - the old master: announce a handoff the core began (at once for make-before-break, after the
 *   confirmed release for break-before-make) and let stop() wait until it is over;
 * - the successor: remember whom it owes a HandoffDone, and send it once the provider confirmed
 *   the VIP at its new mastership.
 * ClusterNode (cluster-node.ts) picks the successor (`successorFor`) and carries the messages.
 */
import { rankSuccessor, type SuccessorCandidate } from '../core/election/handoff.js';
import type { ElectionState, HandoffState } from '../core/election/types.js';
import type { Desired } from './provider-driver.js';

export class HandoffTracker {
  private current: HandoffState | undefined;
  /** Break-before-make: announced once the release at this term is confirmed. */
  private awaitingRelease: HandoffState | undefined;
  private debt: { readonly from: string; readonly term: number } | undefined;
  private waiters: Array<() => void> = [];

  /**
   * The core's handoff after a dispatch (undefined when none). Returns it when it just began, so
   * the runner announces it; frees stop()'s waiters when it ended.
   */
  observe(h: HandoffState | undefined): HandoffState | undefined {
    if (h === this.current) return undefined;
    const began = h !== undefined && (this.current === undefined || this.current.term !== h.term || this.current.to !== h.to);
    this.current = h;
    if (h === undefined) {
      this.awaitingRelease = undefined;
      this.wake();
      return undefined;
    }
    if (began && h.releasedFirst) this.awaitingRelease = h;
    return began ? h : undefined;
  }

  /** Resolves when the handoff in `st` (if any) is over. */
  whenOver(st: ElectionState): Promise<void> {
    if (st.role !== 'Master' || !st.handoff) return Promise.resolve();
    return new Promise((resolve) => this.waiters.push(resolve));
  }

  /** Announce `h` only once its release is confirmed (releasedFirst), whatever the provider. */
  releaseBeforeOffer(h: HandoffState): void {
    this.awaitingRelease = h;
  }

  /** Break-before-make: the provider confirmed `d`; the handoff to announce now, if this was its release. */
  releasedFirst(d: Desired): HandoffState | undefined {
    const h = this.awaitingRelease;
    if (!h || d.kind !== 'not-held' || d.term !== h.term) return undefined;
    this.awaitingRelease = undefined;
    return h;
  }

  /** We took over from `from`: we owe it a HandoffDone once the VIP is confirmed here. */
  owe(from: string, term: number): void {
    this.debt = { from, term };
  }

  /** What we owe, if anything: the old master and our term when it handed over. */
  get owed(): { readonly from: string; readonly term: number } | undefined {
    return this.debt;
  }

  /** The HandoffDone to send now (once). */
  settle(): { readonly from: string; readonly term: number } | undefined {
    const d = this.debt;
    this.debt = undefined;
    return d;
  }

  /** We are no longer master: nothing is owed (the old master releases by its bound). */
  forgive(): void {
    this.debt = undefined;
  }

  /** A crash: forget everything, free the waiters. */
  clear(): void {
    this.current = undefined;
    this.awaitingRelease = undefined;
    this.debt = undefined;
    this.wake();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }
}

/** A live member that could take the group over, as ClusterNode sees it. */
export interface LiveCandidate {
  readonly nodeId: string;
  /** Its primary address for the tie-break (RFC 5798 §6.4.3), when known. */
  readonly address?: string;
  /** Its effective priority in the group, when known. */
  readonly priority?: number;
}

/**
 * The successor for a handoff: the top-ranked live candidate (rankSuccessor: known priority,
 * then the RFC 5798 tie-break). Undefined when no candidate is live: the master then resigns
 * the RFC way (priority 0) and the backups' Skew_Time applies.
 */
export function successorFor(candidates: readonly LiveCandidate[], self: string): string | undefined {
  const ranked: SuccessorCandidate[] = candidates.map((c) => ({
    sender: { nodeId: c.nodeId, ...(c.address !== undefined ? { address: c.address } : {}) },
    ...(c.priority !== undefined ? { priority: c.priority } : {}),
  }));
  return rankSuccessor(ranked, self)?.sender.nodeId;
}
