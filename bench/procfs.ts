/**
 * Resident memory and CPU time of a process from /proc (proc(5)): VmRSS from
 * /proc/PID/status, utime + stime (+ the reaped children's cutime + cstime: vipd's arping and
 * ip helpers count against it) from /proc/PID/stat, in clock ticks.
 */
import { readFile } from 'node:fs/promises';
import { exec } from '../test/netns/lib/index.js';

export interface ProcSample {
  readonly pid: number;
  readonly rssKiB: number;
  /** utime + stime + cutime + cstime, in clock ticks. */
  readonly cpuTicks: number;
}

/** Parses /proc/PID/stat. The command name (field 2) is in parentheses and may contain spaces. */
export function parseStat(text: string): { utime: number; stime: number; cutime: number; cstime: number } | undefined {
  const close = text.lastIndexOf(')');
  if (close < 0) return undefined;
  // After "pid (comm) ": field 3 (state) is index 0, so field N is index N − 3.
  const f = text.slice(close + 2).trim().split(/\s+/);
  const num = (field: number) => Number(f[field - 3]);
  const out = { utime: num(14), stime: num(15), cutime: num(16), cstime: num(17) };
  return Object.values(out).every(Number.isFinite) ? out : undefined;
}

/** VmRSS from /proc/PID/status, in KiB. */
export function parseRss(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m ? Number(m[1]) : undefined;
}

export async function sampleProcess(pid: number): Promise<ProcSample | undefined> {
  try {
    const [stat, status] = await Promise.all([readFile(`/proc/${pid}/stat`, 'utf8'), readFile(`/proc/${pid}/status`, 'utf8')]);
    const s = parseStat(stat);
    const rss = parseRss(status);
    if (!s || rss === undefined) return undefined;
    return { pid, rssKiB: rss, cpuTicks: s.utime + s.stime + s.cutime + s.cstime };
  } catch {
    return undefined; // the process is gone
  }
}

let ticks: number | undefined;

/** Clock ticks per second (getconf CLK_TCK; 100 on Linux unless proven otherwise). */
export async function clockTicks(): Promise<number> {
  if (ticks !== undefined) return ticks;
  const r = await exec(['getconf', 'CLK_TCK'], { check: false, timeoutMs: 5_000 }).catch(() => undefined);
  const n = Number(r?.stdout.trim());
  ticks = Number.isInteger(n) && n > 0 ? n : 100;
  return ticks;
}
