/**
 * `interface` health check: the link is up (/sys/class/net/IF/operstate "up"; "unknown", which
 * loopback and some virtual links report, counts as up when the carrier is present). With a
 * weight it moves priority; with weight 0 it faults the group, as keepalived's track_interface.
 */
import { readFile } from 'node:fs/promises';
import type { HealthProbe, ProbeOutcome } from '../../ports/health-probe.js';

export class InterfaceProbe implements HealthProbe {
  constructor(
    private readonly ifname: string,
    private readonly sys = '/sys/class/net',
  ) {}

  async run(signal: AbortSignal): Promise<ProbeOutcome> {
    const read = (file: string) => readFile(`${this.sys}/${this.ifname}/${file}`, { encoding: 'utf8', signal }).then((t) => t.trim(), () => undefined);
    const state = await read('operstate');
    if (state === undefined) return { ok: false, detail: `no interface ${this.ifname}` };
    if (state === 'up') return { ok: true, detail: `${this.ifname} up` };
    if (state === 'unknown' && (await read('carrier')) === '1') return { ok: true, detail: `${this.ifname} up (operstate unknown, carrier 1)` };
    return { ok: false, detail: `${this.ifname} ${state}` };
  }
}
