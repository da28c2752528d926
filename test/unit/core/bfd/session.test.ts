/**
 * The BFD session core (src/core/bfd/session.ts) against RFC 5880: the three-way handshake of
 * §6.2 (Down -> Init -> Up), slow transmission while not Up (§6.8.3), the Poll Sequence that
 * switches to the configured rate, the Detection Time of §6.8.4, AdminDown (§6.8.16), the
 * Meticulous sequence window (§6.7.4), and the jitter of §6.8.7. Two sessions talk through a
 * virtual link; time only moves to the next deadline or delivery.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  createSession, detectionTimeUs, nextDeadline, SLOW_TX_US, stepSession, transmitIntervalUs,
  type BfdSessionAction, type BfdSessionConfig, type BfdSessionEvent, type BfdSessionState,
} from '../../../../src/core/bfd/session.js';
import type { BfdControlPacket } from '../../../../src/core/bfd/packet.js';

const FAST = 20_000;
const cfg = (localDiscr: number, over: Partial<BfdSessionConfig> = {}): BfdSessionConfig =>
  ({ localDiscr, desiredMinTxUs: FAST, requiredMinRxUs: FAST, detectMult: 3, auth: false, ...over });

interface Side {
  s: BfdSessionState;
  log: BfdSessionAction[];
}

/** Two sessions joined by a link of `delayMs`; `lose(from, n)` drops the n-th packet a side sends. */
class Pair {
  readonly a: Side;
  readonly b: Side;
  now = 0;
  up = { a: true, b: true };
  private readonly inflight: Array<{ at: number; to: 'a' | 'b'; packet: BfdControlPacket }> = [];
  private sent = { a: 0, b: 0 };

  constructor(ca: BfdSessionConfig, cb: BfdSessionConfig, readonly delayMs = 1, readonly lose: (from: 'a' | 'b', n: number) => boolean = () => false) {
    this.a = { s: createSession(ca, 0, 1), log: [] };
    this.b = { s: createSession(cb, 0, 2), log: [] };
  }

  side(k: 'a' | 'b'): Side {
    return k === 'a' ? this.a : this.b;
  }

  apply(k: 'a' | 'b', e: BfdSessionEvent): void {
    const side = this.side(k);
    const r = stepSession(side.s, e, this.now);
    side.s = r.state;
    side.log.push(...r.actions);
    for (const act of r.actions) {
      if (act.type !== 'Send' || !this.up[k]) continue;
      const n = this.sent[k]++;
      if (this.lose(k, n)) continue;
      const packet: BfdControlPacket = { ...act.packet };
      if (act.authSequence !== undefined) packet.auth = { type: 5, keyId: 1, sequence: act.authSequence, digest: new Uint8Array(20) };
      this.inflight.push({ at: this.now + this.delayMs, to: k === 'a' ? 'b' : 'a', packet });
    }
  }

  /** Runs until `until` (virtual ms), at most 100,000 steps. */
  run(until: number): void {
    for (let i = 0; i < 100_000; i++) {
      const da = this.up.a ? nextDeadline(this.a.s) : undefined;
      const db = this.up.b ? nextDeadline(this.b.s) : undefined;
      const di = this.inflight.length ? Math.min(...this.inflight.map((p) => p.at)) : undefined;
      const next = Math.min(da ?? Infinity, db ?? Infinity, di ?? Infinity);
      if (next > until) {
        this.now = until;
        return;
      }
      this.now = Math.max(this.now, next);
      const due = this.inflight.filter((p) => p.at <= this.now);
      this.inflight.splice(0, this.inflight.length, ...this.inflight.filter((p) => p.at > this.now));
      for (const p of due) if (this.up[p.to]) this.apply(p.to, { type: 'Received', packet: p.packet });
      if (da !== undefined && da <= this.now) this.apply('a', { type: 'Timer' });
      if (db !== undefined && db <= this.now) this.apply('b', { type: 'Timer' });
    }
    assert.fail('the pair did not settle within 100,000 steps');
  }
}

const changes = (side: Side) => side.log.filter((a) => a.type === 'StateChanged').map((a) => a.type === 'StateChanged' && `${a.from}->${a.to}`);
const sends = (side: Side) => side.log.flatMap((a) => (a.type === 'Send' ? [a] : []));

describe('BFD session: coming up (RFC 5880 §6.2, §6.8.6)', () => {
  it('Down -> Init -> Up on both sides, then the Poll Sequence moves both to 20 ms', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    assert.equal(p.a.s.sessionState, 'Up');
    assert.equal(p.b.s.sessionState, 'Up');
    // Whoever hears the other's Down first goes Init; the other goes straight to Up from Down.
    assert.ok([['Down->Init', 'Init->Up'], ['Down->Up']].some((c) => JSON.stringify(c) === JSON.stringify(changes(p.a))), String(changes(p.a)));
    assert.equal(p.a.s.remoteDiscr, 0x22);
    assert.equal(p.b.s.remoteDiscr, 0x11);
    for (const side of [p.a, p.b]) {
      assert.equal(side.s.polling, false, 'the Poll Sequence ended with a Final');
      assert.equal(side.s.desiredMinTxUs, FAST);
      assert.equal(transmitIntervalUs(side.s), FAST);
      assert.equal(detectionTimeUs(side.s), 3 * FAST);
    }
    assert.ok(sends(p.a).some((s) => s.packet.poll) && sends(p.b).some((s) => s.packet.final), 'P from a answered with F by b');
    // At the fast rate: 20 ms less 0-25 % jitter, so 40-54 packets a second.
    const before = sends(p.a).length;
    p.run(4000);
    const n = sends(p.a).length - before;
    assert.ok(n >= 48 && n <= 68, `${n} packets in 1 s at 20 ms`);
  });

  it('sends at 1 s (less jitter) while not Up (§6.8.3), with Your Discriminator 0 until it hears the peer', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.up.b = false;
    p.run(10_000);
    const s = sends(p.a);
    assert.ok(s.length >= 10 && s.length <= 14, `${s.length} packets in 10 s`);
    for (const x of s) {
      assert.equal(x.packet.state, 'Down');
      assert.equal(x.packet.desiredMinTxUs, SLOW_TX_US);
      assert.equal(x.packet.requiredMinRxUs, FAST);
      assert.equal(x.packet.yourDiscriminator, 0);
      assert.equal(x.packet.myDiscriminator, 0x11);
    }
  });

  it('the slower side sets the pace: max(Desired Min TX, Remote Min RX) (§6.8.7), and detection uses the remote multiplier (§6.8.4)', () => {
    const p = new Pair(cfg(0x11), cfg(0x22, { requiredMinRxUs: 100_000, desiredMinTxUs: 50_000, detectMult: 5 }));
    p.run(5000);
    assert.equal(p.a.s.sessionState, 'Up');
    assert.equal(transmitIntervalUs(p.a.s), 100_000, 'a sends no faster than b can take');
    assert.equal(transmitIntervalUs(p.b.s), 50_000);
    assert.equal(detectionTimeUs(p.a.s), 5 * 50_000, "a waits b's multiplier × b's interval");
    assert.equal(detectionTimeUs(p.b.s), 3 * 100_000, "b waits a's multiplier × max(b's Required Min RX, a's TX)");
  });
});

describe('BFD session: going down', () => {
  it('the Detection Time passes without a packet: Up -> Down with diag 1, within 3 intervals', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    const lastFromB = p.now;
    p.up.b = false;
    p.run(5000);
    const down = p.a.log.find((a) => a.type === 'StateChanged' && a.to === 'Down');
    assert.ok(down && down.type === 'StateChanged');
    assert.equal(down.diag, 1);
    assert.equal(p.a.s.remoteDiscr, 0, '§6.8.1: RemoteDiscr forgotten after a Detection Time');
    // After Down, back to 1 s (§6.8.3).
    assert.equal(p.a.s.desiredMinTxUs, SLOW_TX_US);
    assert.ok(p.now - lastFromB > 60);
  });

  it('detects within the Detection Time: the first Timer after it is the transition', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    p.up.b = false;
    const cut = p.now;
    let downAt: number | undefined;
    for (let t = cut; t < cut + 200 && downAt === undefined; t += 1) {
      p.run(t);
      if (p.a.s.sessionState === 'Down') downAt = p.now;
    }
    assert.ok(downAt !== undefined, 'went Down');
    // The last packet from b arrived at most one interval before the cut; detection is 60 ms after it.
    assert.ok(downAt - cut <= 61, `${downAt - cut} ms after the cut`);
    assert.ok(downAt - cut >= 60 - 20, `${downAt - cut} ms after the cut`);
  });

  it('AdminDown tells the peer (diag 3 there), and AdminUp brings it back', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    p.apply('a', { type: 'AdminDown' });
    p.run(3100);
    assert.equal(p.a.s.sessionState, 'AdminDown');
    assert.equal(p.b.s.sessionState, 'Down');
    const down = p.b.log.filter((a) => a.type === 'StateChanged').at(-1);
    assert.ok(down?.type === 'StateChanged' && down.diag === 3);
    p.run(6000);
    assert.equal(p.b.s.sessionState, 'Down', 'stays Down while a is AdminDown');
    p.apply('a', { type: 'AdminUp' });
    p.run(10_000);
    assert.equal(p.a.s.sessionState, 'Up');
    assert.equal(p.b.s.sessionState, 'Up');
  });

  it('comes up again after the peer restarts with a new discriminator', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    p.up.b = false;
    p.run(4000);
    p.b.s = createSession(cfg(0x33), p.now, 9);
    p.up.b = true;
    p.run(8000);
    assert.equal(p.a.s.sessionState, 'Up');
    assert.equal(p.a.s.remoteDiscr, 0x33);
  });
});

describe('BFD session: Poll Sequence on a parameter change (§6.8.3)', () => {
  it('a slower TX interval is used only after the Final; the peer learns it from the Poll', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    p.apply('a', { type: 'SetTimers', desiredMinTxUs: 200_000, requiredMinRxUs: FAST, detectMult: 3 });
    assert.equal(p.a.s.polling, true);
    assert.equal(p.a.s.txInUseUs, FAST, 'not yet: the peer still expects 20 ms');
    p.run(3100);
    assert.equal(p.a.s.polling, false);
    assert.equal(p.a.s.txInUseUs, 200_000);
    assert.equal(detectionTimeUs(p.b.s), 3 * 200_000);
    p.run(6000);
    assert.equal(p.b.s.sessionState, 'Up', 'no false Down across the change');
  });

  it('a shorter RX interval keeps the old Detection Time until the Final', () => {
    const p = new Pair(cfg(0x11, { requiredMinRxUs: 100_000 }), cfg(0x22));
    p.run(5000);
    assert.equal(p.a.s.rxInUseUs, 100_000);
    p.apply('a', { type: 'SetTimers', desiredMinTxUs: FAST, requiredMinRxUs: FAST, detectMult: 3 });
    assert.equal(p.a.s.rxInUseUs, 100_000);
    p.run(5200);
    assert.equal(p.a.s.rxInUseUs, FAST);
    assert.equal(detectionTimeUs(p.a.s), 3 * FAST);
  });

  it('never sends P and F together', () => {
    const p = new Pair(cfg(0x11), cfg(0x22));
    p.run(3000);
    p.apply('a', { type: 'SetTimers', desiredMinTxUs: 30_000, requiredMinRxUs: 30_000, detectMult: 3 });
    p.apply('b', { type: 'SetTimers', desiredMinTxUs: 40_000, requiredMinRxUs: 40_000, detectMult: 3 });
    p.run(4000);
    for (const x of [...sends(p.a), ...sends(p.b)]) assert.ok(!(x.packet.poll && x.packet.final));
    assert.equal(transmitIntervalUs(p.a.s), 40_000);
  });
});

describe('BFD session: refusals', () => {
  const base = (s: BfdSessionState): BfdControlPacket => ({
    diag: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
    myDiscriminator: 0x99, yourDiscriminator: 0, desiredMinTxUs: SLOW_TX_US, requiredMinRxUs: FAST, requiredMinEchoRxUs: 0,
    ...(s.config.auth ? { auth: { type: 5, keyId: 1, sequence: 100, digest: new Uint8Array(20) } } : {}),
  });
  const dropOf = (s: BfdSessionState, packet: BfdControlPacket) => {
    const r = stepSession(s, { type: 'Received', packet }, 10);
    const d = r.actions.find((a) => a.type === 'Drop');
    return { state: r.state, reason: d?.type === 'Drop' ? d.reason : undefined };
  };

  it('Your Discriminator that is not ours', () => {
    const s = createSession(cfg(0x11), 0, 1);
    assert.equal(dropOf(s, { ...base(s), yourDiscriminator: 0x12 }).reason, 'discriminator-mismatch');
  });

  it('A bit against the session: set without auth, clear with it', () => {
    const plain = createSession(cfg(0x11), 0, 1);
    const signed = createSession(cfg(0x11, { auth: true }), 0, 1);
    assert.equal(dropOf(plain, { ...base(plain), auth: { type: 5, keyId: 1, sequence: 1, digest: new Uint8Array(20) } }).reason, 'auth-unexpected');
    const { auth: _auth, ...unsigned } = base(signed);
    assert.equal(dropOf(signed, unsigned).reason, 'auth-missing');
  });

  it('Meticulous sequence window: a repeat and one too far ahead are dropped, the window wraps at 2^32', () => {
    let s = createSession(cfg(0x11, { auth: true }), 0, 1);
    const withSeq = (sequence: number): BfdControlPacket => ({ ...base(s), auth: { type: 5, keyId: 1, sequence, digest: new Uint8Array(20) } });
    const first = dropOf(s, withSeq(0xfffffffe));
    assert.equal(first.reason, undefined, 'first packet: any sequence (bfd.AuthSeqKnown was 0)');
    s = first.state;
    assert.equal(dropOf(s, withSeq(0xfffffffe)).reason, 'auth-sequence', 'a replay');
    assert.equal(dropOf(s, withSeq(0xfffffffd)).reason, 'auth-sequence', 'an older one');
    assert.equal(dropOf(s, withSeq(0xfffffffe + 10)).reason, 'auth-sequence', '10 ahead with Detect Mult 3 (window 9)');
    assert.equal(dropOf(s, withSeq(7)).reason, undefined, 'wrapped: 0xfffffffe + 9 = 7');
    assert.equal(dropOf(s, withSeq(0xffffffff)).reason, undefined);
  });

  it('signs every packet with the next sequence number (Meticulous: +1 each packet)', () => {
    const p = new Pair(cfg(0x11, { auth: true }), cfg(0x22, { auth: true }));
    p.run(3000);
    assert.equal(p.a.s.sessionState, 'Up');
    const seqs = sends(p.a).map((x) => x.authSequence as number);
    for (let i = 1; i < seqs.length; i++) assert.equal(seqs[i], ((seqs[i - 1] as number) + 1) >>> 0);
  });

  it('bfd.AuthSeqKnown is forgotten after twice the Detection Time, so a restarted peer is heard again', () => {
    const p = new Pair(cfg(0x11, { auth: true }), cfg(0x22, { auth: true }));
    p.run(3000);
    p.up.b = false;
    p.run(3000 + 1000);
    assert.equal(p.a.s.authSeqKnown, false);
    p.b.s = createSession(cfg(0x22, { auth: true }), p.now, 77);
    p.up.b = true;
    p.run(8000);
    assert.equal(p.a.s.sessionState, 'Up');
  });

  it('rejects configurations no one may run', () => {
    assert.throws(() => createSession(cfg(0), 0, 1), /local discriminator/);
    assert.throws(() => createSession(cfg(1, { detectMult: 0 }), 0, 1), /detect multiplier/);
  });
});

describe('BFD session: jitter and loss', () => {
  it('periodic intervals are 75-100 % of the interval, 75-90 % with Detect Mult 1 (§6.8.7)', () => {
    for (const [mult, hi] of [[3, 1], [1, 0.9]] as const) {
      const p = new Pair(cfg(0x11, { detectMult: mult }), cfg(0x22));
      p.run(3000);
      // Timers only, with detection switched off: the gaps between periodic packets.
      const s: BfdSessionState = { ...p.a.s, detectAt: undefined };
      let state = s;
      let now = p.now;
      const times: number[] = [];
      for (let i = 0; i < 500; i++) {
        const at = state.nextTxAt as number;
        times.push(at - now);
        now = at;
        state = stepSession(state, { type: 'Timer' }, now).state;
      }
      const iv = transmitIntervalUs(s) / 1000;
      for (const d of times.slice(1)) assert.ok(d >= 0.75 * iv - 1e-9 && d <= hi * iv + 1e-9, `${d} ms of ${iv}`);
    }
  });

  it('reports each gap as missed packets, and a floor on the multiplier lengthens detection', () => {
    const p = new Pair(cfg(0x11), cfg(0x22), 1, (from, n) => from === 'b' && n > 120 && n % 4 === 0);
    p.run(5000);
    const heard = p.a.log.flatMap((a) => (a.type === 'Heard' ? [a.missed] : []));
    assert.ok(heard.some((m) => m === 1), 'one lost packet seen as a gap of one');
    assert.ok(heard.filter((m) => m === 0).length > heard.filter((m) => m > 0).length);
    p.apply('a', { type: 'SetDetectMultFloor', floor: 8 });
    assert.equal(detectionTimeUs(p.a.s), 8 * FAST);
    p.apply('a', { type: 'SetDetectMultFloor', floor: 1 });
    assert.equal(detectionTimeUs(p.a.s), 3 * FAST, 'never below the remote multiplier');
  });
});
