/**
 * Interop with FRR's bfdd (issue 10 §3): vipd's BFD (test/netns/bfd-fixture.ts: the UDP
 * endpoint and the sessions runtime, single hop, no authentication) and Debian's FRR (zebra +
 * bfdd) in two namespaces on one bridge bring a session Up, keep it Up, and when vipd stops
 * gracefully FRR sees AdminDown (RFC 5880 §6.8.16: "administratively down" as the remote
 * diagnostic), not a timeout. Then FRR is killed and vipd's session times out (diag 1).
 * 100 ms intervals, not the 20 ms default: the machine is shared (the speed is the bench's).
 * Root only; skipped with a reason otherwise or without FRR.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, it } from 'node:test';
import { onLines } from '../../src/cli/lines.js';
import { createTopology, requireRoot, requireTools, type Topology } from './lib/index.js';
import { until } from './agents.js';
import { FrrAgent, requireFrr } from './frr-agent.js';

const FIXTURE = fileURLToPath(new URL('./bfd-fixture.ts', import.meta.url));

interface FixtureLine {
  t: number;
  event: string;
  [k: string]: unknown;
}

describe('BFD with FRR bfdd', () => {
  it('a single-hop session comes Up, stays Up, and ends with AdminDown; a killed bfdd times out', async (t) => {
    if (!(await requireRoot(t)) || !(await requireTools(t, ['ip'])) || !(await requireFrr(t, ['zebra', 'bfdd']))) return;
    let topo: Topology | undefined;
    const frr = new FrrAgent();
    const lines: FixtureLine[] = [];
    let fixture: ReturnType<typeof spawn> | undefined;
    try {
      topo = await createTopology({ hosts: ['vipd', 'frr'], ipv6: false });
      const hv = topo.host('vipd');
      const hf = topo.host('frr');
      await frr.startBfd(hf.ns, [{ peer: hv.ipv4, localAddress: hf.ipv4, iface: hf.ifname, intervalMs: 100, detectMultiplier: 3 }]);
      const args = { mode: 'single-hop', local: hv.ipv4, peer: hf.ipv4, intervalMs: 100, multiplier: 3 };
      const p = spawn('ip', ['netns', 'exec', hv.ns, process.execPath, '--import', 'tsx', FIXTURE, JSON.stringify(args)]);
      fixture = p;
      const take = (line: string) => {
        try {
          lines.push(JSON.parse(line) as FixtureLine);
        } catch {
          lines.push({ t: Date.now(), event: 'text', line });
        }
      };
      onLines(p.stdout, take);
      onLines(p.stderr, take);
      setTimeout(() => p.kill('SIGKILL'), 120_000).unref();

      const detail = () => `vipd:\n${lines.map((l) => JSON.stringify(l)).join('\n')}\nFRR:\n${frr.text()}`;
      const peer = async () => (await frr.bfdPeers().catch(() => [])).find((x) => x.peer === hv.ipv4);
      await until(() => lines.some((l) => l.event === 'up'), 15_000, 'vipd session Up', detail);
      await until(async () => (await peer())?.status === 'up', 10_000, 'FRR session up', detail);
      const sourcePort = Number(lines.find((l) => l.event === 'started')?.sourcePort);
      assert.ok(sourcePort >= 49152 && sourcePort <= 65535, `source port ${sourcePort} (RFC 5881 §4)`);
      const up = await peer();
      assert.ok(up && up.id !== 0 && up['remote-id'] !== 0, `discriminators exchanged: ${JSON.stringify(up)}`);

      await new Promise((r) => setTimeout(r, 2000));
      assert.equal((await peer())?.status, 'up', `FRR stays up\n${detail()}`);
      assert.ok(!lines.some((l) => l.event === 'down'), `vipd stays Up\n${detail()}`);
      assert.deepEqual(lines.filter((l) => l.event === 'drop'), [], 'vipd dropped nothing of FRR\'s');

      // Graceful stop: AdminDown reaches FRR.
      p.kill('SIGTERM');
      await until(() => lines.some((l) => l.event === 'stopped'), 10_000, 'vipd fixture stopped', detail);
      await until(async () => (await peer())?.status === 'down', 5_000, 'FRR session down', detail);
      const down = await peer();
      assert.equal(down?.['remote-diagnostic'], 'administratively down', `FRR saw AdminDown: ${JSON.stringify(down)}`);

      // And the other way round: bfdd killed, vipd times out.
      lines.length = 0;
      const q = spawn('ip', ['netns', 'exec', hv.ns, process.execPath, '--import', 'tsx', FIXTURE, JSON.stringify(args)]);
      fixture = q;
      onLines(q.stdout, take);
      onLines(q.stderr, take);
      setTimeout(() => q.kill('SIGKILL'), 120_000).unref();
      await until(() => lines.some((l) => l.event === 'up'), 15_000, 'vipd session Up again', detail);
      frr.crash();
      await until(() => lines.some((l) => l.event === 'down'), 5_000, 'vipd session times out', detail);
      assert.equal(lines.find((l) => l.event === 'down')?.diag, 1, `diag 1 (Control Detection Time Expired)\n${detail()}`);
    } finally {
      fixture?.kill('SIGKILL');
      await frr.kill();
      await topo?.destroy();
    }
  });
});
