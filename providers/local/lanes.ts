/**
 * One provider's calls run one at a time (a release must never race a re-add), in two lanes:
 * `takeover` (acquire, release, cleanup: what the election decided) and `background` (the
 * refresh's address check and re-add). A takeover never waits behind background work: it goes
 * before every queued background call, and a background call already running is aborted through
 * the signal it was handed (the next refresh repeats it). Before issue 10 all of them shared one
 * FIFO, so a takeover could wait for a refresh's `ip` commands.
 */
export type Lane = 'takeover' | 'background';

/** The reason a background call's signal carries when a takeover preempted it. */
export class PreemptedError extends Error {
  override readonly name = 'PreemptedError';
  constructor() {
    super('a takeover or release went first');
  }
}

interface Holder {
  readonly lane: Lane;
  readonly preempt: AbortController;
}

interface Waiter {
  readonly lane: Lane;
  readonly grant: () => void;
}

export class Lanes {
  /** Claimed the moment it is granted (never after an await), so a takeover arriving meanwhile preempts it. */
  private running: Holder | undefined;
  private readonly waiting: Record<Lane, Waiter[]> = { takeover: [], background: [] };

  /**
   * Runs `fn` when no other call runs, takeovers first. `fn` gets `signal`, or for a background
   * call `signal` joined with the preemption. Rejects with `signal.reason` if `signal` aborts
   * while waiting (the waiter leaves the queue at once).
   */
  async run<T>(lane: Lane, signal: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
    const holder = await this.enter(lane, signal);
    try {
      return await fn(lane === 'background' ? AbortSignal.any([signal, holder.preempt.signal]) : signal);
    } finally {
      this.running = undefined;
      this.next();
    }
  }

  private claim(lane: Lane): Holder {
    this.running = { lane, preempt: new AbortController() };
    return this.running;
  }

  private enter(lane: Lane, signal: AbortSignal): Promise<Holder> {
    if (signal.aborted) return Promise.reject(signal.reason);
    if (lane === 'takeover' && this.running?.lane === 'background') this.running.preempt.abort(new PreemptedError());
    if (!this.running && this.waiting.takeover.length === 0 && (lane === 'takeover' || this.waiting.background.length === 0)) {
      return Promise.resolve(this.claim(lane));
    }
    const queue = this.waiting[lane];
    return new Promise<Holder>((resolve, reject) => {
      const waiter: Waiter = {
        lane,
        grant: () => {
          signal.removeEventListener('abort', onAbort);
          resolve(this.running ?? this.claim(lane));
        },
      };
      const onAbort = () => {
        const i = queue.indexOf(waiter);
        if (i >= 0) queue.splice(i, 1);
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(waiter);
    });
  }

  private next(): void {
    const waiter = this.waiting.takeover.shift() ?? this.waiting.background.shift();
    if (!waiter) return;
    this.claim(waiter.lane);
    waiter.grant();
  }
}
