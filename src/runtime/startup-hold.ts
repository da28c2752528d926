/**
 * The startup hold (issue 10 "What must exist" 4): at start a node keeps its election back
 * until it has heard from every configured peer of the group (membership says it is alive, or
 * it advertised), a master speaks up, or `startup_hold` passes, whichever is first. A pair or
 * trio started a few seconds apart then elects once, the highest priority, instead of the first
 * node up taking the VIP and losing it to preemption a moment later.
 *
 * A node that has heard every peer but knows one to rank above it (`outranked`) holds on until
 * a master advertises or the bound passes: the higher peer's own hold may end later (it heard
 * the last peer join later, or its host is loaded), and a node that started its election first
 * would claim the VIP and be preempted a moment later. The top node never waits for anyone, so
 * this cannot deadlock; a top node that never advertises (it is in Fault) costs the others the
 * bound, once.
 *
 * The hold adds to what leases already make a cold start wait: a voter grants nothing for P
 * after its own start (restart-quiet, docs/leases.md), so a group whose voters all started
 * together takes the VIP at the latest of (hold end + Master_Down_Interval) and (the voters'
 * start + P). docs/configuration.md (`startup_hold`) states the combined behaviour.
 */
import { masterDownIntervalMs } from '../core/election/timers.js';
import type { TimerVersion } from '../core/election/types.js';
import type { Clock } from '../ports/clock.js';

/**
 * startup_hold's default: 2 × Master_Down_Interval (RFC 5798 §6.1), so that a peer starting
 * within one takeover's time is heard before anyone claims, and at least 3 s, since nodes
 * started together by an orchestrator or at boot come up a second or two apart while the lan
 * preset's Master_Down_Interval is only ~0.36 s. Only a node whose peers stay silent pays it,
 * once, at start; a running master ends the hold with its first advert.
 */
export function defaultStartupHoldMs(priority: number, advertIntervalCs: number, version: TimerVersion): number {
  return Math.max(3000, 2 * masterDownIntervalMs(priority, advertIntervalCs, version));
}

/** What the hold keeps back (an InstanceRunner). */
export interface HoldTarget {
  holdStartup(): void;
  releaseStartup(reason: string, outranked?: boolean): void;
}

export interface StartupHoldOptions {
  /** The group's configured peers (not this node). */
  readonly peers: readonly string[];
  /** The bound: the election starts after this long at the latest. */
  readonly holdMs: number;
  readonly clock: Clock;
  readonly target: HoldTarget;
  /** Whether we have heard from `id` since start. */
  readonly heard: (id: string) => boolean;
  /** A peer known to rank above this node (its adverts or its Hello), if any. */
  readonly outranked?: () => string | undefined;
  /** Called once when the hold ends (any way). */
  readonly onEnd?: () => void;
}

/** The peers not heard yet (pure). */
export function unheardPeers(peers: readonly string[], heard: (id: string) => boolean): string[] {
  return peers.filter((p) => !heard(p));
}

export class StartupHold {
  private cancelTimer: (() => void) | undefined;
  private ended = false;
  /** Every peer was heard but `waitingFor` ranks above us: hold until a master advertises. */
  private waitingFor: string | undefined;

  constructor(private readonly opts: StartupHoldOptions) {}

  /** Before the election starts: hold it, and start the bound. */
  arm(): void {
    const { opts } = this;
    opts.target.holdStartup();
    this.cancelTimer = opts.clock.schedule(opts.clock.now() + opts.holdMs, () => {
      const missing = unheardPeers(opts.peers, opts.heard);
      const why = missing.length > 0 ? `without hearing ${missing.join(', ')}` : this.waitingFor !== undefined ? `without an advert from ${this.waitingFor}, which ranks above` : 'with every peer heard';
      this.end(`startup-hold: ${Math.round(opts.holdMs)} ms passed ${why}`);
    });
  }

  /** Something changed (a member came alive): end the hold if every peer has been heard. */
  check(): void {
    if (this.ended) return;
    if (unheardPeers(this.opts.peers, this.opts.heard).length > 0) return;
    const above = this.opts.outranked?.();
    if (above !== undefined) {
      this.waitingFor = above;
      return;
    }
    this.end(`startup-hold: heard every peer (${this.opts.peers.join(', ')})`);
  }

  /** The peer this node holds on for (every peer heard, `outranked` named it), if any. */
  get waitingForMaster(): string | undefined {
    return this.ended ? undefined : this.waitingFor;
  }

  /** A master advertised: follow it rather than wait. */
  heardMaster(from: string): void {
    if (!this.ended) this.end(`startup-hold: master ${from} is advertising`);
  }

  /** The node stops: end the hold without starting the election. */
  cancel(): void {
    this.ended = true;
    this.cancelTimer?.();
    this.opts.onEnd?.();
  }

  private end(reason: string): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelTimer?.();
    this.opts.onEnd?.();
    this.opts.target.releaseStartup(reason);
  }
}
