/**
 * The crash verdict's observation on real sockets (docs/leases.md "Crash verdict"): the bare
 * TCP redial (crash-probe.ts) and the gRPC link that reports a peer `gone` only when its
 * established stream ended and its address refuses.
 */
import assert from 'node:assert/strict';
import { createServer, type AddressInfo, type Socket } from 'node:net';
import type { CrashProbeResult } from '../../../src/adapters/grpc/crash-probe.js';
import { after, describe, it } from 'node:test';
import { probeListener, splitHostPort } from '../../../src/adapters/grpc/crash-probe.js';
import type { GroupStanding } from '../../../src/ports/membership-transport.js';
import { newTransport, pki, until } from './grpc-harness.js';

describe('crash probe', () => {
  it('splits host:port, [v6]:port; refuses what is not one', () => {
    assert.deepEqual(splitHostPort('127.0.0.1:7946'), { host: '127.0.0.1', port: 7946 });
    assert.deepEqual(splitHostPort('[2001:db8::1]:7946'), { host: '2001:db8::1', port: 7946 });
    assert.equal(splitHostPort('127.0.0.1'), undefined);
    assert.equal(splitHostPort('127.0.0.1:0'), undefined);
    assert.equal(splitHostPort(':80'), undefined);
  });

  it('answered while something listens and holds the connection, refused once it closed', async () => {
    const held: Socket[] = [];
    const server = createServer((s) => held.push(s));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    assert.equal(await probeListener(address, 1000), 'answered');
    for (const s of held) s.destroy();
    await new Promise<void>((r) => server.close(() => r()));
    assert.equal(await probeListener(address, 1000), 'refused');
  });

  it('reset when the connection opens and is closed under it at once (a listener closing as its process exits)', async () => {
    const server = createServer((s) => s.resetAndDestroy());
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal(await probeListener(address, 1000), 'reset');
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('answered when the listener speaks first (a plaintext HTTP/2 server sends its SETTINGS)', async () => {
    const held: Socket[] = [];
    const server = createServer((s) => {
      held.push(s);
      s.write('x');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const address = `127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      assert.equal(await probeListener(address, 1000, 5_000), 'answered');
    } finally {
      for (const s of held) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});

describe('gRPC link: gone', () => {
  const closers: Array<() => Promise<void>> = [];
  after(async () => {
    for (const c of closers) await c();
  });

  it("reports the peer gone after its stream ended and its port refused, and passes on its Hello's standing", async () => {
    const p = await pki(['a', 'b']);
    const a = newTransport(p, 'a', { crashVerdict: { windowMs: 0 } });
    const standing: GroupStanding[] = [{ group: 'web', priority: 150, address: '127.0.0.1' }];
    const b = newTransport(p, 'b', { announce: { primaryAddresses: ['127.0.0.1'], groups: ['web'], standing } });
    closers.push(() => a.transport.close(), () => b.transport.close());
    const events: string[] = [];
    const heard: Array<[string, readonly GroupStanding[]]> = [];
    await a.transport.listen({
      message: () => undefined, unreachable: () => undefined, groupTargets: () => [],
      peerUp: (id) => events.push(`up ${id}`),
      peerDown: (id) => events.push(`down ${id}`),
      gone: (address, id, reason) => events.push(`gone ${id} ${address} ${reason}`),
      standing: (id, s) => heard.push([id, s]),
    });
    await b.transport.listen({ message: () => undefined, peerDown: () => undefined, unreachable: () => undefined, groupTargets: () => [] });
    const bAddress = b.transport.address;
    a.transport.sendMembership(bAddress, { type: 'Ping', from: 'a', fromAddress: a.transport.address, seq: 1, target: 'b', gossip: [] });
    await until(() => events.includes('up b'), 5000, 'link a -> b up');
    assert.deepEqual(heard, [['b', standing]]);
    await b.transport.close();
    await until(() => events.some((e) => e.startsWith('gone')), 5000, 'gone b');
    assert.deepEqual(events, ['up b', 'down b', `gone b ${bAddress} refused`]);
    assert.equal(a.metrics.get('vipd_crash_probes_total', { result: 'refused' }), 1);
  });

  for (const [results, verdict] of [[['reset', 'refused'], true], [['reset', 'reset', 'reset', 'reset'], false]] as const) {
    it(`redials at once after a reset: ${results.join(', ')} gives ${verdict ? 'the verdict' : 'no verdict'}`, async () => {
      const p = await pki(['a', 'b']);
      const script: CrashProbeResult[] = [...results];
      const probed: CrashProbeResult[] = [];
      const probe = async (): Promise<CrashProbeResult> => {
        const r = script.shift() ?? 'answered';
        probed.push(r);
        return r;
      };
      const a = newTransport(p, 'a', { crashVerdict: { windowMs: 0, probe } });
      const b = newTransport(p, 'b');
      closers.push(() => a.transport.close(), () => b.transport.close());
      const events: string[] = [];
      await a.transport.listen({
        message: () => undefined, unreachable: () => undefined, groupTargets: () => [],
        peerUp: (id) => events.push(`up ${id}`),
        peerDown: (id) => events.push(`down ${id}`),
        gone: (_address, id, reason) => events.push(`gone ${id} ${reason}`),
      });
      await b.transport.listen({ message: () => undefined, peerDown: () => undefined, unreachable: () => undefined, groupTargets: () => [] });
      a.transport.sendMembership(b.transport.address, { type: 'Ping', from: 'a', fromAddress: a.transport.address, seq: 1, target: 'b', gossip: [] });
      await until(() => events.includes('up b'), 5000, 'link a -> b up');
      await b.transport.close();
      await until(() => probed.length >= results.length, 5000, 'every scripted redial');
      await new Promise((r) => setTimeout(r, 50));
      assert.deepEqual(probed, results, 'one redial per result, and no more');
      assert.deepEqual(events, verdict ? ['up b', 'down b', 'gone b refused'] : ['up b', 'down b']);
      assert.equal(a.metrics.get('vipd_crash_probes_total', { result: 'reset' }), results.filter((r) => r === 'reset').length);
    });
  }
});
