/**
 * An outbound link to one peer address: one long-lived Exchange stream (no per-advert
 * connection), opened with a Hello and confirmed by the peer's Hello, which must arrive within
 * the Hello deadline and pass `checkPeer` (hello-check.ts: our cluster, the node named by the
 * peer's certificate, the node we meant to reach); otherwise the stream is closed, the refusal
 * counted and logged once per window, and the address treated as unreachable. When the stream
 * breaks it reports "down" (a hint for the election, not a verdict) and reconnects with capped,
 * jittered backoff. Frames sent while down are dropped and counted: adverts are periodic and the
 * election tolerates loss (RFC 5798 §6.1).
 *
 * States (named states with one guarded transition function, so a transition from an unexpected state is refused):
 *   idle -> connecting -> up -> backoff -> connecting ...; connecting -> backoff; any -> closed.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Clock } from '../../ports/clock.js';
import type { Logger } from '../../ports/logger.js';
import type { RateLimitedLog } from '../../ports/log-limiter.js';
import type { Metrics } from '../../ports/metrics.js';
import { decodeFrame, type Frame, type Hello } from '../../wire/peer-frame.js';
import { probeListener, type CrashProbeResult } from './crash-probe.js';
import type { FrameUnsentReason } from './drop-reasons.js';
import type { HelloVerdict } from './hello-check.js';
import type { PeerRefusal } from './limits.js';
import type { AuthContext } from './peer-server.js';
import { channelOptions, PeerClientCtor, type PeerClient } from './service.js';

export interface PeerLinkOptions {
  readonly address: string;
  readonly hello: Hello;
  readonly credentials: grpc.ChannelCredentials;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly limiter: RateLimitedLog;
  readonly clock: Clock;
  /** The peer's Hello must arrive this soon after the stream opens (limits.ts). */
  readonly helloDeadlineMs: number;
  /** Whether the peer's Hello, with the TLS identity of its connection, is the peer we want. */
  readonly checkPeer: (peer: Hello, auth: AuthContext | null) => HelloVerdict;
  /** The peer confirmed the stream with its Hello. */
  readonly onUp: (peer: Hello) => void;
  /** The stream broke (after it was up). */
  readonly onDown: (peer: Hello, reason: string) => void;
  /** A connection attempt failed before the peer said Hello; queued frames were dropped. */
  readonly onUnreachable?: (address: string, reason: string) => void;
  readonly backoff?: { initialMs: number; maxMs: number };
  /** Redial on a break and report a refused address (undefined: no crash verdicts). */
  readonly crashVerdict?: CrashVerdictOptions;
  /** The peer's process is gone: its stream broke and its address refused us (crashVerdict). */
  readonly onGone?: (address: string, nodeId: string) => void;
}

export interface CrashVerdictOptions {
  /**
   * Confirmation window: keep redialing for this long after the break, and give the verdict only
   * if every redial was refused (0: the first refusal is the verdict). A process restarted within
   * it answers, and no verdict is given (config `crash_verdict_window`).
   */
  readonly windowMs: number;
  /** A redial without an answer for this long is silence, not a verdict (default 500 ms). */
  readonly timeoutMs?: number;
  /** The redial (default probeListener; tests replace it). */
  readonly probe?: (address: string, timeoutMs: number) => Promise<CrashProbeResult>;
}

/** Redials within a window are this far apart at least; a window allows at most ~50 of them. */
const CRASH_PROBE_GAP_MS = 20;
const CRASH_PROBES_PER_WINDOW = 50;
/** Redials that opened and were reset (a closing listener) before the next refusal or answer. */
const CRASH_PROBE_RESETS = 3;

type Call = grpc.ClientDuplexStream<Frame, Buffer>;

type LinkState =
  | { readonly name: 'idle' }
  /** Our Hello is written; the peer's must come before the deadline. */
  | { readonly name: 'connecting'; readonly call: Call; readonly cancelDeadline: () => void }
  | { readonly name: 'up'; readonly call: Call; readonly peer: Hello }
  /** The stream broke or was refused; the next attempt is scheduled. */
  | { readonly name: 'backoff'; readonly cancelRetry: () => void }
  | { readonly name: 'closed' };

type StateName = LinkState['name'];

const ALLOWED: Readonly<Record<StateName, readonly StateName[]>> = {
  idle: ['connecting', 'closed'],
  connecting: ['up', 'backoff', 'closed'],
  up: ['backoff', 'closed'],
  backoff: ['connecting', 'closed'],
  closed: [],
};

export class PeerLink {
  private client: PeerClient | undefined;
  private state: LinkState = { name: 'idle' };
  /** The node that last said Hello; kept while down, for its logs. */
  private peer: Hello | undefined;
  private failures = 0;
  private lastError = '';
  /** Frames waiting for the stream to come up (bounded; membership only, see send()). */
  private pending: Frame[] = [];
  /** Generation of the crash check; bumped when the link comes up or closes, ending a check. */
  private verdictRun = 0;

  constructor(private readonly opts: PeerLinkOptions) {}

  get address(): string {
    return this.opts.address;
  }

  /** Node id of the peer once it said Hello. */
  get peerId(): string | undefined {
    return this.peer?.nodeId;
  }

  get isUp(): boolean {
    return this.state.name === 'up';
  }

  /** Hello.revision of the peer while the stream is up (which frames it understands). */
  get peerRevision(): number | undefined {
    return this.state.name === 'up' ? this.state.peer.revision : undefined;
  }

  /** Opens the stream now (from idle, or cutting a backoff short); otherwise does nothing. */
  open(): void {
    if (this.state.name !== 'idle' && this.state.name !== 'backoff') return;
    this.client ??= new PeerClientCtor(this.opts.address, this.opts.credentials, channelOptions);
    const call = this.client.exchange();
    const { clock, helloDeadlineMs } = this.opts;
    const cancelDeadline = clock.schedule(clock.now() + helloDeadlineMs, () => {
      if (this.current(call, 'connecting')) this.refuse('hello-timeout', `no hello within ${helloDeadlineMs} ms`);
    });
    this.transition({ name: 'connecting', call, cancelDeadline });
    call.on('data', (bytes: Buffer) => this.received(call, bytes));
    // A stream we already gave up on may still report its end: it must not break its successor.
    call.on('error', (err: grpc.ServiceError) => {
      if (this.current(call)) this.broken(`${err.code === undefined ? '' : `code ${err.code}: `}${err.details || err.message}`);
    });
    call.on('end', () => {
      if (this.current(call)) this.broken('stream ended by peer');
    });
    call.write({ hello: this.opts.hello });
  }

  /**
   * Sends one frame. While the stream is coming up, `queue` frames wait (at most 64; membership
   * probes are worth delivering late) and others are dropped and counted (a late advert is a
   * stale advert). Returns whether the frame was written or queued.
   */
  send(frame: Frame, queue = false): boolean {
    if (this.state.name === 'up') {
      this.state.call.write(frame);
      return true;
    }
    if (this.state.name === 'idle') this.open();
    if (queue && this.state.name !== 'closed' && this.pending.length < 64) {
      this.pending.push(frame);
      return true;
    }
    this.opts.metrics.inc('vipd_peer_frames_unsent_total', { reason: 'link-down' satisfies FrameUnsentReason });
    return false;
  }

  /**
   * The peer just dialed us, so it is up: skip the rest of the backoff. Without this a restarted
   * node waits up to the backoff cap (2 s) for our answers to its join.
   */
  retryNow(): void {
    if (this.state.name !== 'backoff') return;
    this.failures = 0;
    this.open();
  }

  close(): void {
    const before = this.state;
    if (!this.transition({ name: 'closed' })) return;
    this.pending = [];
    if (before.name === 'connecting' || before.name === 'up') {
      before.call.end();
      before.call.cancel();
    }
    this.client?.close();
    this.client = undefined;
  }

  /** Whether `call` is the stream of the current state (and the state is `name`, if given). */
  private current(call: Call, name?: 'connecting' | 'up'): boolean {
    const s = this.state;
    return (s.name === 'connecting' || s.name === 'up') && s.call === call && (name === undefined || s.name === name);
  }

  /**
   * The one way the state changes. A transition the table does not allow is refused (and
   * logged at debug), never applied; leaving a state cancels its timer.
   */
  private transition(next: LinkState): boolean {
    const from = this.state;
    if (!ALLOWED[from.name].includes(next.name)) {
      this.opts.logger.debug({ address: this.opts.address, from: from.name, to: next.name }, `peer link ${this.opts.address}: ${from.name} -> ${next.name} refused`);
      return false;
    }
    if (from.name === 'connecting') from.cancelDeadline();
    if (from.name === 'backoff') from.cancelRetry();
    if (next.name === 'up' || next.name === 'closed') this.verdictRun++;
    this.state = next;
    return true;
  }

  private received(call: Call, bytes: Buffer): void {
    // The server only ever answers with its Hello, once: whatever follows is not read (not even
    // decoded), so a later Hello cannot rename the peer nor a flood cost a decode.
    if (!this.current(call, 'connecting')) return;
    const f = decodeFrame(bytes);
    // A correct server's first frame is its Hello (peer-server.ts); reading on would let a peer
    // make us decode until the deadline.
    if (!f.ok || !f.value.hello) return this.refuse('no-hello', `first frame from the peer is not a hello${f.ok ? '' : `: ${f.reason}`}`);
    const hello = f.value.hello;
    const verdict = this.opts.checkPeer(hello, call.getAuthContext());
    if (!verdict.ok) return this.refuse(verdict.reason, verdict.detail);
    this.peer = hello;
    this.failures = 0;
    this.transition({ name: 'up', call, peer: hello });
    const queued = this.pending;
    this.pending = [];
    for (const q of queued) call.write(q);
    this.opts.onUp(hello);
  }

  /** The peer is not one we talk to (or not in time): count, log once per window, back off. */
  private refuse(reason: PeerRefusal, detail: string): void {
    this.opts.metrics.inc('vipd_peer_rejected_total', { reason, side: 'dial' });
    this.opts.limiter.log('warn', `refused peer at ${this.opts.address}: ${detail}`, { reason, address: this.opts.address });
    this.broken(`refused: ${reason}`);
  }

  private broken(reason: string): void {
    const s = this.state;
    if (s.name !== 'connecting' && s.name !== 'up') return;
    this.failures += 1;
    const { initialMs, maxMs } = this.opts.backoff ?? { initialMs: 100, maxMs: 2000 };
    const base = Math.min(maxMs, initialMs * 2 ** Math.min(10, this.failures - 1));
    const delay = Math.round(base * (0.8 + 0.4 * Math.random()));
    const { clock } = this.opts;
    const cancelRetry = clock.schedule(clock.now() + delay, () => {
      if (this.state.name === 'backoff') this.open();
    });
    this.transition({ name: 'backoff', cancelRetry });
    s.call.cancel();
    const dropped = this.pending.length;
    this.pending = [];
    if (s.name === 'connecting') this.opts.onUnreachable?.(this.opts.address, reason);
    if (dropped > 0) this.opts.metrics.inc('vipd_peer_frames_unsent_total', { reason: 'unreachable' satisfies FrameUnsentReason }, dropped);
    if (s.name === 'up') {
      this.opts.metrics.inc('vipd_peer_link_down_total', { peer: s.peer.nodeId });
      this.opts.logger.warn({ peer: s.peer.nodeId, address: this.opts.address, reason }, `link to ${s.peer.nodeId} down: ${reason}`);
      this.opts.onDown(s.peer, reason);
      this.checkGone(s.peer.nodeId);
    } else if (reason !== this.lastError) {
      this.opts.logger.debug({ address: this.opts.address, reason, retryInMs: delay }, `cannot reach ${this.opts.address}: ${reason}`);
    }
    this.lastError = reason;
  }

  /**
   * The crash verdict's redial (docs/leases.md "Crash verdict"): refused at once and, through the
   * confirmation window, every time → gone. Ends with no verdict on an answer, on silence, or
   * when the link comes up again or closes. At most CRASH_PROBES_PER_WINDOW + 1 + CRASH_PROBE_RESETS connects.
   */
  private checkGone(nodeId: string): void {
    const cv = this.opts.crashVerdict;
    if (!cv) return;
    const run = ++this.verdictRun;
    const { clock, metrics, logger, address } = this.opts;
    const start = clock.now();
    const gap = Math.max(CRASH_PROBE_GAP_MS, cv.windowMs / CRASH_PROBES_PER_WINDOW);
    const live = (): boolean => run === this.verdictRun && this.state.name !== 'closed' && this.state.name !== 'up';
    let resets = 0;
    const attempt = async (): Promise<void> => {
      const result = await (cv.probe ?? probeListener)(address, cv.timeoutMs ?? 500);
      if (!live()) return;
      metrics.inc('vipd_crash_probes_total', { result });
      // Opened, then reset: the listener was closing under the redial (crash-probe.ts). Redial
      // again at once, at most CRASH_PROBE_RESETS times; only a refusal is a verdict.
      if (result === 'reset' && ++resets <= CRASH_PROBE_RESETS) {
        void attempt();
        return;
      }
      if (result !== 'refused') {
        const what = result === 'answered' ? 'answered (a process listens there)' : result === 'reset' ? `reset ${resets} times after it opened` : 'not answered (silence is no proof)';
        logger.info({ peer: nodeId, address, result }, `no crash verdict for ${nodeId}: a redial of ${address} was ${what}`);
        return;
      }
      const elapsed = clock.now() - start;
      if (elapsed >= cv.windowMs) {
        logger.warn({ peer: nodeId, address, windowMs: cv.windowMs }, `crash verdict: ${nodeId} is gone (stream ended, ${address} refused every redial for ${Math.round(elapsed)} ms)`);
        this.opts.onGone?.(address, nodeId);
        return;
      }
      clock.schedule(clock.now() + Math.min(gap, cv.windowMs - elapsed), () => {
        if (live()) void attempt();
      });
    };
    void attempt();
  }
}
