/**
 * Runs the pure membership core (SWIM + Lifeguard): one timer at the core's earliest deadline,
 * messages out through `send`, member changes out to the node (quorum, probe verdicts).
 */
import { assertNever } from '../core/assert.js';
import type { Message } from '../core/membership/messages.js';
import { initialState, nextDeadline, step } from '../core/membership/step.js';
import type { Destination, Member, MembershipAction, MembershipEvent, MembershipParams, MembershipState } from '../core/membership/types.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import { DeadlineTimer } from './deadline-timer.js';
import { LogLimiter } from '../ports/log-limiter.js';
import type { Metrics } from '../ports/metrics.js';

export type MemberChange = Extract<MembershipAction, { type: 'MemberChanged' }>;

export interface MembershipRunnerOptions {
  readonly params: MembershipParams;
  readonly seed: number;
  /** Persisted incarnation from an earlier run, if any. */
  readonly incarnation?: number;
  readonly clock: Clock;
  readonly send: (to: Destination, message: Message) => void;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly onMemberChanged?: (change: MemberChange) => void;
}

/**
 * Keyed lines (member changes, refutations, drops) printed from one step at most; the rest of a
 * flood is one summary line (issue 8 finding 7: a 20,000-member Join logged 20,000 lines).
 * The counters (vipd_member_transitions_total, vipd_membership_items_dropped_total) miss nothing.
 */
export const MAX_LOG_LINES_PER_STEP = 16;

export class MembershipRunner {
  private st: MembershipState;
  private readonly timer: DeadlineTimer;
  private stopped = false;
  private readonly limiter: LogLimiter;
  private linesThisStep = 0;
  private heldBack = 0;

  constructor(private readonly opts: MembershipRunnerOptions) {
    this.st = initialState(opts.params, opts.incarnation === undefined ? { seed: opts.seed } : { seed: opts.seed, incarnation: opts.incarnation });
    this.limiter = new LogLimiter(opts.clock, opts.logger);
    this.timer = new DeadlineTimer(opts.clock, () => this.dispatch({ type: 'Tick' }));
  }

  get state(): MembershipState {
    return this.st;
  }

  members(): ReadonlyMap<string, Member> {
    return this.st.members;
  }

  start(): void {
    this.stopped = false;
    this.dispatch({ type: 'Start' });
  }

  /** Graceful leave: tell the others, give the gossip a moment, then stop. */
  async leave(graceMs: number): Promise<void> {
    this.dispatch({ type: 'Leave' });
    await new Promise<void>((resolve) => this.opts.clock.schedule(this.opts.clock.now() + graceMs, resolve));
    this.stop();
  }

  stop(): void {
    this.stopped = true;
    this.timer.disarm();
  }

  /** A message from `sender`, the node the transport authenticated (not the message's own `from`). */
  receive(message: Message, sender: string): void {
    this.dispatch({ type: 'Received', message, sender });
  }

  /** A broken stream is a hint: probe now, directly and indirectly, and let the probes decide. */
  probeNow(id: string): void {
    this.dispatch({ type: 'ProbeNow', id });
  }

  sendFailed(to: Destination): void {
    this.dispatch({ type: 'SendFailed', to });
  }

  /**
   * Our own crash verdict (the MembershipTransport receiver's `gone`, issue 10): our stream to
   * `nodeId` at `address` was reset and a redial was refused. The member becomes suspect at
   * once and dies at the gone floor when one other member confirms (docs/membership.md
   * "Inputs"). Only this node's transport may call it; never on a peer's report.
   */
  memberGone(address: string, nodeId: string | undefined, reason: 'refused'): void {
    this.dispatch(nodeId === undefined ? { type: 'MemberGone', address, reason } : { type: 'MemberGone', address, id: nodeId, reason });
  }

  /**
   * Our BFD session to `nodeId` went Down (RFC 5880 §6.8.4, issue 10): probe it at once through
   * helpers. A hint only; the probe decides. Only this node's own sessions may call it.
   */
  bfdDown(nodeId: string): void {
    this.dispatch({ type: 'BfdDown', id: nodeId });
  }

  private dispatch(event: MembershipEvent): void {
    if (this.stopped && event.type !== 'Start') return;
    const { state, actions } = step(this.st, event, this.opts.clock.now());
    this.st = state;
    this.linesThisStep = 0;
    this.heldBack = 0;
    for (const a of actions) this.execute(a);
    if (this.heldBack > 0) {
      this.limiter.log('warn', `${this.heldBack} more membership log lines from one step held back (counted in vipd_member_transitions_total and vipd_membership_items_dropped_total)`,
        { reason: 'membership-log-flood', heldBack: this.heldBack });
    }
    this.rearm();
  }

  private execute(a: MembershipAction): void {
    switch (a.type) {
      case 'Send':
        this.opts.send(a.to, a.message);
        return;
      case 'MemberChanged':
        // The core has logged and counted it; the node turns it into quorum and verdicts.
        this.opts.onMemberChanged?.(a);
        return;
      case 'Log':
        // Lines a peer can repeat (member changes, refutations, drops) carry a key: one line per
        // key per window, like the advert drop logs, and a bounded number per step.
        if (a.key === undefined) this.limiter.log(a.level, a.msg, a.fields);
        else if (this.linesThisStep++ < MAX_LOG_LINES_PER_STEP) this.limiter.once(a.key, a.level, a.msg, a.fields);
        else this.heldBack++;
        return;
      case 'Metric':
        this.opts.metrics.inc(a.name, a.labels, a.inc);
        return;
      default:
        assertNever(a, 'membership action');
    }
  }

  private rearm(): void {
    this.timer.arm(this.stopped ? undefined : nextDeadline(this.st));
  }
}
