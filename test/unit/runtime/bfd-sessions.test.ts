/**
 * BfdSessions (src/runtime/bfd-sessions.ts) on a virtual clock over an in-memory transport with
 * seeded random loss: at 20 ms and 20 % loss each way, fixed multiplier 3 flaps again and again
 * (about p^3 per packet), while the adaptive multiplier (src/core/bfd/adaptive.ts) raises what
 * it waits for and stays Up; on a clean path a dead peer is still found within the adaptive
 * bound (9 intervals). Virtual time: 2 minutes each, in well under a second of CPU.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { BfdControlPacket } from '../../../src/core/bfd/packet.js';
import type { BfdTransport } from '../../../src/ports/bfd-transport.js';
import { BfdSessions } from '../../../src/runtime/bfd-sessions.js';
import { Rng } from '../../sim/rng.js';
import { VirtualClock } from '../../sim/virtual-clock.js';
import { silentLogger } from '../../fakes/silent-logger.js';

class Wire {
  readonly handlers = new Map<string, (peer: string, p: BfdControlPacket) => void>();
  dead = new Set<string>();
  constructor(readonly clock: VirtualClock, readonly rng: Rng, readonly loss: number) {}

  endpoint(self: string): BfdTransport {
    return {
      open: async (h) => { this.handlers.set(self, h); },
      addPeer: async () => undefined,
      removePeer: () => undefined,
      send: (peer, packet) => {
        if (this.dead.has(self) || this.rng.chance(this.loss)) return;
        this.clock.schedule(this.clock.now() + 1, () => this.handlers.get(peer)?.(self, { ...packet }));
      },
      close: async () => undefined,
    };
  }
}

async function pair(loss: number, adaptive: boolean, seed = 7) {
  const clock = new VirtualClock();
  const rng = new Rng(seed);
  const wire = new Wire(clock, rng, loss);
  const downs: Record<string, number> = { a: 0, b: 0 };
  const mk = (self: string) => new BfdSessions({
    transport: wire.endpoint(self), clock, timers: { intervalMs: 20, multiplier: 3, adaptive }, authenticated: false,
    logger: silentLogger, random32: () => rng.int(1, 0xffffffff),
    onChange: (_peer, up) => { if (!up) downs[self] = (downs[self] ?? 0) + 1; },
  });
  const a = mk('a');
  const b = mk('b');
  await a.start();
  await b.start();
  await a.addPeer('b');
  await b.addPeer('a');
  return { clock, wire, a, b, downs };
}

describe('BFD sessions under loss', () => {
  it('fixed multiplier 3 at 20 % loss flaps; adaptive stays Up after it has learned the loss', async (t) => {
    const fixed = await pair(0.2, false);
    fixed.clock.runUntil(120_000);
    const flaps = (fixed.downs.a ?? 0) + (fixed.downs.b ?? 0);
    assert.ok(flaps >= 20, `fixed multiplier: ${flaps} Downs in 2 min`);
    t.diagnostic(`fixed multiplier 3, 20 % loss: ${flaps} Downs in 2 min`);

    const adaptive = await pair(0.2, true);
    adaptive.clock.runUntil(20_000); // learning: a flap or two before the score has risen is allowed
    const early = (adaptive.downs.a ?? 0) + (adaptive.downs.b ?? 0);
    adaptive.clock.runUntil(140_000);
    const later = (adaptive.downs.a ?? 0) + (adaptive.downs.b ?? 0) - early;
    assert.ok(later <= 1, `adaptive: ${later} Downs in the 2 min after learning (${early} while learning)`);
    assert.ok((adaptive.a.detectMultiplier('b') ?? 0) >= 7, `waits for ${adaptive.a.detectMultiplier('b')}`);
    assert.equal(adaptive.a.state('b'), 'Up');
    t.diagnostic(`adaptive: ${early} Downs while learning (20 s), ${later} in the next 2 min, waiting for ${adaptive.a.detectMultiplier("b")}`);
  });

  it('on a clean path the multiplier stays 3, and a dead peer is found within 3 intervals', async () => {
    const p = await pair(0, true);
    p.clock.runUntil(10_000);
    assert.equal(p.a.state('b'), 'Up');
    assert.equal(p.a.detectMultiplier('b'), 3);
    p.wire.dead.add('b');
    const cut = p.clock.now();
    let downAt: number | undefined;
    for (let t = cut; t <= cut + 500 && downAt === undefined; t += 1) {
      p.clock.runUntil(t);
      if (p.a.state('b') !== 'Up') downAt = t;
    }
    assert.ok(downAt !== undefined && downAt - cut <= 61, `Down ${downAt === undefined ? 'never' : downAt - cut} ms after b died`);
  });
});
