/**
 * BFD over real UDP sockets on loopback (src/adapters/bfd/udp-endpoint.ts driven by
 * src/runtime/bfd-sessions.ts): two nodes on 127.0.0.1 and 127.0.0.2 bring a session Up,
 * signed with Meticulous Keyed SHA1; a graceful stop is seen as AdminDown (diag 3), a silent
 * peer as a Detection Time expiry (diag 1). Single hop, as root: a packet with TTL 64 is
 * dropped (RFC 5881 §5), as is one from an address that is no peer, and the source port is
 * in 49152-65535. Ports are picked at random per run so parallel runs do not collide.
 */
import assert from 'node:assert/strict';
import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { describe, it, type TestContext } from 'node:test';
import { BfdAuthenticator } from '../../../../src/adapters/bfd/auth.js';
import type { BfdDropReason } from '../../../../src/adapters/bfd/drop-reasons.js';
import { BfdUdpEndpoint, type BfdMode } from '../../../../src/adapters/bfd/udp-endpoint.js';
import { systemClock } from '../../../../src/adapters/system-clock.js';
import { BfdSessions } from '../../../../src/runtime/bfd-sessions.js';
import { encodeBfd } from '../../../../src/wire/bfd.js';
import { silentLogger } from '../../../fakes/silent-logger.js';

/**
 * 100 ms, not the 20 ms default: this machine is shared, and a test must not fail because the
 * event loop stalled past a 60 ms Detection Time (the speed is the bench's to measure).
 */
const INTERVAL_MS = 100;
const KEYS = [{ id: 'k1', secret: Buffer.alloc(32, 0x33) }];

interface Node {
  endpoint: BfdUdpEndpoint;
  sessions: BfdSessions;
  changes: Array<{ peer: string; up: boolean; diag: number }>;
  drops: BfdDropReason[];
}

function node(address: string, mode: BfdMode, port: number, auth: boolean): Node {
  const changes: Node['changes'] = [];
  const drops: BfdDropReason[] = [];
  const endpoint = new BfdUdpEndpoint({
    mode, localAddress: address, port, ...(auth ? { authenticator: new BfdAuthenticator(KEYS, 'k1') } : {}),
    onDrop: (reason) => drops.push(reason),
  });
  const sessions = new BfdSessions({
    transport: endpoint, clock: systemClock, timers: { intervalMs: INTERVAL_MS, multiplier: 3 }, authenticated: auth,
    logger: silentLogger, onChange: (peer, up, diag) => changes.push({ peer, up, diag }), random32: () => randomInt(2 ** 32),
  });
  return { endpoint, sessions, changes, drops };
}

async function until(what: string, cond: () => boolean, ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end) assert.fail(`not within ${ms} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

async function pair(t: TestContext, mode: BfdMode, auth: boolean): Promise<[Node, Node, number]> {
  const port = randomInt(20_000, 30_000);
  const a = node('127.0.0.1', mode, port, auth);
  const b = node('127.0.0.2', mode, port, auth);
  t.after(async () => {
    await a.sessions.stop();
    await b.sessions.stop();
  });
  await a.sessions.start();
  await b.sessions.start();
  await a.sessions.addPeer('127.0.0.2');
  await b.sessions.addPeer('127.0.0.1');
  return [a, b, port];
}

const isRoot = process.getuid?.() === 0;

describe('BFD over UDP on loopback', () => {
  it('multihop, authenticated: Up on both sides, then a graceful stop is AdminDown at the peer (diag 3)', async (t) => {
    const [a, b] = await pair(t, 'multihop', true);
    await until('both Up', () => a.sessions.state('127.0.0.2') === 'Up' && b.sessions.state('127.0.0.1') === 'Up');
    assert.deepEqual(a.changes[0], { peer: '127.0.0.2', up: true, diag: 0 });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(a.sessions.state('127.0.0.2'), 'Up', 'stays Up');
    assert.deepEqual(a.drops.filter((d) => d.startsWith('auth')), []);
    await b.sessions.stop();
    await until('a sees b go down', () => a.changes.some((c) => !c.up));
    assert.deepEqual(a.changes.find((c) => !c.up), { peer: '127.0.0.2', up: false, diag: 3 });
  });

  it('multihop: a peer signing with another key is never Up (auth-unknown-key)', async (t) => {
    const port = randomInt(20_000, 30_000);
    const a = node('127.0.0.1', 'multihop', port, true);
    const other = new BfdUdpEndpoint({ mode: 'multihop', localAddress: '127.0.0.2', port, authenticator: new BfdAuthenticator([{ id: 'zz', secret: Buffer.alloc(32, 1) }], 'zz') });
    const b = new BfdSessions({
      transport: other, clock: systemClock, timers: { intervalMs: INTERVAL_MS, multiplier: 3 }, authenticated: true,
      logger: silentLogger, random32: () => randomInt(2 ** 32),
    });
    t.after(async () => {
      await a.sessions.stop();
      await b.stop();
    });
    await a.sessions.start();
    await b.start();
    await a.sessions.addPeer('127.0.0.2');
    await b.addPeer('127.0.0.1');
    await until('a drops b', () => a.drops.includes('auth-unknown-key'));
    assert.notEqual(a.sessions.state('127.0.0.2'), 'Up');
  });

  it('single hop (root): Up, TTL 64 and strangers dropped, source port 49152-65535, silence is diag 1', async (t) => {
    if (!isRoot) {
      t.skip('single-hop BFD reads TTLs from a raw socket: needs root');
      return;
    }
    const [a, b, port] = await pair(t, 'single-hop', false);
    await until('both Up', () => a.sessions.state('127.0.0.2') === 'Up' && b.sessions.state('127.0.0.1') === 'Up');
    const src = a.endpoint.sourcePortOf('127.0.0.2') ?? 0;
    assert.ok(src >= 49152 && src <= 65535, `source port ${src}`);
    const forged = encodeBfd({
      diag: 0, state: 'Down', poll: false, final: false, controlPlaneIndependent: false, demand: false, detectMult: 3,
      myDiscriminator: 7, yourDiscriminator: 0, desiredMinTxUs: 1_000_000, requiredMinRxUs: 20_000, requiredMinEchoRxUs: 0,
    });
    for (const [from, ttl, reason] of [['127.0.0.2', 64, 'ttl'], ['127.0.0.3', 255, 'unknown-peer']] as const) {
      const s = createSocket('udp4');
      await new Promise<void>((r) => s.bind(0, from, () => r()));
      s.setTTL(ttl);
      await new Promise<void>((r, j) => s.send(forged, port, '127.0.0.1', (e) => (e ? j(e) : r())));
      s.close();
      await until(`a drops ${reason}`, () => a.drops.includes(reason));
    }
    assert.equal(a.sessions.state('127.0.0.2'), 'Up', 'the forged Down changed nothing');
    // Silence: b's endpoint closes without AdminDown.
    await b.endpoint.close();
    await until('a times out', () => a.changes.some((c) => !c.up), 2000);
    assert.deepEqual(a.changes.find((c) => !c.up), { peer: '127.0.0.2', up: false, diag: 1 });
  });
});
