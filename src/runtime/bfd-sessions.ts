/**
 * Runs BFD sessions (src/core/bfd/session.ts) to a set of peers over a BfdTransport: one
 * session per peer address, one timer for the earliest deadline of all, the adaptive
 * multiplier of src/core/bfd/adaptive.ts fed by each session's `Heard`, and a callback when a
 * session goes Up or leaves Up. It decides nothing about VIPs: what a Down means for an
 * election is docs/bfd.md's majority rule, applied elsewhere.
 *
 * Discriminators are random, nonzero and distinct per session and per start (RFC 5880 §6.8.1,
 * and docs/bfd.md: a fresh discriminator is what stops replays across a restart).
 */
import {
  adaptiveMultiplier, defaultAdaptiveParams, INITIAL_ADAPTIVE_STATE, observeArrival, type AdaptiveMultiplierState,
} from '../core/bfd/adaptive.js';
import { BFD_STATES, type BfdState } from '../core/bfd/packet.js';
import {
  createSession, nextDeadline, stepSession, type BfdSessionAction, type BfdSessionEvent, type BfdSessionState,
} from '../core/bfd/session.js';
import type { BfdTransport } from '../ports/bfd-transport.js';
import type { Clock } from '../ports/clock.js';
import type { Logger } from '../ports/logger.js';
import type { Metrics } from '../ports/metrics.js';
import { DeadlineTimer } from './deadline-timer.js';

export interface BfdTimers {
  /** Desired Min TX and Required Min RX while Up, ms (bfd.interval). */
  readonly intervalMs: number;
  /** bfd.DetectMult (bfd.multiplier). */
  readonly multiplier: number;
  /** Raise the multiplier we wait for under loss (adaptive.ts); default true. */
  readonly adaptive?: boolean;
}

export interface BfdSessionsOptions {
  readonly transport: BfdTransport;
  readonly clock: Clock;
  readonly timers: BfdTimers;
  /** Whether the transport signs (the sessions then require the A bit, RFC 5880 §6.8.6). */
  readonly authenticated: boolean;
  readonly logger: Logger;
  readonly metrics?: Metrics;
  /**
   * Told when a session goes Up (`up` true) or leaves Up (false), with the RFC 5880 diag;
   * `graceful` when the peer signalled AdminDown or we stopped (RFC 5880 §6.8.16: not a connectivity failure).
   */
  readonly onChange?: (peer: string, up: boolean, diag: number, reason: string, graceful: boolean) => void;
  /** 32-bit randomness for discriminators and jitter seeds; crypto-quality in production. */
  readonly random32: () => number;
}

interface Peer {
  session: BfdSessionState;
  adaptive: AdaptiveMultiplierState;
}

export class BfdSessions {
  private readonly peers = new Map<string, Peer>();
  private readonly timer: DeadlineTimer;
  private opened = false;
  private stopped = false;

  constructor(private readonly opts: BfdSessionsOptions) {
    this.timer = new DeadlineTimer(opts.clock, () => this.onTimer());
  }

  async start(): Promise<void> {
    if (this.opened) return;
    this.opened = true;
    await this.opts.transport.open((peer, packet) => this.dispatch(peer, { type: 'Received', packet }));
  }

  /** Starts a session to `peer` (idempotent). */
  async addPeer(peer: string): Promise<void> {
    if (this.peers.has(peer) || this.stopped) return;
    await this.opts.transport.addPeer(peer);
    if (this.peers.has(peer) || this.stopped) return;
    const us = this.opts.timers.intervalMs * 1000;
    const session = createSession({
      localDiscr: this.freshDiscriminator(), desiredMinTxUs: us, requiredMinRxUs: us,
      detectMult: this.opts.timers.multiplier, auth: this.opts.authenticated,
    }, this.opts.clock.now(), this.opts.random32());
    this.peers.set(peer, { session, adaptive: INITIAL_ADAPTIVE_STATE });
    this.gauge(peer, session.sessionState);
    this.rearm();
  }

  /** Ends the session to `peer` (idempotent). */
  removePeer(peer: string): void {
    if (!this.peers.delete(peer)) return;
    this.opts.transport.removePeer(peer);
    this.rearm();
  }

  /** bfd.SessionState of the session to `peer`, if there is one. */
  state(peer: string): BfdState | undefined {
    return this.peers.get(peer)?.session.sessionState;
  }

  /** The multiplier this side waits for on `peer`'s packets (adaptive, at least the remote's). */
  detectMultiplier(peer: string): number | undefined {
    const p = this.peers.get(peer);
    return p && Math.max(p.session.remoteDetectMult, p.session.detectMultFloor);
  }

  /** Sends AdminDown to every peer (RFC 5880 §6.8.16: a graceful stop is not a failure), then closes. */
  async stop(): Promise<void> {
    if (this.stopped) return;
    for (const peer of this.peers.keys()) this.dispatch(peer, { type: 'AdminDown' });
    this.stopped = true;
    this.timer.disarm();
    this.peers.clear();
    // Let the AdminDown packets leave before the sockets close.
    await new Promise<void>((resolve) => this.opts.clock.schedule(this.opts.clock.now(), resolve));
    await this.opts.transport.close();
  }

  /** Dies without a word (a killed process, the simulator's crash model): no AdminDown, sockets closed. */
  async halt(): Promise<void> {
    if (this.stopped) return;
    this.stopped = true;
    this.timer.disarm();
    this.peers.clear();
    await this.opts.transport.close();
  }

  /** The peers with a session. */
  peerAddresses(): string[] {
    return [...this.peers.keys()];
  }

  private freshDiscriminator(): number {
    const used = new Set([...this.peers.values()].map((p) => p.session.config.localDiscr));
    for (;;) {
      const d = this.opts.random32() >>> 0;
      if (d !== 0 && !used.has(d)) return d;
    }
  }

  private dispatch(peer: string, e: BfdSessionEvent): void {
    const p = this.peers.get(peer);
    if (!p || this.stopped) return;
    const r = stepSession(p.session, e, this.opts.clock.now());
    p.session = r.state;
    this.perform(peer, p, r.actions, e.type === 'Received' && e.packet.state === 'AdminDown');
    this.rearm();
  }

  private perform(peer: string, p: Peer, actions: readonly BfdSessionAction[], graceful = false): void {
    const { metrics, logger } = this.opts;
    for (const a of actions) {
      switch (a.type) {
        case 'Send':
          this.opts.transport.send(peer, a.packet, a.authSequence);
          break;
        case 'Drop':
          metrics?.inc('vipd_bfd_dropped_total', { reason: a.reason });
          logger.debug({ peer, reason: a.reason }, `BFD packet dropped: ${a.detail}`);
          break;
        case 'Heard':
          if (this.opts.timers.adaptive !== false) this.adapt(peer, p, a.missed);
          break;
        case 'StateChanged': {
          metrics?.inc('vipd_bfd_transitions_total', { peer, to: a.to });
          this.gauge(peer, a.to);
          logger.info({ peer, from: a.from, to: a.to, diag: a.diag }, `BFD ${peer}: ${a.from} -> ${a.to} (${a.reason})`);
          if (a.to === 'Up') this.opts.onChange?.(peer, true, a.diag, a.reason, false);
          // Our own AdminDown (stop) is as graceful as the peer's: no failure to report.
          else if (a.from === 'Up') this.opts.onChange?.(peer, false, a.diag, a.reason, graceful || a.to === 'AdminDown');
          break;
        }
      }
    }
  }

  private adapt(peer: string, p: Peer, missed: number): void {
    const params = defaultAdaptiveParams(this.opts.timers.multiplier);
    const before = adaptiveMultiplier(p.adaptive, params);
    p.adaptive = observeArrival(p.adaptive, missed, params);
    const after = adaptiveMultiplier(p.adaptive, params);
    if (after === before) return;
    p.session = stepSession(p.session, { type: 'SetDetectMultFloor', floor: after }, this.opts.clock.now()).state;
    this.opts.metrics?.set('vipd_bfd_detect_multiplier', { peer }, after);
  }

  private gauge(peer: string, s: BfdState): void {
    this.opts.metrics?.set('vipd_bfd_session_state', { peer }, BFD_STATES.indexOf(s));
  }

  private onTimer(): void {
    for (const peer of [...this.peers.keys()]) {
      const p = this.peers.get(peer);
      const at = p && nextDeadline(p.session);
      if (p && at !== undefined && at <= this.opts.clock.now()) this.dispatch(peer, { type: 'Timer' });
    }
    this.rearm();
  }

  private rearm(): void {
    if (this.stopped) return;
    let earliest: number | undefined;
    for (const p of this.peers.values()) {
      const at = nextDeadline(p.session);
      if (at !== undefined && (earliest === undefined || at < earliest)) earliest = at;
    }
    this.timer.arm(earliest);
  }
}
