/** The capture processes of bench/wire.ts: `ip monitor address` and tcpdump in one node's namespace. */
import type { Lab } from './lab.js';
import { NsProcess, pollUntil, sleep } from './proc.js';
import { parseMonitorLine, parseTcpdumpLine, type WireEvent } from './wire.js';

export class WireCapture {
  readonly events: WireEvent[] = [];
  private readonly procs: NsProcess[];

  private constructor(lab: Lab, node: string, lifetimeMs: number, arp: boolean) {
    const h = lab.host(node);
    // TZ=UTC: ip prints local time; the parser reads it as UTC.
    const env = { ...process.env, TZ: 'UTC' };
    const take = (parse: (l: string) => WireEvent | undefined) => (line: { text: string }) => {
      const e = parse(line.text);
      if (e && this.events.length < 10_000) this.events.push(e);
    };
    this.procs = [
      new NsProcess({ ns: h.ns, name: `ip monitor ${node}`, lifetimeMs, keepLines: 50, env, argv: ['ip', '-timestamp', '-tshort', 'monitor', 'address'], onLine: take(parseMonitorLine) }),
      ...(arp ? [new NsProcess({ ns: h.ns, name: `tcpdump ${node}`, lifetimeMs, keepLines: 50, env, argv: ['tcpdump', '-i', h.ifname, '-n', '-tt', '-l', '--immediate-mode', '-Q', 'out', 'arp'], onLine: take(parseTcpdumpLine) })] : []),
    ];
  }

  /**
   * Starts both (`arp: false`: the address monitor alone) and waits (bounded) until tcpdump
   * listens; `ip monitor` prints nothing until an event, so it gets a short head start.
   */
  static async start(lab: Lab, node: string, lifetimeMs: number, arp = true): Promise<WireCapture> {
    const c = new WireCapture(lab, node, lifetimeMs, arp);
    const tcpdump = c.procs[1];
    if (tcpdump) await pollUntil(() => tcpdump.lines.some((l) => l.text.startsWith('listening on')) || !tcpdump.running, 5_000, 20);
    else await sleep(200);
    return c;
  }

  stop(): void {
    for (const p of this.procs) p.kill();
  }
}
