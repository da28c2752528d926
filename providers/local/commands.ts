/**
 * How the local provider runs system tools: execFile (never a shell), a timeout on every call,
 * the caller's AbortSignal killing the child. Injected as a port so tests can replace the
 * system with a fake, and so a whole provider can run inside a network namespace.
 */
import { execFile } from 'node:child_process';
import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';

export interface CommandResult {
  /** Exit status; null when a signal ended the program. */
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

export interface RunOptions {
  readonly signal: AbortSignal;
  readonly timeoutMs: number;
}

/** Thrown by `run` when the timeout killed the program. */
export class CommandTimeoutError extends Error {
  override readonly name = 'CommandTimeoutError';
  constructor(readonly argv: readonly string[], readonly timeoutMs: number) {
    super(`\`${argv.join(' ')}\` timed out after ${timeoutMs} ms`);
  }
}

/** Thrown by `run` when the caller's signal killed the program (or it was aborted before it started). */
export class CommandAbortedError extends Error {
  override readonly name = 'CommandAbortedError';
  constructor(readonly argv: readonly string[], options?: { cause?: unknown }) {
    super(`\`${argv.join(' ')}\` aborted`, options);
  }
}

export interface CommandRunner {
  /** Absolute path of `tool`, or undefined when it is not installed. Never throws. */
  locate(tool: string): Promise<string | undefined>;
  /**
   * Runs `file` with `args`. Resolves with the exit status and output, whatever the status;
   * rejects with CommandTimeoutError, CommandAbortedError, or the spawn error (ENOENT, EACCES).
   */
  run(file: string, args: readonly string[], opts: RunOptions): Promise<CommandResult>;
}

// sbin is searched even when PATH lacks it (a unit started with a minimal PATH): `ip` lives there.
const SYSTEM_DIRS = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];
const MAX_OUTPUT = 1024 * 1024;

/** The real system. */
export const systemRunner: CommandRunner = {
  async locate(tool) {
    const dirs = new Set([...(process.env.PATH ?? '').split(delimiter).filter((d) => d.startsWith('/')), ...SYSTEM_DIRS]);
    for (const dir of dirs) {
      const candidate = join(dir, tool);
      try {
        await access(candidate, constants.X_OK);
        return candidate;
      } catch {
        // not here
      }
    }
    return undefined;
  },

  run(file, args, opts) {
    const argv = [file, ...args];
    if (opts.signal.aborted) return Promise.reject(new CommandAbortedError(argv, { cause: opts.signal.reason }));
    return withSpawnSlot(opts.signal, () => new Promise<CommandResult>((resolve, reject) => {
      execFile(
        file,
        args,
        { signal: opts.signal, timeout: opts.timeoutMs, killSignal: 'SIGKILL', maxBuffer: MAX_OUTPUT, encoding: 'utf8', env: { ...process.env, LC_ALL: 'C' } },
        (err, stdout, stderr) => {
          if (!err) return resolve({ code: 0, stdout, stderr });
          const e = err as Error & { code?: unknown; killed?: boolean; signal?: string };
          if (e.code === 'ABORT_ERR' || opts.signal.aborted) return reject(new CommandAbortedError(argv, { cause: opts.signal.reason }));
          if (e.killed && e.signal === 'SIGKILL') return reject(new CommandTimeoutError(argv, opts.timeoutMs));
          if (typeof e.code === 'string') return reject(err); // never started: ENOENT, EACCES
          resolve({ code: typeof e.code === 'number' ? e.code : null, stdout, stderr });
        },
      );
    }));
  },
};

/**
 * Spawning a program blocks Node's event loop for about 2 ms (measured here: 200 spawns at once
 * stalled it for 360 ms). A node with 100 groups taking over at once would spawn hundreds and
 * stall past Master_Down_Interval, missing adverts and flapping (npm run bench, 100 groups).
 * So spawns are spaced SPAWN_SPACING_MS apart, each on its own turn of the event loop, which
 * reads the sockets in between; at most MAX_RUNNING programs live at once (arping stays up about
 * a second, so counting lifetimes instead of starts would queue everything behind it).
 */
const SPAWN_SPACING_MS = 8;
const MAX_RUNNING = 16;
let running = 0;
let nextSpawnAt = 0;
const waiting: Array<() => void> = [];

function waitTurn(signal: AbortSignal, until: (resolve: () => void) => void): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let done = false;
    const abort = () => {
      if (done) return;
      done = true;
      reject(new CommandAbortedError(['(queued)'], { cause: signal.reason }));
    };
    signal.addEventListener('abort', abort, { once: true });
    until(() => {
      if (done) return;
      done = true;
      signal.removeEventListener('abort', abort);
      resolve();
    });
  });
}

async function withSpawnSlot<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
  if (running >= MAX_RUNNING) await waitTurn(signal, (go) => waiting.push(go));
  const now = performance.now();
  const at = Math.max(now, nextSpawnAt);
  nextSpawnAt = at + SPAWN_SPACING_MS;
  await waitTurn(signal, (go) => (at > now ? setTimeout(go, at - now) : setImmediate(go)));
  running += 1;
  try {
    return await fn();
  } finally {
    running -= 1;
    waiting.shift()?.();
  }
}

/**
 * Runs every command inside network namespace `netns` (`ip netns exec NAME tool …`, keepalived's
 * `net_namespace`). `ip netns exec` execs the tool in place, so killing it kills the tool.
 */
export function inNetns(runner: CommandRunner, netns: string): CommandRunner {
  let ipPath: Promise<string | undefined> | undefined;
  return {
    locate: (tool) => runner.locate(tool),
    async run(file, args, opts) {
      ipPath ??= runner.locate('ip');
      const ip = await ipPath;
      if (!ip) {
        const err = new Error('`ip` not found: running commands inside a network namespace needs iproute2') as NodeJS.ErrnoException;
        err.code = 'ENOENT';
        throw err;
      }
      return runner.run(ip, ['netns', 'exec', netns, file, ...args], opts);
    },
  };
}
