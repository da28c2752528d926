/**
 * Fixture for bfd-frr.test.ts: vipd's BFD (UDP endpoint + sessions runtime, no
 * authentication) inside a namespace, one session to one peer. argv[2] is JSON
 * `{ mode, local, peer, intervalMs, multiplier }`. Prints one JSON line per event
 * (`up`/`down` with the RFC 5880 diag, `drop` with its reason, `state` once a second); on
 * SIGTERM it stops gracefully (AdminDown to the peer) and prints `stopped`. Exits on its own
 * after 60 s so a forgotten fixture cannot linger.
 */
import { randomInt } from 'node:crypto';
import { BfdUdpEndpoint, type BfdMode } from '../../src/adapters/bfd/udp-endpoint.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import { BfdSessions } from '../../src/runtime/bfd-sessions.js';
import { silentLogger } from '../fakes/silent-logger.js';

const o = JSON.parse(process.argv[2] ?? '{}') as { mode: BfdMode; local: string; peer: string; intervalMs: number; multiplier: number };
const print = (x: object) => process.stdout.write(`${JSON.stringify({ t: Date.now(), ...x })}\n`);
const endpoint = new BfdUdpEndpoint({
  mode: o.mode, localAddress: o.local,
  onDrop: (reason, detail) => print({ event: 'drop', reason, detail }),
  onError: (err) => print({ event: 'error', message: err.message }),
});
const sessions = new BfdSessions({
  transport: endpoint, clock: systemClock, timers: { intervalMs: o.intervalMs, multiplier: o.multiplier }, authenticated: false,
  logger: silentLogger, random32: () => randomInt(2 ** 32),
  onChange: (peer, up, diag, reason) => print({ event: up ? 'up' : 'down', peer, diag, reason }),
});
await sessions.start();
await sessions.addPeer(o.peer);
print({ event: 'started', sourcePort: endpoint.sourcePortOf(o.peer) });
const tick = setInterval(() => print({ event: 'state', state: sessions.state(o.peer) }), 1000);
const stop = async () => {
  clearInterval(tick);
  await sessions.stop();
  print({ event: 'stopped' });
  process.exit(0);
};
process.once('SIGTERM', () => void stop());
setTimeout(() => void stop(), 60_000).unref();
