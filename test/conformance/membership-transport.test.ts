/** The gRPC and the in-memory MembershipTransport pass the same conformance suite. */
import { before } from 'node:test';
import type { TestPki } from '../../src/security/certs.js';
import { MemoryMembershipHub } from '../fakes/memory-membership.js';
import { VirtualClock } from '../sim/virtual-clock.js';
import { newTransport, pki, until } from '../unit/adapters/grpc-harness.js';
import type { MembershipTransport } from '../../src/ports/membership-transport.js';
import { membershipTransportConformance } from './membership-transport.js';

membershipTransportConformance('memory', () => {
  const clock = new VirtualClock();
  const hub = new MemoryMembershipHub(clock);
  return {
    transport: (id) => hub.connect(id),
    settle: async (cond, what) => {
      for (let i = 0; i < 1000 && !cond(); i++) clock.runUntil(clock.now() + 1);
      if (!cond()) throw new Error(`not within 1000 virtual ms: ${what}`);
    },
  };
});

let certs: TestPki;
before(async () => {
  certs = await pki(['a', 'b', 'c']);
});

membershipTransportConformance('grpc', () => {
  const made: MembershipTransport[] = [];
  return {
    transport: (id) => {
      const t = newTransport(certs, id).transport;
      made.push(t);
      return t;
    },
    // Polls every 10 ms for at most 5 s; cond may send, so it is asked at most ~500 times.
    settle: (cond, what) => until(cond, 5000, what),
    dispose: async () => {
      await Promise.all(made.map((t) => t.close()));
    },
  };
});
