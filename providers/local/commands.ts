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
    return spawnGate.run(opts.signal, () => new Promise<CommandResult>((resolve, reject) => {
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
 * So spawns are spaced `spacingMs` apart, each on its own turn of the event loop, which reads the
 * sockets in between; at most `maxRunning` programs live at once (arping stays up about a
 * second, so counting lifetimes instead of starts would queue everything behind it).
 */
export class SpawnGate {
  private running = 0;
  private nextSpawnAt = 0;
  /** First come, first served. An aborted waiter leaves the queue at once (issue 8 finding 3). */
  private readonly waiting: Array<() => void> = [];

  constructor(readonly maxRunning: number, readonly spacingMs: number) {}

  /** Runs `fn` when a slot is free and its spacing has passed; rejects with CommandAbortedError if `signal` aborts first. */
  async run<T>(signal: AbortSignal, fn: () => Promise<T>): Promise<T> {
    await this.takeSlot(signal);
    try {
      await this.spacing(signal);
      return await fn();
    } finally {
      this.freeSlot();
    }
  }

  /**
   * The slot is counted the moment it is granted, never after an await: otherwise every caller of
   * one burst sees the count before any of them raised it, and all of them run.
   */
  private takeSlot(signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(queuedAbort(signal));
    if (this.running < this.maxRunning && this.waiting.length === 0) {
      this.running += 1;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const grant = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      // Leaving the queue matters: a dead entry would take the slot of a finished program and
      // drop it, and the live caller behind it would wait until some unrelated program ends —
      // for a settled backup, forever.
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(queuedAbort(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  /** A finished program's slot passes straight to the first waiter (the count stays). */
  private freeSlot(): void {
    const next = this.waiting.shift();
    if (next) next();
    else this.running -= 1;
  }

  private spacing(signal: AbortSignal): Promise<void> {
    const now = performance.now();
    const at = Math.max(now, this.nextSpawnAt);
    this.nextSpawnAt = at + this.spacingMs;
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const timer = at > now ? setTimeout(go, at - now) : undefined;
      const immediate = timer === undefined ? setImmediate(go) : undefined;
      const onAbort = () => {
        if (timer !== undefined) clearTimeout(timer);
        if (immediate !== undefined) clearImmediate(immediate);
        reject(queuedAbort(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

function queuedAbort(signal: AbortSignal): CommandAbortedError {
  return new CommandAbortedError(['(queued)'], { cause: signal.reason });
}

/** The one gate of this process: the event loop it protects is shared by every group. */
const spawnGate = new SpawnGate(16, 8);

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
