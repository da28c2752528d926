/**
 * Unicast PeerTransport over gRPC (issue 3 §3): serves Peer.Exchange, dials one long-lived
 * stream per peer address, signs every advert it sends and checks every advert it receives
 * (signature, cluster, sender identity, sequence and freshness) before the election sees it.
 * Membership messages share the streams, so one object is both the node's PeerTransport and
 * its MembershipTransport. Both ends check the other's Hello against its certificate, and the
 * dialler against the node it meant to reach (hello-check.ts); what one peer may cost is bounded
 * by limits.ts. Every drop is counted with its reason and logged once per window.
 */
import type * as grpc from '@grpc/grpc-js';
import type { Message } from '../../core/membership/messages.js';
import type { Clock } from '../../ports/clock.js';
import { LogLimiter } from '../../ports/log-limiter.js';
import type { Logger } from '../../ports/logger.js';
import type { Announcement, GroupStanding, MembershipReceiver, MembershipTransport } from '../../ports/membership-transport.js';
import type { Metrics } from '../../ports/metrics.js';
import type { LeaseMessage, LeaseReceiver, LeaseTransport } from '../../ports/lease-transport.js';
import type { LivenessMessage } from '../../ports/liveness-reports.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../../ports/peer-transport.js';
import { decodeAdvertBody, encodeAdvertBody } from '../../wire/advert-body.js';
import { decodeAdvertBundleBody, encodeAdvertBundleBody, MAX_BUNDLE_ADVERTS, type AdvertBundle } from '../../wire/advert-bundle.js';
import { PROTOCOL_REVISION, REVISION_ADVERT_BUNDLE, type Frame, type Hello, type MembershipFrame, type SignedAdvert } from '../../wire/peer-frame.js';
import { nextSequence, type ReplayDrop } from '../../security/replay.js';
import { assertNever } from '../../core/assert.js';
import { systemClock } from '../system-clock.js';
import type { PeerFrameDropReason, TransportAdvertDropReason } from './drop-reasons.js';
import { checkHello } from './hello-check.js';
import { DEFAULT_LIMITS, type TransportLimits } from './limits.js';
import { membershipFromWire, membershipToWire } from './membership-codec.js';
import { PeerLink, type CrashVerdictOptions } from './peer-link.js';
import { PeerServer, type AuthContext, type Authenticated } from './peer-server.js';

export type SignatureVerdict = 'valid' | 'unsigned' | 'unknown-key' | 'bad-mac';

/** Signs and verifies advert bodies (HMAC keyring with staged modes). */
export interface AdvertSigner {
  sign(body: Uint8Array): { keyId: string; mac: Uint8Array } | undefined;
  verify(body: Uint8Array, keyId: string | undefined, mac: Uint8Array | undefined): { accept: boolean; verdict: SignatureVerdict };
}

/** Per-sender sequence and freshness check (src/security/replay.ts). */
export interface ReplayCheck {
  check(sender: string, sequence: number, sentAtMs: number): { ok: true } | { ok: false; reason: ReplayDrop; detail?: string };
}

export interface TransportCredentials {
  readonly server: grpc.ServerCredentials;
  /** Credentials for dialing (which node answered is checked at its Hello, hello-check.ts). */
  readonly client: () => grpc.ChannelCredentials;
  /** The TLS identity of a connection, either side (undefined nodeId in insecure mode). */
  readonly authenticate: (auth: AuthContext | null) => Authenticated;
}

export interface GrpcTransportOptions {
  readonly clusterId: string;
  readonly nodeId: string;
  /** host:port to listen on (port 0 picks one). */
  readonly listen: string;
  /** host:port peers dial to reach us; defaults to the listen host with the bound port. */
  readonly advertise?: string;
  readonly credentials: TransportCredentials;
  readonly signer: AdvertSigner;
  readonly replay: ReplayCheck;
  /** First advert sequence number; must exceed anything this node sent before a restart. */
  readonly initialSequence: number;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly wallClock?: () => number;
  /**
   * What our Hello announces (issue 8 finding 5): the tie-break addresses our adverts carry and the
   * groups we run; receivers hear our adverts only when they match.
   */
  readonly announce?: {
    readonly primaryAddresses: readonly string[];
    readonly groups: readonly string[];
    /** Priority and tie-break address per group (crash-verdict ranking). */
    readonly standing?: readonly GroupStanding[];
  };
  /** Redial a broken stream and report a refused address as `gone` (docs/leases.md "Crash verdict"). */
  readonly crashVerdict?: CrashVerdictOptions;
  /** Monotonic clock for the Hello deadlines and frame budgets (default: the system clock). */
  readonly clock?: Clock;
  /** Overrides of DEFAULT_LIMITS (tests use short deadlines and small budgets). */
  readonly limits?: Partial<TransportLimits>;
}

/**
 * Where adverts go (`groupTargets`) and where membership messages and link events arrive is the
 * receiver's to say (MembershipTransport.listen); until it is set, adverts go nowhere.
 */
export class GrpcTransport implements PeerTransport, MembershipTransport, LeaseTransport {
  private server: PeerServer | undefined;
  private binding: Promise<void> | undefined;
  private handler: AdvertHandler | undefined;
  private leaseReceiver: LeaseReceiver | undefined;
  private livenessReceiver: ((m: LivenessMessage, from: string) => void) | undefined;
  private receiver: MembershipReceiver | undefined;
  private readonly links = new Map<string, PeerLink>();
  private readonly limiter: LogLimiter;
  private readonly clock: Clock;
  private readonly limits: TransportLimits;
  private sequence: number;
  private hello: Hello | undefined;
  /** Serialized AdvertBody entries waiting for the next bundle to each peer address (send()). */
  private readonly bundles = new Map<string, Uint8Array[]>();
  private bundleFlush: NodeJS.Immediate | undefined;
  /** Advertised address, known after start. */
  address = '';

  constructor(private readonly opts: GrpcTransportOptions) {
    this.clock = opts.clock ?? systemClock;
    this.limits = { ...DEFAULT_LIMITS, ...opts.limits };
    this.limiter = new LogLimiter(this.clock, opts.logger);
    this.sequence = opts.initialSequence;
  }

  async start(handler: AdvertHandler): Promise<void> {
    this.handler = handler;
    await this.bind();
  }

  async listen(receiver: MembershipReceiver): Promise<void> {
    this.receiver = receiver;
    await this.bind();
  }

  /** Serves Exchange once, whichever of start and listen comes first. */
  private bind(): Promise<void> {
    this.binding ??= this.serve().catch((err: unknown) => {
      this.binding = undefined;
      throw err;
    });
    return this.binding;
  }

  private async serve(): Promise<void> {
    const host = this.opts.listen.slice(0, this.opts.listen.lastIndexOf(':'));
    const announce = this.opts.announce;
    const provisional: Hello = {
      clusterId: this.opts.clusterId, nodeId: this.opts.nodeId, address: this.opts.advertise ?? '', revision: PROTOCOL_REVISION,
      ...(announce ? { primaryAddresses: [...announce.primaryAddresses], groups: [...announce.groups] } : {}),
      ...(announce?.standing?.length ? { standing: announce.standing.map((g) => ({ ...g })) } : {}),
    };
    const server = new PeerServer({
      clusterId: this.opts.clusterId,
      hello: provisional,
      credentials: this.opts.credentials.server,
      authenticate: this.opts.credentials.authenticate,
      onFrame: (from, f) => this.receive(from, f),
      onHello: (h) => {
        this.heardStanding(h);
        this.links.get(h.address)?.retryNow();
      },
      logger: this.opts.logger,
      limiter: this.limiter,
      metrics: this.opts.metrics,
      clock: this.clock,
      limits: this.limits,
    });
    const port = await server.listen(this.opts.listen);
    this.server = server;
    this.address = this.opts.advertise ?? `${host}:${port}`;
    provisional.address = this.address;
    this.hello = provisional;
  }

  /**
   * Encodes the advert once (one sequence number for every target). A peer whose Hello revision
   * understands bundles gets it in the next AdvertBundle to it, signed once with the rest: a
   * periodic advert waits for the end of this event-loop turn (the periodic adverts of every
   * group fire in the same turn: the core keeps them on one grid, step.ts), an urgent one is
   * written at once with whatever waits for that peer. An older peer gets a lone SignedAdvert.
   */
  send(msg: GroupAdvert): void {
    const a = msg.advert;
    const body = encodeAdvertBody({
      clusterId: this.opts.clusterId,
      group: msg.group,
      vrid: a.vrid,
      nodeId: a.sender.nodeId,
      address: a.sender.address ?? '',
      priority: a.priority,
      advertIntervalCs: a.advertIntervalCs,
      term: a.term,
      // Tracks the wall clock (src/security/replay.ts): a restart whose clock went back is heard
      // again once its clock passes where it was, not only after peers forget it.
      sequence: (this.sequence = nextSequence(this.sequence, this.wallNow())),
      sentAtMs: Math.round(this.wallNow()),
      ...(a.leaseEcho === undefined ? {} : { leaseEcho: a.leaseEcho }),
      ...(a.leasePromiseMs === undefined ? {} : { leasePromiseMs: a.leasePromiseMs }),
    });
    let lone: SignedAdvert | undefined;
    for (const address of this.receiver?.groupTargets(msg.group) ?? []) {
      const link = this.link(address);
      if (!link) continue;
      if ((link.peerRevision ?? 0) < REVISION_ADVERT_BUNDLE) {
        this.flushBundle(address);
        lone ??= this.signed(body);
        link.send({ advert: lone });
        continue;
      }
      let queue = this.bundles.get(address);
      if (!queue) this.bundles.set(address, (queue = []));
      queue.push(body);
      if (msg.periodic !== true) this.flushBundle(address);
      else this.bundleFlush ??= setImmediate(() => this.flushBundles());
    }
  }

  private signed(body: Uint8Array): SignedAdvert {
    const sig = this.opts.signer.sign(body);
    return { body, keyId: sig?.keyId ?? '', mac: sig?.mac ?? new Uint8Array() };
  }

  private flushBundles(): void {
    this.bundleFlush = undefined;
    for (const address of [...this.bundles.keys()]) this.flushBundle(address);
  }

  /**
   * Writes what waits for `address`: one AdvertBundle (at most MAX_BUNDLE_ADVERTS entries each),
   * or lone adverts if the peer came back with an older revision. In sequence order either way.
   */
  private flushBundle(address: string): void {
    const queue = this.bundles.get(address);
    if (!queue) return;
    this.bundles.delete(address);
    const link = this.links.get(address);
    if (!link) return;
    if ((link.peerRevision ?? 0) < REVISION_ADVERT_BUNDLE) {
      for (const body of queue) link.send({ advert: this.signed(body) });
      return;
    }
    for (let i = 0; i < queue.length; i += MAX_BUNDLE_ADVERTS) {
      const body = encodeAdvertBundleBody(queue.slice(i, i + MAX_BUNDLE_ADVERTS));
      if (link.send({ advertBundle: this.signed(body) })) this.opts.metrics.inc('vipd_advert_bundles_sent_total', {});
    }
  }

  /** Sends a membership message to a peer address; it waits briefly while the link comes up. */
  sendMembership(address: string, m: Message): boolean {
    return this.link(address)?.send({ membership: membershipToWire(m) }, true) ?? false;
  }

  onLease(receiver: LeaseReceiver): void {
    this.leaseReceiver = receiver;
  }

  /** Lease frames go on our own stream to `address` (no queueing: a late ack is a stale ack). */
  sendLease(address: string, m: LeaseMessage): boolean {
    return this.link(address)?.send(leaseFrame(m)) ?? false;
  }

  /** Where BFD liveness reports and queries go, with the stream's identity (docs/bfd.md). */
  onLiveness(receiver: (m: LivenessMessage, from: string) => void): void {
    this.livenessReceiver = receiver;
  }

  /** A liveness report or query on our stream to `address`; false without a link (a missing report is no Down). */
  sendLiveness(address: string, m: LivenessMessage): boolean {
    const frame = m.kind === 'report' ? { livenessReport: { subject: m.subject, down: m.down } } : { livenessQuery: { subject: m.subject } };
    return this.link(address)?.send(frame) ?? false;
  }

  /** Whether our stream to `address` is established. */
  isUp(address: string): boolean {
    return this.links.get(address)?.isUp ?? false;
  }

  /**
   * A reload changed our groups (MembershipTransport.reannounce): the Hello that new streams
   * carry, ours and our server's, says so, and our streams are reopened so that every peer reads
   * it now: a witness hears a new group's adverts only once it is announced, and backups rank
   * each other by the priorities Hellos announce (crash-verdict.ts). Reopening is a reconnect, not
   * a crash: the redial is answered, so no verdict follows, and membership probes succeed.
   */
  reannounce(a: Announcement): void {
    const h = this.hello;
    if (!h) return;
    h.primaryAddresses = [...a.primaryAddresses];
    h.groups = [...a.groups];
    if (a.standing.length > 0) h.standing = a.standing.map((g) => ({ ...g }));
    else delete h.standing;
    for (const address of [...this.links.keys()]) {
      this.links.get(address)?.close();
      this.links.delete(address);
    }
  }

  /** Drops the link to an address that left the cluster. */
  forget(address: string): void {
    this.bundles.delete(address);
    this.links.get(address)?.close();
    this.links.delete(address);
  }

  async stop(): Promise<void> {
    this.handler = undefined;
    if (this.bundleFlush) clearImmediate(this.bundleFlush);
    this.bundleFlush = undefined;
    this.bundles.clear();
    for (const l of this.links.values()) l.close();
    this.links.clear();
    await this.server?.close();
    this.server = undefined;
    this.binding = undefined;
  }

  close(): Promise<void> {
    return this.stop();
  }

  private wallNow(): number {
    return (this.opts.wallClock ?? Date.now)();
  }

  private link(address: string): PeerLink | undefined {
    if (!this.hello || address === this.address) return undefined;
    let l = this.links.get(address);
    if (!l) {
      l = new PeerLink({
        address,
        hello: this.hello,
        credentials: this.opts.credentials.client(),
        logger: this.opts.logger,
        metrics: this.opts.metrics,
        limiter: this.limiter,
        clock: this.clock,
        helloDeadlineMs: this.limits.helloDeadlineMs,
        checkPeer: (peer, auth) => checkHello(peer, this.opts.clusterId, this.opts.credentials.authenticate(auth), this.receiver?.nodeAt?.(address)),
        onUp: (p) => {
          this.heardStanding(p);
          this.receiver?.peerUp?.(p.nodeId);
        },
        ...(this.opts.crashVerdict ? { crashVerdict: this.opts.crashVerdict } : {}),
        onGone: (a, nodeId) => this.receiver?.gone?.(a, nodeId, 'refused'),
        onDown: (p, reason) => this.receiver?.peerDown(p.nodeId, reason),
        onUnreachable: (a, reason) => this.receiver?.unreachable(a, reason),
      });
      this.links.set(address, l);
      l.open();
    }
    return l;
  }

  /**
   * A peer's Hello says where it stands in its groups: passed on for the crash verdict's ranking
   * (a hint, never safety), the well-formed entries only and at most one per group it announces.
   */
  private heardStanding(h: Hello): void {
    if (!h.standing?.length || !this.receiver?.standing) return;
    const groups = new Set(h.groups ?? []);
    const seen = new Set<string>();
    const out: GroupStanding[] = [];
    for (const g of h.standing) {
      if (typeof g.group !== 'string' || !groups.has(g.group) || seen.has(g.group)) continue;
      if (!Number.isInteger(g.priority) || g.priority < 1 || g.priority > 255 || typeof g.address !== 'string') continue;
      seen.add(g.group);
      out.push({ group: g.group, priority: g.priority, address: g.address });
    }
    this.receiver.standing(h.nodeId, out);
  }

  private drop(reason: TransportAdvertDropReason, detail: string): void {
    this.opts.metrics.inc('vipd_adverts_dropped_total', { group: '', reason });
    this.limiter.log('warn', `dropped advert: ${detail}`, { reason });
  }

  private receiveMembership(from: Hello, frame: MembershipFrame): void {
    const m = membershipFromWire(frame);
    if (!m) {
      this.opts.metrics.inc('vipd_peer_frames_dropped_total', { reason: 'membership-malformed' satisfies PeerFrameDropReason });
      this.limiter.log('warn', `dropped malformed membership frame from ${from.nodeId}`, { reason: 'membership-malformed' });
      return;
    }
    this.receiver?.message(m, from.nodeId);
  }

  private receive(from: Hello, f: Frame): void {
    if (f.membership) {
      if (f.membership.from !== from.nodeId) {
        this.opts.metrics.inc('vipd_peer_frames_dropped_total', { reason: 'identity-mismatch' satisfies PeerFrameDropReason });
        this.limiter.log('warn', `membership message claims ${f.membership.from} on ${from.nodeId}'s stream`, { reason: 'membership-identity' });
        return;
      }
      this.receiveMembership(from, f.membership);
      return;
    }
    if (f.leaseAck) return this.leaseReceiver?.({ kind: 'ack', ...f.leaseAck }, from.nodeId);
    if (f.leaseRelinquish) return this.leaseReceiver?.({ kind: 'relinquish', ...f.leaseRelinquish }, from.nodeId);
    if (f.leaseRefusal) return this.leaseReceiver?.({ kind: 'refusal', ...f.leaseRefusal }, from.nodeId);
    if (f.livenessReport) return this.livenessReceiver?.({ kind: 'report', ...f.livenessReport }, from.nodeId);
    if (f.livenessQuery) return this.livenessReceiver?.({ kind: 'query', ...f.livenessQuery }, from.nodeId);
    if (f.advertBundle) return this.receiveBundle(from, f.advertBundle);
    if (f.handoff) return this.leaseReceiver?.({ kind: 'handoff', ...f.handoff }, from.nodeId);
    if (f.handoffDone) return this.leaseReceiver?.({ kind: 'handoff-done', ...f.handoffDone }, from.nodeId);
    if (!f.advert) return;
    const { body, keyId, mac } = f.advert;
    if (this.verified(from, body, keyId, mac, 'advert')) this.accept(from, body);
  }

  /**
   * One signature for the whole bundle: a bad one drops it all (counted once). Then each entry
   * is checked exactly as a lone advert (accept), so one bad entry is dropped and counted alone.
   */
  private receiveBundle(from: Hello, bundle: AdvertBundle): void {
    if (!this.verified(from, bundle.body, bundle.keyId, bundle.mac, 'advert bundle')) return;
    const entries = decodeAdvertBundleBody(bundle.body);
    if (!entries.ok) return this.drop('malformed', `bundle from ${from.nodeId}: ${entries.reason}`);
    for (const body of entries.value) this.accept(from, body);
  }

  /** The signature verdict, counted; a refused one is dropped with its reason. */
  private verified(from: Hello, body: Uint8Array, keyId: string, mac: Uint8Array, what: string): boolean {
    const v = this.opts.signer.verify(body, keyId || undefined, mac.length > 0 ? mac : undefined);
    this.opts.metrics.inc('vipd_advert_signatures_total', { verdict: v.verdict });
    // A valid MAC is never refused (Keyring.verify); the check narrows the verdict for the reason.
    if (!v.accept && v.verdict !== 'valid') {
      this.drop(`signature-${v.verdict}`, `${what} from ${from.nodeId}: signature ${v.verdict}${keyId ? ` (key ${keyId})` : ''}`);
      return false;
    }
    return true;
  }

  /** A serialized AdvertBody whose signature passed: syntax, cluster, sender, replay, then the election. */
  private accept(from: Hello, body: Uint8Array): void {
    const d = decodeAdvertBody(body);
    if (!d.ok) return this.drop('malformed', `from ${from.nodeId}: ${d.reason}`);
    const b = d.value;
    if (b.clusterId !== this.opts.clusterId) return this.drop('wrong-cluster', `from ${from.nodeId} for cluster "${b.clusterId}"`);
    if (b.nodeId !== from.nodeId) return this.drop('identity-mismatch', `claims node ${b.nodeId} on ${from.nodeId}'s stream`);
    const r = this.opts.replay.check(b.nodeId, b.sequence, b.sentAtMs);
    if (!r.ok) return this.drop(`replay-${r.reason}`, `from ${from.nodeId}: ${r.reason}${r.detail ? `: ${r.detail}` : ''}`);
    this.handler?.({
      group: b.group,
      advert: {
        vrid: b.vrid,
        sender: b.address ? { nodeId: b.nodeId, address: b.address } : { nodeId: b.nodeId },
        priority: b.priority,
        advertIntervalCs: b.advertIntervalCs,
        term: b.term,
        ...(b.leaseEcho === undefined ? {} : { leaseEcho: b.leaseEcho }),
        ...(b.leasePromiseMs === undefined ? {} : { leasePromiseMs: b.leasePromiseMs }),
      },
      // The stream's identity, with what its Hello announced (refuseAdvert, core/election/authorise.ts).
      origin: { nodeId: from.nodeId, address: from.address, primaryAddresses: from.primaryAddresses ?? [], groups: from.groups ?? [] },
    });
  }
}

/** The Frame that carries a lease or handoff message (src/wire/lease-frame.ts, handoff-frame.ts). */
function leaseFrame(m: LeaseMessage): Frame {
  switch (m.kind) {
    case 'ack':
      return { leaseAck: { group: m.group, term: m.term, echo: m.echo } };
    case 'refusal':
      return { leaseRefusal: { group: m.group, term: m.term, grantedTerm: m.grantedTerm } };
    case 'relinquish':
      return { leaseRelinquish: { group: m.group, term: m.term } };
    case 'handoff':
      return { handoff: { group: m.group, term: m.term, successor: m.successor } };
    case 'handoff-done':
      return { handoffDone: { group: m.group, term: m.term } };
    default:
      return assertNever(m, 'lease message');
  }
}
