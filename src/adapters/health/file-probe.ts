/**
 * `file` health check (keepalived track_file): the file holds one integer (whitespace around it
 * allowed), which becomes the tracking group's weight contribution (src/core/health/weights.ts).
 * A missing file, an empty one or anything that is not a decimal integer in -254..254 fails.
 */
import { readFile } from 'node:fs/promises';
import type { HealthProbe, ProbeOutcome } from '../../ports/health-probe.js';

export class FileProbe implements HealthProbe {
  constructor(private readonly path: string) {}

  async run(signal: AbortSignal): Promise<ProbeOutcome> {
    let text: string;
    try {
      text = await readFile(this.path, { encoding: 'utf8', signal });
    } catch (err) {
      return { ok: false, detail: `${this.path}: ${(err as NodeJS.ErrnoException).code ?? String(err)}` };
    }
    const t = text.trim();
    if (!/^[-+]?\d{1,3}$/.test(t) || Math.abs(Number(t)) > 254) return { ok: false, detail: `${this.path}: not an integer in -254..254 (${JSON.stringify(t.slice(0, 20))})` };
    return { ok: true, detail: `read ${Number(t)}`, value: Number(t) };
  }
}
