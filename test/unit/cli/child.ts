/**
 * Runs the vipd CLI as a child process and reads what it prints (pino's way of testing exit
 * and signal behaviour). Every wait is bounded.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export interface Child {
  proc: ChildProcessWithoutNullStreams;
  out: () => string;
  err: () => string;
  /** Resolves when stdout matches `re`; rejects after `ms` with what was printed. */
  waitFor: (re: RegExp, ms: number) => Promise<void>;
  exit: (ms: number) => Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function vipd(args: string[]): Child {
  return tsxChild('src/cli/vipd.ts', args);
}

/** Any TypeScript program of this repository (a fixture under test/fixtures), relative to ROOT. */
export function tsxChild(script: string, args: string[]): Child {
  const proc = spawn(process.execPath, ['--import', 'tsx', script, ...args], { cwd: ROOT, env: { ...process.env, NO_COLOR: '1' } });
  let out = '';
  let err = '';
  proc.stdout.on('data', (d: Buffer) => (out += d.toString()));
  proc.stderr.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  return {
    proc,
    out: () => out,
    err: () => err,
    waitFor: (re, ms) =>
      new Promise((resolve, reject) => {
        const started = Date.now();
        const tick = setInterval(() => {
          if (re.test(out)) { clearInterval(tick); resolve(); }
          else if (Date.now() - started > ms || proc.exitCode !== null || proc.signalCode !== null) {
            clearInterval(tick);
            reject(new Error(`no ${re} within ${ms} ms; stdout:\n${out}\nstderr:\n${err}`));
          }
        }, 20);
      }),
    exit: (ms) =>
      Promise.race([
        exited,
        new Promise<never>((_, reject) => setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`no exit within ${ms} ms; stdout:\n${out}\nstderr:\n${err}`)); }, ms).unref()),
      ]),
  };
}

/** Runs to completion and returns code and output. */
export async function vipdOnce(args: string[], ms = 20_000): Promise<{ code: number | null; out: string; err: string }> {
  const c = vipd(args);
  const { code } = await c.exit(ms);
  return { code, out: c.out(), err: c.err() };
}
