/**
 * Measures the local provider's takeover path (issue 10, "no programs on the hot path"); not a
 * test (no assertions on speed): `node --import tsx test/netns/local-hotpath-measure.ts [trials]`
 * as root. The numbers in providers/local/README.md ("Native path") come from it.
 *
 * In network namespaces (a host and a client on a bridge, 192.0.2.0/24), per option and trial a
 * new VIP is taken over; the decision is the moment acquire is called. Observed from outside the
 * provider: the address by `ip -tshort monitor address` in the host's namespace (its timestamp
 * is taken when ip reads the kernel's RTM_NEWADDR, so it includes ip's wake-up), the first
 * gratuitous ARP by tcpdump on the client (kernel timestamps, nanoseconds). All are realtime
 * clocks, as is performance.timeOrigin + performance.now() here.
 *
 * Options: `native` (rtnetlink + AF_PACKET, the provider's default), `tools` (ip and arping
 * spawned through the spawn gate: the provider with native: false), `helper` (one long-lived
 * `ip -force -batch -` taking `address add` lines on stdin, then arping spawned: Debian has no
 * long-lived gratuitous-ARP tool, so a helper for the frames would be our own program), and
 * each of native and tools with 100 groups taking over at once (decision to the last address
 * and the last gratuitous ARP).
 */
import { execFile, spawn } from 'node:child_process';
import { readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { createLocalProvider, type LocalProvider } from '../../providers/local/index.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { VipConfig } from '../../src/config/types.js';
import { decodeArpFrame } from '../../src/wire/arp.js';
import { parsePcap } from '../golden/pcap.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { createTopology, type Host } from './lib/index.js';

const TRIALS = Math.max(1, Math.min(30, Number(process.argv[2] ?? 15)));
const ONE_ROUND = { burstCount: 1, burstIntervalMs: 0, secondBurstDelayMs: 0, refreshIntervalMs: 0 };
const now = () => performance.timeOrigin + performance.now();
const req = (term: number) => ({ term, reason: 'measure', signal: new AbortController().signal });
const vip = (n: number): VipConfig => ({ address: `192.0.2.${n}`, prefixLength: 24, family: 4 });

interface Trial { readonly address: string; readonly decidedAt: number; resolvedAt: number }

const topology = await createTopology({ hosts: ['host', 'client'], ipv6: false });
const host: Host = topology.host('host');
const client: Host = topology.host('client');
const file = join(tmpdir(), `${topology.prefix}-measure.pcap`);
const results: string[] = [];
try {
  await rm(file, { force: true });
  const tcpdump = client.spawn(['tcpdump', '-i', client.ifname, '-U', '-n', '--time-stamp-precision=nano', '-w', file, 'arp'], { maxLifetimeMs: 600_000 });
  const monitor = spawn('ip', ['netns', 'exec', host.ns, 'ip', '-tshort', 'monitor', 'address'], { env: { ...process.env, TZ: 'UTC' }, stdio: ['ignore', 'pipe', 'ignore'] });
  let monitorText = '';
  monitor.stdout.on('data', (d: Buffer) => (monitorText += d.toString()));
  await sleep(1_000);

  const trials: Record<string, Trial[]> = { native: [], tools: [], helper: [] };
  let next = 100;
  for (const option of ['native', 'tools'] as const) {
    for (let i = 0; i < TRIALS; i++) {
      const v = vip(next++);
      const p = createLocalProvider({ interface: host.ifname, netns: host.ns, vips: [v], announce: ONE_ROUND, detectConflicts: false, native: option === 'native', label: false }, { logger: silentLogger, clock: systemClock });
      // As at boot: validate opens the native sockets (and checks the tools) before any decision.
      await p.validate(new AbortController().signal);
      const t: Trial = { address: v.address, decidedAt: now(), resolvedAt: 0 };
      await p.acquire(req(1));
      t.resolvedAt = now();
      trials[option]?.push(t);
      await sleep(1_200); // arping lives about a second; let the link settle
      await p.release(req(2));
    }
  }

  // One long-lived `ip -batch`, then arping spawned (the helper option).
  const ipBatch = spawn('ip', ['netns', 'exec', host.ns, 'ip', '-force', '-batch', '-'], { stdio: ['pipe', 'ignore', 'ignore'] });
  await sleep(300);
  for (let i = 0; i < TRIALS; i++) {
    const v = vip(next++);
    const t: Trial = { address: v.address, decidedAt: now(), resolvedAt: 0 };
    ipBatch.stdin.write(`address add ${v.address}/24 dev ${host.ifname} metric 5798\n`);
    await new Promise<void>((resolve) => execFile('ip', ['netns', 'exec', host.ns, 'arping', '-U', '-c', '1', '-I', host.ifname, v.address], () => resolve()));
    t.resolvedAt = now();
    trials.helper?.push(t);
    ipBatch.stdin.write(`address del ${v.address}/24 dev ${host.ifname}\n`);
    await sleep(300);
  }
  ipBatch.stdin.end();

  // 100 groups at once.
  const burst: Record<string, { decidedAt: number; addresses: string[]; resolvedAt: number }> = {};
  for (const option of ['native', 'tools'] as const) {
    const providers: LocalProvider[] = [];
    const addresses: string[] = [];
    for (let g = 0; g < 100; g++) {
      // 198.51.100.0/24 and 203.0.113.0/24: 100 fresh addresses per option.
      const address = `${option === 'native' ? '198.51.100' : '203.0.113'}.${g + 1}`;
      addresses.push(address);
      providers.push(createLocalProvider({ interface: host.ifname, netns: host.ns, vips: [{ address, prefixLength: 24, family: 4 }], announce: ONE_ROUND, detectConflicts: false, native: option === 'native', label: false }, { logger: silentLogger, clock: systemClock }));
    }
    for (const p of providers) await p.validate(new AbortController().signal);
    const decidedAt = now();
    await Promise.all(providers.map((p) => p.acquire(req(1))));
    burst[option] = { decidedAt, addresses, resolvedAt: now() };
    // The tools' announcements queue in the spawn gate (8 ms apart, arping living a second).
    await sleep(option === 'native' ? 2_000 : 12_000);
    for (const p of providers) await p.release(req(2));
  }

  await sleep(1_500);
  monitor.kill('SIGTERM');
  await tcpdump.stop();

  // Parse: first RTM_NEWADDR line and first gratuitous ARP per address.
  const boundAt = new Map<string, number>();
  for (const line of monitorText.split('\n')) {
    const m = /^\[(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)\.(\d{6})\]\s+(?!Deleted)\d+:\s+\S+\s+inet\s+([\d.]+)\//.exec(line);
    if (!m) continue;
    const [, y, mo, d, h, mi, s, us, address] = m;
    const ms = Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)) + Number(us) / 1000;
    if (address && !boundAt.has(address)) boundAt.set(address, ms);
  }
  const garpAt = new Map<string, number>();
  for (const r of parsePcap(new Uint8Array(await readFile(file))).records) {
    const a = decodeArpFrame(r.data);
    if (a.ok && a.value.arp.senderIp === a.value.arp.targetIp && !garpAt.has(a.value.arp.senderIp)) garpAt.set(a.value.arp.senderIp, r.timestamp * 1000);
  }

  const stats = (xs: number[]) => {
    const s = [...xs].sort((a, b) => a - b);
    const q = (p: number) => s[Math.min(s.length - 1, Math.floor(p * s.length))] ?? NaN;
    return `median ${q(0.5).toFixed(2)} ms, p90 ${q(0.9).toFixed(2)} ms, max ${(s.at(-1) ?? NaN).toFixed(2)} ms (n=${s.length})`;
  };
  for (const [option, ts] of Object.entries(trials)) {
    const bound = ts.map((t) => (boundAt.get(t.address) ?? NaN) - t.decidedAt).filter(Number.isFinite);
    const garp = ts.map((t) => (garpAt.get(t.address) ?? NaN) - t.decidedAt).filter(Number.isFinite);
    const resolved = ts.map((t) => t.resolvedAt - t.decidedAt);
    results.push(`${option}: decision -> address bound (ip monitor) ${stats(bound)}; -> first gARP on the wire ${stats(garp)}; call returned ${stats(resolved)}`);
  }
  for (const [option, b] of Object.entries(burst)) {
    const lastBound = Math.max(...b.addresses.map((a) => boundAt.get(a) ?? NaN));
    const lastGarp = Math.max(...b.addresses.map((a) => garpAt.get(a) ?? NaN));
    const seenGarps = b.addresses.filter((a) => garpAt.has(a)).length;
    results.push(`${option}, 100 groups at once: decision -> last address bound ${(lastBound - b.decidedAt).toFixed(1)} ms; -> last gARP ${(lastGarp - b.decidedAt).toFixed(1)} ms (${seenGarps}/100 seen); all acquires returned ${(b.resolvedAt - b.decidedAt).toFixed(1)} ms`);
  }
} finally {
  await topology.destroy();
  await rm(file, { force: true });
}
console.log(results.join('\n'));
