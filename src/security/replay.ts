/**
 * Replay protection for signed election messages. A MAC proves who wrote a message, not when:
 * without this, a captured "MASTER, priority 255" could be played back later to steal the VIP.
 * memberlist/Serf encrypt gossip but explicitly leave replay open; an election protocol must
 * not (docs/security.md "Replay protection").
 *
 * A message is accepted only if
 *   - its sequence is strictly greater than the last accepted one from the same sender
 *     (drops `stale-sequence`: repeats, and reordered older messages), and
 *   - its send time is within the freshness window of our wall clock, either side
 *     (drops `outside-window`): window = max(3 × advert interval, 5 s), as keepalived
 *     auth_hmac. The window bounds how far clocks may disagree and how old a replay can be.
 *
 * Order matters: call `check` only after the signature verified (signing.ts). Otherwise a forged
 * message with a huge sequence would be recorded and the real sender's messages would all be
 * dropped as stale.
 *
 * Sequence numbers survive restarts without being stored: a sender starts at
 * `initialSequence(wallClockMs)` = wallClockMs × 1000 and then uses `nextSequence`, which adds 1
 * but never falls below the clock's value. A restarted sender therefore starts above
 * everything it sent before, unless its clock went back across the restart by more than its
 * downtime. Then peers drop its messages as stale until its clock passes where it was (the
 * sequence tracks the clock), and at the latest until they forget it: a sender whose messages
 * are all dropped is "not heard", so after FORGET_AFTER_WINDOWS windows it is accepted again.
 * wallClockMs × 1000 stays below 2^53 until about the year 2255.
 *
 * Wall-clock time is injected; the class reads no clock of its own.
 */

/** keepalived auth_hmac's floor on the freshness window. */
export const MIN_FRESHNESS_WINDOW_MS = 5_000;
/** A sender not heard for this many windows is forgotten (bounded memory). */
export const FORGET_AFTER_WINDOWS = 10;

/** Freshness window: max(3 × advert interval, 5 s) (keepalived auth_hmac). */
export function freshnessWindowMs(advertIntervalMs: number): number {
  return Math.max(3 * advertIntervalMs, MIN_FRESHNESS_WINDOW_MS);
}

/** The first sequence number a sender uses after (re)starting: wallClockMs × 1000. */
export function initialSequence(wallClockMs: number): number {
  return Math.floor(wallClockMs) * 1000;
}

/**
 * The sequence for the next message: previous + 1, but never below wallClockMs × 1000, so the
 * sequence keeps pace with the clock (at most 1000 messages per millisecond) and a restart
 * continues above it.
 */
export function nextSequence(previous: number, wallClockMs: number): number {
  return Math.max(previous + 1, initialSequence(wallClockMs));
}

/** Why the guard refuses a message; the gRPC transport counts them as `replay-<reason>`. */
export const REPLAY_DROP_REASONS = ['stale-sequence', 'outside-window', 'invalid-sequence'] as const;

export type ReplayDrop = (typeof REPLAY_DROP_REASONS)[number];

export type ReplayCheck = { readonly ok: true } | { readonly ok: false; readonly reason: ReplayDrop; readonly detail: string };

export class ReplayGuard {
  readonly windowMs: number;
  private readonly wallClock: () => number;
  /** Per sender: highest accepted sequence and when we last accepted one (our clock). */
  private readonly senders = new Map<string, { sequence: number; heardAt: number }>();
  private lastSweepAt = Number.NEGATIVE_INFINITY;

  /**
   * `advertIntervalMs`: the sender's advertisement interval (when one sequence is shared by
   * several groups, pass the largest). `wallClock`: milliseconds since the epoch (Date.now in
   * production, a virtual clock in tests); it must be the same scale as senders' send times.
   */
  constructor(opts: { advertIntervalMs: number; wallClock: () => number }) {
    this.windowMs = freshnessWindowMs(opts.advertIntervalMs);
    this.wallClock = opts.wallClock;
  }

  /** Senders remembered now. */
  get size(): number {
    return this.senders.size;
  }

  /**
   * Accepts (and records) or drops one message. Never throws. `sender` is whatever identifies
   * the sequence's owner (the authenticated node id).
   */
  check(sender: string, sequence: number, sentAtMs: number): ReplayCheck {
    const now = this.wallClock();
    this.sweep(now);
    if (!Number.isSafeInteger(sequence) || sequence < 0) {
      return { ok: false, reason: 'invalid-sequence', detail: `sequence ${sequence} is not a non-negative safe integer` };
    }
    const skew = now - sentAtMs;
    if (!Number.isFinite(skew) || Math.abs(skew) > this.windowMs) {
      return { ok: false, reason: 'outside-window', detail: `sent ${Number.isFinite(skew) ? `${skew} ms ${skew >= 0 ? 'ago' : 'in the future'}` : 'at an invalid time'}; window ±${this.windowMs} ms (check NTP)` };
    }
    const last = this.senders.get(sender);
    if (last && sequence <= last.sequence) {
      return { ok: false, reason: 'stale-sequence', detail: `sequence ${sequence} ≤ last accepted ${last.sequence} from ${sender}` };
    }
    this.senders.set(sender, { sequence, heardAt: now });
    return { ok: true };
  }

  /**
   * Once per window, forgets senders silent for FORGET_AFTER_WINDOWS windows. Safe: any message
   * they sent before going silent is older than the window and fails the time check anyway.
   * Also sweeps when the clock went back, so a jump cannot postpone forgetting.
   */
  private sweep(now: number): void {
    if (now - this.lastSweepAt < this.windowMs && now >= this.lastSweepAt) return;
    this.lastSweepAt = now;
    const horizon = now - FORGET_AFTER_WINDOWS * this.windowMs;
    for (const [sender, s] of this.senders) if (s.heardAt < horizon) this.senders.delete(sender);
  }
}
