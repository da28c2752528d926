/**
 * Issue 8 finding 7 in the runtime glue: a 20,000-member Join logs a bounded number of lines
 * and a member's repeated changes one line per window (like the advert drop logs); links to
 * members that left or were reaped are closed; the allow-list reaches the core. Virtual time.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub } from '../../fakes/memory-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { MAX_MEMBERS } from '../../../src/core/membership/limits.js';
import type { Message } from '../../../src/core/membership/messages.js';
import { membershipParams } from '../../../src/core/membership/params.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { ClusterNode } from '../../../src/runtime/cluster-node.js';
import { MAX_LOG_LINES_PER_STEP, MembershipRunner } from '../../../src/runtime/membership-runner.js';
import { NoopProvider } from '../../../providers/noop/index.js';
import { MemoryMembershipHub } from '../../fakes/memory-membership.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const LAN = { probeIntervalMs: 200, probeTimeoutMs: 100, indirectProbes: 2, suspicionMultiplier: 4 };

/** A started runner; `quiet`: no probes of its own within the test (they would change states too). */
function runner(quiet = false) {
  const clock = new VirtualClock();
  const logger = recordingLogger();
  const metrics = new MetricsRegistry();
  const sent: Message[] = [];
  const r = new MembershipRunner({
    params: membershipParams({ self: { id: 'self', address: 'self.test:1' }, ...LAN, ...(quiet ? { probeIntervalMs: 3_600_000, probeTimeoutMs: 1_800_000 } : {}) }),
    seed: 1, clock, logger, metrics, send: (_to, m) => sent.push(m),
  });
  r.start();
  return { clock, logger, metrics, r, sent };
}

describe('membership runtime: logs a peer cannot flood', () => {
  it('one Join with 20,000 made-up members: a bounded number of log lines, every change counted', () => {
    const { logger, metrics, r } = runner();
    const before = logger.lines.length;
    const members = Array.from({ length: 20_000 }, (_, i) => ({ id: `fake${i}`, address: `fake${i}.test:1`, incarnation: 0, state: 'alive' as const }));
    r.receive({ type: 'Join', from: 'fake0', fromAddress: 'fake0.test:1', members }, 'fake0');
    const lines = logger.lines.length - before;
    assert.ok(lines <= MAX_LOG_LINES_PER_STEP + 2, `${lines} log lines`);
    assert.equal(r.members().size, MAX_MEMBERS);
    assert.equal(metrics.get('vipd_member_transitions_total', { from: 'unknown', to: 'alive' }), MAX_MEMBERS);
    assert.ok(logger.lines.some((l) => l.fields.reason === 'membership-log-flood'), 'the held-back lines are reported');
  });

  it("one member's changes print once per window, with the count held back", () => {
    const { clock, logger, r } = runner(true);
    r.receive({ type: 'Gossip', from: 'a', fromAddress: 'a.test:1', gossip: [{ type: 'Alive', id: 'a', address: 'a.test:1', incarnation: 0 }] }, 'a');
    for (let i = 1; i <= 50; i++) {
      clock.runUntil(clock.now() + 10);
      const gossip = [{ type: 'Suspect' as const, id: 'a', incarnation: 2 * i - 2, from: 'b' }, { type: 'Alive' as const, id: 'a', address: 'a.test:1', incarnation: 2 * i - 1 }];
      r.receive({ type: 'Gossip', from: 'a', fromAddress: 'a.test:1', gossip }, 'a');
    }
    const toSuspect = logger.lines.filter((l) => l.fields.member === 'a' && l.fields.to === 'suspect');
    assert.equal(toSuspect.length, 1, 'one line for 50 suspicions within the 10 s window');
    clock.runUntil(clock.now() + 10_000);
    r.receive({ type: 'Gossip', from: 'a', fromAddress: 'a.test:1', gossip: [{ type: 'Suspect', id: 'a', incarnation: 99, from: 'b' }] }, 'a');
    const again = logger.lines.filter((l) => l.fields.member === 'a' && l.fields.to === 'suspect');
    assert.equal(again.length, 2);
    assert.equal(again[1]?.fields.suppressed, 49);
  });
});

describe('membership runtime: ClusterNode glue', () => {
  function pair(opts: { allowed?: string[] } = {}) {
    const clock = new VirtualClock();
    const adverts = new MemoryHub(clock);
    const hub = new MemoryMembershipHub(clock);
    const forgotten: string[] = [];
    const make = (id: string, seeds: string[]) => {
      const transport = hub.connect(id);
      const forget = transport.forget.bind(transport);
      transport.forget = (address: string) => {
        forgotten.push(`${id} forgets ${address}`);
        forget(address);
      };
      return new ClusterNode({
        nodeId: id, seeds, membership: LAN,
        groups: [{
          params: { group: 'web', vrid: 51, self: { nodeId: id }, basePriority: 100, advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0, requireQuorum: false },
          provider: new NoopProvider(['192.0.2.50/32'], silentLogger, clock), peers: [], witnesses: [], quorum: 'none',
        }],
        peerTransport: adverts.connect(id), membershipTransport: transport,
        clock, logger: silentLogger, metrics: new MetricsRegistry(), seed: id.charCodeAt(0),
        ...(opts.allowed ? { allowed: opts.allowed } : {}),
      });
    };
    const run = async (ms: number) => {
      const end = clock.now() + ms;
      while (clock.now() < end) {
        clock.runUntil(Math.min(end, clock.now() + 20));
        await new Promise((r) => setImmediate(r));
      }
    };
    return { make, run, forgotten };
  }

  /** a, and b joined through it, both seeing the other alive. */
  async function joined() {
    const c = pair();
    const a = c.make('a', []);
    const b = c.make('b', ['a']);
    await a.start();
    await b.start();
    await c.run(2000);
    assert.equal(a.members().get('b')?.state, 'alive');
    return { c, a, b };
  }

  it('the link to a member that was reaped is closed (GrpcTransport.forget through the port)', async () => {
    const { c, a, b } = await joined();
    await b.halt();
    await c.run(40_000); // declared dead, then reaped 30 s later
    assert.equal(a.members().has('b'), false);
    assert.deepEqual(c.forgotten, ['a forgets b']);
  });

  it('the link to a member that left is closed at once', async () => {
    const { c, a, b } = await joined();
    const stopping = b.stop();
    await c.run(1000);
    await stopping;
    assert.equal(a.members().get('b')?.state, 'left');
    assert.ok(c.forgotten.includes('a forgets b'));
  });

  it('the allow-list reaches the core: a node outside it never becomes a member', async () => {
    const c = pair({ allowed: ['a', 'b'] });
    const a = c.make('a', []);
    const b = c.make('b', ['a']);
    const z = c.make('z', ['a']);
    for (const n of [a, b, z]) await n.start();
    await c.run(3000);
    assert.equal(a.members().get('b')?.state, 'alive');
    assert.equal(a.members().has('z'), false);
    assert.equal(b.members().has('z'), false);
    await z.halt();
  });
});
