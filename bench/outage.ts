/**
 * What a client saw around one fault, computed from its answer log (issue 5 §1). Pure: the
 * log and the fault time in, numbers out; no clock, no I/O, so it is unit-tested on recorded
 * logs (test/unit/bench/outage.test.ts).
 *
 * Times are milliseconds on one clock (the bench uses CLOCK_MONOTONIC in every process).
 */

/** One answer to a request: which node answered, and when it arrived. */
export interface Answer {
  readonly node: string;
  readonly at: number;
}

/** One request the client sent and every answer that came back for it (usually 0 or 1). */
export interface Probe {
  readonly seq: number;
  readonly sentAt: number;
  readonly answers: readonly Answer[];
}

export interface OutageInput {
  readonly probes: readonly Probe[];
  /** When the fault was injected. */
  readonly faultAt: number;
  /** The node that answered before the fault (the master that fails). */
  readonly oldMaster: string;
  /** End of the observation. */
  readonly endAt: number;
  /**
   * Requests sent in the last `inFlightMs` before `endAt` are neither lost nor answered yet:
   * their answer may still be on its way. Default 200 ms.
   */
  readonly inFlightMs?: number;
}

export interface OutageResult {
  /** Fault → first answer from a node other than the old master; undefined when none came. */
  readonly takeoverMs: number | undefined;
  /** The node that took over (the first other node to answer after the fault). */
  readonly newMaster: string | undefined;
  /**
   * The longest gap between consecutive answers, from the last answer before the fault to
   * `endAt`. With a request every 10 ms, 10 ms means no outage at all.
   */
  readonly outageMs: number;
  /** True when the longest gap is still open at `endAt` (no answer came back at all). */
  readonly outageOpen: boolean;
  /** Requests sent in [faultAt, endAt − inFlightMs] that no node answered. */
  readonly lost: number;
  /** Requests sent in that window. */
  readonly sent: number;
  /** Requests answered by more than one node (both held the VIP and both got the request). */
  readonly duplicates: number;
  /** Answers after the takeover from a node other than the new master (the VIP went back and forth). */
  readonly flipBacks: number;
  /** Changes of the answering node, in arrival order, after the fault (a clean hand-off is 1). */
  readonly switches: number;
  /** Whether the VIP answered from two nodes in the observation window beyond one clean hand-off. */
  readonly twoNodes: boolean;
}

const DEFAULT_IN_FLIGHT_MS = 200;

export function analyzeOutage(input: OutageInput): OutageResult {
  const { faultAt, oldMaster, endAt } = input;
  const inFlightMs = input.inFlightMs ?? DEFAULT_IN_FLIGHT_MS;
  const answers = input.probes
    .flatMap((p) => p.answers.map((a) => ({ ...a, seq: p.seq })))
    .filter((a) => a.at <= endAt)
    .sort((x, y) => x.at - y.at || x.seq - y.seq);

  // Takeover: the first answer after the fault from any node but the old master.
  const first = answers.find((a) => a.at >= faultAt && a.node !== oldMaster);
  const takeoverMs = first ? first.at - faultAt : undefined;
  const newMaster = first?.node;

  // Outage: longest silence, starting at the last answer before the fault (or at the fault
  // itself when nothing answered before it) and closing at endAt.
  let previous = faultAt;
  for (const a of answers) if (a.at < faultAt) previous = a.at;
  let outageMs = 0;
  for (const a of answers) {
    if (a.at < faultAt) continue;
    outageMs = Math.max(outageMs, a.at - previous);
    previous = a.at;
  }
  const tail = endAt - previous;
  const outageOpen = tail > outageMs;
  outageMs = Math.max(outageMs, tail);

  // Lost: requests in the window that nobody answered.
  const counted = input.probes.filter((p) => p.sentAt >= faultAt && p.sentAt <= endAt - inFlightMs);
  const lost = counted.filter((p) => !p.answers.some((a) => a.at <= endAt)).length;

  const duplicates = input.probes.filter((p) => new Set(p.answers.map((a) => a.node)).size > 1).length;
  const flipBacks = first ? answers.filter((a) => a.at > first.at && a.node !== first.node).length : 0;
  let switches = 0;
  let current = oldMaster;
  for (const a of answers) {
    if (a.at < faultAt || a.node === current) continue;
    switches += 1;
    current = a.node;
  }

  return {
    takeoverMs,
    newMaster,
    outageMs,
    outageOpen,
    lost,
    sent: counted.length,
    duplicates,
    flipBacks,
    switches,
    twoNodes: duplicates > 0 || flipBacks > 0 || switches > 1,
  };
}
