/**
 * The suite every MembershipTransport passes (js-libp2p keeps one compliance suite per
 * interface), so the in-memory transport of the simulator behaves like the gRPC one on what
 * membership relies on. Call it from a test file:
 *
 *   membershipTransportConformance('memory', () => ({ transport: (id) => ..., settle, dispose }));
 *
 * `settle(cond, what)` lets the transport work until `cond()` holds: it advances a virtual clock,
 * or polls real time, and fails with `what` after a bound.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Message } from '../../src/core/membership/messages.js';
import type { MembershipReceiver, MembershipTransport } from '../../src/ports/membership-transport.js';

export interface MembershipSubject {
  /** A new transport for node `id` (ids used: a, b, c), not listening yet. */
  readonly transport: (id: string) => MembershipTransport;
  readonly settle: (cond: () => boolean, what: string) => Promise<void>;
  /** Runs after each case, also when it failed. */
  readonly dispose?: () => Promise<void>;
}

interface Recorder extends MembershipReceiver {
  readonly messages: Array<{ m: Message; from: string }>;
  readonly downs: string[];
  readonly unreachables: string[];
}

function recorder(): Recorder {
  const r: Recorder = {
    messages: [], downs: [], unreachables: [],
    message: (m, from) => void r.messages.push({ m, from }),
    peerDown: (id) => void r.downs.push(id),
    unreachable: (address) => void r.unreachables.push(address),
    groupTargets: () => [],
  };
  return r;
}

/** Transports a and b, both listening, with their recorders. */
async function listening(s: MembershipSubject) {
  const [a, b, ra, rb] = [s.transport('a'), s.transport('b'), recorder(), recorder()] as const;
  await a.listen(ra);
  await b.listen(rb);
  return { a, b, ra, rb };
}

/** One message from a to b, then wait until a's stream to b is up. */
async function openStream(s: MembershipSubject, a: MembershipTransport, b: MembershipTransport): Promise<void> {
  a.sendMembership(b.address, ping('a', a.address, 1));
  await s.settle(() => a.isUp(b.address), 'stream a -> b up');
}

const ping = (from: string, fromAddress: string, seq: number): Message => ({ type: 'Ping', from, fromAddress, seq, target: 'b', gossip: [] });

export function membershipTransportConformance(name: string, make: () => Promise<MembershipSubject> | MembershipSubject): void {
  const withSubject = (fn: (s: MembershipSubject) => Promise<void>) => async () => {
    const s = await make();
    try {
      await fn(s);
    } finally {
      await s.dispose?.();
    }
  };

  describe(`MembershipTransport conformance: ${name}`, () => {
    it('close before listen and a second close are harmless; address is known once listening', withSubject(async (s) => {
      const a = s.transport('a');
      await a.close();
      const b = s.transport('b');
      await b.listen(recorder());
      assert.notEqual(b.address, '');
      await b.close();
      await b.close();
    }));

    it('delivers a message with its sender, and reports the stream up', withSubject(async (s) => {
      const { a, b, ra, rb } = await listening(s);
      const sent = ping('a', a.address, 7);
      assert.equal(a.sendMembership(b.address, sent), true, 'queued');
      await s.settle(() => rb.messages.length > 0 && a.isUp(b.address), 'message at b and stream up');
      assert.deepEqual(rb.messages, [{ m: sent, from: 'a' }]);
      assert.deepEqual(ra.messages, []);
      await a.close();
      await b.close();
    }));

    it('a stream whose far end closes is reported down, and is no longer up', withSubject(async (s) => {
      const { a, b, ra } = await listening(s);
      await openStream(s, a, b);
      await b.close();
      await s.settle(() => ra.downs.includes('b'), 'peerDown b');
      assert.equal(a.isUp(b.address), false);
      await a.close();
    }));

    it('an address nobody listens at is reported unreachable', withSubject(async (s) => {
      const { a, b, ra } = await listening(s);
      const gone = b.address;
      await b.close();
      a.sendMembership(gone, ping('a', a.address, 1));
      await s.settle(() => ra.unreachables.includes(gone), `unreachable ${gone}`);
      assert.equal(a.isUp(gone), false);
      await a.close();
    }));

    it('forget closes the stream and is idempotent', withSubject(async (s) => {
      const { a, b } = await listening(s);
      await openStream(s, a, b);
      a.forget(b.address);
      a.forget(b.address);
      assert.equal(a.isUp(b.address), false);
      await a.close();
      await b.close();
    }));
  });
}
