/**
 * Runs a program without a shell, with a timeout, and reports how it ended instead of throwing
 * for a non-zero exit (tests usually want to assert on the exit status and the output).
 */
import { execFile } from 'node:child_process';

export interface ExecResult {
  /** Exit status; null when the program was killed by a signal. */
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
  /** True when the timeout killed it. */
  readonly timedOut: boolean;
}

export interface ExecOptions {
  /** Kill the program after this long; default 10 s. */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
  /** Throw when the exit status is not 0 (default true). */
  readonly check?: boolean;
}

const DEFAULT_TIMEOUT_MS = 10_000;
const MAX_OUTPUT = 4 * 1024 * 1024;

/** Error thrown by `exec` with `check` on: the command line, how it ended and what it printed. */
export class ExecError extends Error {
  override readonly name = 'ExecError';
  constructor(readonly argv: readonly string[], readonly result: ExecResult) {
    const how = result.timedOut ? 'timed out' : result.code === null ? `was killed by ${result.signal}` : `exited with ${result.code}`;
    super(`\`${argv.join(' ')}\` ${how}${result.stderr.trim() ? `: ${result.stderr.trim()}` : ''}`);
  }
}

/** Runs `argv[0]` with `argv.slice(1)`; resolves with how it ended. */
export function exec(argv: readonly string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const [file, ...args] = argv;
  if (file === undefined) return Promise.reject(new Error('exec: empty command line'));
  const timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  return new Promise<ExecResult>((resolve, reject) => {
    execFile(
      file,
      args,
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8', ...(opts.signal ? { signal: opts.signal } : {}) },
      (err, stdout, stderr) => {
        if (err && (err as NodeJS.ErrnoException).code === 'ABORT_ERR') return reject(err);
        if (err && typeof (err as NodeJS.ErrnoException).code === 'string') return reject(err); // ENOENT, EACCES: not started
        const e = err as (Error & { code?: number; signal?: NodeJS.Signals; killed?: boolean }) | null;
        const result: ExecResult = {
          code: e ? (typeof e.code === 'number' ? e.code : null) : 0,
          signal: e?.signal ?? null,
          stdout,
          stderr,
          timedOut: Boolean(e?.killed && e.signal === 'SIGKILL'),
        };
        if ((opts.check ?? true) && result.code !== 0) return reject(new ExecError(argv, result));
        resolve(result);
      },
    );
  });
}
