/**
 * `process` health check: a process with this name is running (its /proc/PID/comm, as `pgrep -x`
 * matches; Linux truncates comm to 15 bytes, so a longer name is compared by its first 15),
 * optionally with `args` contained in its command line.
 */
import { readdir, readFile } from 'node:fs/promises';
import type { HealthProbe, ProbeOutcome } from '../../ports/health-probe.js';

const COMM_MAX = 15;

export class ProcessProbe implements HealthProbe {
  constructor(
    private readonly name: string,
    private readonly args?: string,
    private readonly proc = '/proc',
  ) {}

  async run(signal: AbortSignal): Promise<ProbeOutcome> {
    const want = this.name.slice(0, COMM_MAX);
    const pids = (await readdir(this.proc)).filter((d) => /^\d+$/.test(d));
    for (const pid of pids) {
      if (signal.aborted) break;
      const comm = await readFile(`${this.proc}/${pid}/comm`, 'utf8').catch(() => '');
      if (comm.trim() !== want) continue;
      if (this.args !== undefined) {
        const cmdline = await readFile(`${this.proc}/${pid}/cmdline`, 'utf8').catch(() => '');
        if (!cmdline.split('\0').join(' ').includes(this.args)) continue;
      }
      return { ok: true, detail: `${this.name} running (pid ${pid})` };
    }
    return { ok: false, detail: `no process ${this.name}${this.args !== undefined ? ` with ${JSON.stringify(this.args)}` : ''}` };
  }
}
