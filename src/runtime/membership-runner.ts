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

export class MembershipRunner {
  private st: MembershipState;
  private readonly timer: DeadlineTimer;
  private stopped = false;
  private readonly limiter: LogLimiter;

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

  receive(message: Message): void {
    this.dispatch({ type: 'Received', message });
  }

  /** A broken stream is a hint: probe now, directly and indirectly, and let the probes decide. */
  probeNow(id: string): void {
    this.dispatch({ type: 'ProbeNow', id });
  }

  sendFailed(to: Destination): void {
    this.dispatch({ type: 'SendFailed', to });
  }

  private dispatch(event: MembershipEvent): void {
    if (this.stopped && event.type !== 'Start') return;
    const { state, actions } = step(this.st, event, this.opts.clock.now());
    this.st = state;
    for (const a of actions) this.execute(a);
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
        // Member state changes are never rate-limited: each one matters to an operator.
        if (a.fields && 'member' in a.fields) this.opts.logger[a.level]({ ...a.fields }, a.msg);
        else this.limiter.log(a.level, a.msg, a.fields);
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
