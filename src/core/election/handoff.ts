/**
 * Pure parts of the direct handoff (issue 10 "What must exist" 2; protocol and proof in
 * docs/leases.md, "Handoff"): whom a master names as its successor, how long it waits for the
 * successor's confirmation, and which priority-0 adverts a backup may ignore. The master's and
 * the successor's transitions live in step.ts (they use its role helpers).
 */
import { compareIdentity } from './identity.js';
import { DEFAULT_RELEASE_MARGIN_MS } from './lease.js';
import type { Advert, ElectionState, PeerIdentity } from './types.js';

/** Default `handoff_overlap_max`: the longest two nodes may hold the VIP during a handoff. */
export const DEFAULT_HANDOFF_OVERLAP_MAX_MS = 200;

/**
 * The shortest wait for HandoffDone the bound leaves: below it a handoff cannot complete on any
 * network, and the master would always release first.
 */
export const MIN_HANDOFF_WAIT_MS = 5;

/**
 * How long a master waits for HandoffDone before it starts its release: the overlap bound less
 * R, the provider's release bound, so that the release has finished by `handoff_overlap_max`
 * after the Handoff was sent (docs/leases.md, "Handoff"). Undefined when the bound is too short
 * to leave MIN_HANDOFF_WAIT_MS: config refuses such a bound.
 */
export function handoffWaitMs(overlapMaxMs: number, releaseMarginMs = DEFAULT_RELEASE_MARGIN_MS): number | undefined {
  const wait = overlapMaxMs - releaseMarginMs;
  return Number.isFinite(wait) && wait >= MIN_HANDOFF_WAIT_MS ? wait : undefined;
}

/** A node that could take the group over, as the master sees it. */
export interface SuccessorCandidate {
  readonly sender: PeerIdentity;
  /** Its effective priority in the group, when known (membership, or its last advert). */
  readonly priority?: number;
}

/**
 * The successor: the highest known priority, then the RFC 5798 §6.4.3 tie-break (higher primary
 * address, else node id); candidates of unknown priority rank below every known one, and one
 * at priority 0 (resigned, in Fault) never. Undefined when none is left.
 */
export function rankSuccessor(candidates: readonly SuccessorCandidate[], self: string): SuccessorCandidate | undefined {
  const usable = candidates.filter((c) => c.sender.nodeId !== self && (c.priority === undefined || c.priority > 0));
  const sorted = [...usable].sort((x, y) => {
    const px = x.priority ?? -1;
    const py = y.priority ?? -1;
    if (px !== py) return py - px;
    return compareIdentity(y.sender, x.sender);
  });
  return sorted[0];
}

/**
 * A priority-0 advert that is not our master's resignation: it comes from another node, with a
 * term below that of the master we follow (which advertises a real priority). After a handoff
 * the old master's priority-0 advert (RFC 5798 §6.4.3 Shutdown, still sent for VRRP peers)
 * reaches backups that already follow the successor; taking it as their master's resignation
 * would make them take over after Skew_Time. Only where terms order masters (unicast groups,
 * `orderByTerm`): in VRRP groups every priority-0 advert counts, as RFC 5798 §6.4.2 says.
 */
export function staleResignation(state: ElectionState, a: Advert): boolean {
  const m = state.master;
  return a.priority === 0 && state.params.orderByTerm !== false && m !== undefined && m.priority > 0
    && m.sender.nodeId !== a.sender.nodeId && a.term < m.term;
}
