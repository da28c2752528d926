/**
 * Issue 10, "no programs on the hot path": in network namespaces (root only), the local
 * provider's native path binds the VIPs and puts a gratuitous ARP and an unsolicited NA on the
 * wire with no child process started between the decision and those frames. A hook on
 * ChildProcess.prototype.spawn (which execFile, spawn and exec all go through) counts every
 * program this process starts; tcpdump on the client side, started before the count begins,
 * captures the frames, which are compared byte for byte with src/wire's codecs (the golden
 * tests' keepalived/FRR forms). The same takeover on the tools path (`native: false`) does spawn:
 * the hook can see it. Runs in about 3 s.
 */
import assert from 'node:assert/strict';
import { ChildProcess } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createLocalProvider, type LocalProvider } from '../../providers/local/index.js';
import { loadLinkAddon } from '../../providers/local/native-link.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { VipConfig } from '../../src/config/types.js';
import type { ProviderRequest } from '../../src/ports/vip-provider.js';
import { formatIp } from '../../src/wire/address.js';
import { encodeArpFrame, gratuitousArp, decodeArpFrame } from '../../src/wire/arp.js';
import { decodeEthernet, ETHERTYPE_IPV6 } from '../../src/wire/ethernet.js';
import { decodeNeighborAdvert, unsolicitedNeighborAdvert } from '../../src/wire/ndp.js';
import { parsePcap } from '../golden/pcap.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { createTopology, missingTools, netnsSkipReason, waitFor, type Background, type Host, type Topology } from './lib/index.js';

const V4: VipConfig = { address: '192.0.2.52', prefixLength: 24, family: 4 };
const V6: VipConfig = { address: '2001:db8::52', prefixLength: 64, family: 6 };
/** One burst round only, no refresh or probe: what is on the wire is the takeover's. */
const ONE_ROUND = { burstCount: 1, burstIntervalMs: 0, secondBurstDelayMs: 0, refreshIntervalMs: 0 };
const req = (term: number): ProviderRequest => ({ term, reason: `test term ${term}`, signal: new AbortController().signal });

const addon = loadLinkAddon();
const skipReason = (await netnsSkipReason()) ?? (await missingTools(['ip', 'tcpdump', 'arping', 'ndptool'])) ?? ('error' in addon ? `the native part is not built: ${addon.error}` : undefined);

/** Counts every program this process starts from now until `stop()`. */
function countSpawns(): { readonly count: () => number; stop: () => void } {
  const proto = ChildProcess.prototype as unknown as { spawn: (...args: unknown[]) => unknown };
  const original = proto.spawn;
  let n = 0;
  proto.spawn = function spawnCounted(this: unknown, ...args: unknown[]) {
    n += 1;
    return original.apply(this, args);
  };
  return { count: () => n, stop: () => { proto.spawn = original; } };
}

interface Seen {
  readonly arp: Uint8Array | undefined;
  readonly na: { readonly frame: Uint8Array; readonly hopLimit: number; readonly source: string; readonly icmp: Uint8Array } | undefined;
  readonly records: number;
}

/** The host's gratuitous ARP for V4 and unsolicited NA for V6 in a pcap file, if there. */
async function seen(file: string, host: Host): Promise<Seen> {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(await readFile(file));
  } catch {
    return { arp: undefined, na: undefined, records: 0 };
  }
  if (bytes.length < 24) return { arp: undefined, na: undefined, records: 0 };
  // tcpdump -U writes whole records; a read may still end inside the last one.
  let pcap;
  try {
    pcap = parsePcap(bytes);
  } catch {
    return { arp: undefined, na: undefined, records: 0 };
  }
  let arp: Uint8Array | undefined;
  let na: Seen['na'];
  for (const r of pcap.records) {
    const eth = decodeEthernet(r.data);
    if (!eth.ok || eth.value.source !== host.mac) continue;
    const a = decodeArpFrame(r.data);
    if (a.ok && a.value.arp.senderIp === V4.address && a.value.arp.targetIp === V4.address) arp ??= r.data;
    if (eth.value.etherType === ETHERTYPE_IPV6) {
      const ip = eth.value.payload;
      if (ip.length < 40 || ip[6] !== 58) continue;
      const icmp = ip.subarray(40);
      const source = formatIp(ip.subarray(8, 24));
      const decoded = decodeNeighborAdvert(icmp, { source, destination: formatIp(ip.subarray(24, 40)) });
      if (decoded.ok && decoded.value.target === V6.address) na ??= { frame: r.data, hopLimit: ip[7] ?? 0, source, icmp };
    }
  }
  return { arp, na, records: pcap.records.length };
}

describe('local provider native path: nothing spawned on takeover', { skip: skipReason ?? false }, () => {
  let topology: Topology | undefined;
  let host: Host;
  let client: Host;
  const made: LocalProvider[] = [];

  before(async () => {
    topology = await createTopology({ hosts: ['host', 'client'] });
    host = topology.host('host');
    client = topology.host('client');
  });

  after(async () => {
    try {
      for (const p of made) await p.release(req(9_999)).catch(() => undefined);
    } finally {
      await topology?.destroy();
    }
  });

  /** tcpdump on the client, running and capturing before the takeover (a marker frame proves it). */
  async function capture(name: string): Promise<{ file: string; tcpdump: Background }> {
    const file = join(tmpdir(), `${topology?.prefix ?? 'vipd'}-${name}.pcap`);
    await rm(file, { force: true });
    const tcpdump = client.spawn(['tcpdump', '-i', client.ifname, '-U', '-n', '-s', '256', '-w', file, 'arp or icmp6'], { maxLifetimeMs: 20_000 });
    await waitFor(async () => {
      await client.run(['ping', '-6', '-c', '1', '-W', '1', host.ipv6 ?? ''], { check: false });
      return (await seen(file, host)).records > 0;
    }, { what: 'tcpdump on the client to capture a marker', timeoutMs: 10_000, intervalMs: 200 });
    return { file, tcpdump };
  }

  it('binds both VIPs and sends the gratuitous ARP and the unsolicited NA, starting no program', async () => {
    const { file, tcpdump } = await capture('native');
    const provider = createLocalProvider({ interface: host.ifname, netns: host.ns, vips: [V4, V6], announce: ONE_ROUND, detectConflicts: false }, { logger: silentLogger, clock: systemClock });
    made.push(provider);
    assert.equal(provider.path, 'native');
    const spawns = countSpawns();
    let found: Seen;
    try {
      await provider.acquire(req(1));
      // The first round left inside acquire: both already counted, before any timer ran.
      assert.equal(provider.counters.announcements, 2, 'one announcement per VIP, sent before acquire resolved');
      found = await waitFor(async () => {
        const s = await seen(file, host);
        return s.arp && s.na ? s : undefined;
      }, { what: 'the gratuitous ARP and the unsolicited NA on the client\'s side', timeoutMs: 5_000, intervalMs: 20 });
    } finally {
      spawns.stop();
    }
    assert.equal(spawns.count(), 0, 'no program started between the decision and both frames on the wire');
    await tcpdump.stop();

    // What the client saw is what the golden tests' codecs (keepalived's and FRR's forms) say.
    assert.deepEqual(found.arp, encodeArpFrame(gratuitousArp(V4.address, host.mac)));
    assert.ok(found.na);
    assert.equal(found.na.hopLimit, 255, 'RFC 4861 §7.1.2: hop limit 255');
    assert.ok(found.na.source.startsWith('fe80:'), `source ${found.na.source} is the link-local address`);
    assert.deepEqual(decodeNeighborAdvert(found.na.icmp, { source: found.na.source, destination: 'ff02::1' }), { ok: true, value: unsolicitedNeighborAdvert(V6.address, host.mac) });

    const bound = await host.addresses();
    for (const vip of [V4, V6]) assert.ok(bound.some((a) => a.address === vip.address && a.prefixLength === vip.prefixLength), `${vip.address} bound on the host`);
    await provider.release(req(2));
    const after = await host.addresses();
    assert.ok(!after.some((a) => a.address === V4.address || a.address === V6.address), 'release removed both');
  });

  it('the tools path does start programs for the same takeover (the hook sees them)', async () => {
    const provider = createLocalProvider({ interface: host.ifname, netns: host.ns, vips: [V4], announce: ONE_ROUND, detectConflicts: false, native: false }, { logger: silentLogger, clock: systemClock });
    made.push(provider);
    assert.equal(provider.path, 'tools');
    const spawns = countSpawns();
    try {
      await provider.acquire(req(1));
    } finally {
      spawns.stop();
    }
    assert.ok(spawns.count() >= 2, `ip addr show and ip addr add at least; saw ${spawns.count()}`);
    await provider.release(req(2));
  });
});
