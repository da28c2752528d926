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
  /** Announcements and probes: they wait behind address changes for a spawn slot (SpawnGate). */
  readonly background?: boolean;
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
    spawnCount.total += 1;
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
    }), opts.background ? 'background' : 'foreground');
  },
};

/**
 * Spawning a program blocks Node's event loop for about 2 ms (measured here: 200 spawns at once
 * stalled it for 360 ms). A node with 100 groups taking over at once would spawn hundreds and
 * stall past Master_Down_Interval, missing adverts and flapping (npm run bench, 100 groups).
 * So spawns are spaced `spacingMs` apart, each on its own turn of the event loop, which reads the
 * sockets in between; at most `maxRunning` programs live at once (arping stays up about a
 * second, so counting lifetimes instead of starts would queue everything behind it).
 *
 * Two lanes, for the slots and for the spacing: `background` programs (announcements and
 * conflict probes, which arping keeps alive a second each) may hold all but `reservedForeground`
 * slots, and foreground waiters (adding and removing addresses: a takeover, a release) go first
 * for a slot and for the next spawn turn. Without that, 100 groups' gratuitous ARP (16 a second
 * at most) would hold up a release or a takeover for tens of seconds; and before issue 10 a
 * foreground spawn still waited for the spacing every background spawn queued before it had
 * reserved (one FIFO of spawn turns). Only the fallback without the native part spawns on a
 * takeover at all (README.md, "Without the native part").
 */
export type SpawnLane = 'foreground' | 'background';

export class SpawnGate {
  private running = 0;
  private runningBackground = 0;
  /** When the last program was started (performance.now()). */
  private lastSpawnAt = Number.NEGATIVE_INFINITY;
  private turnArmed = false;
  /** Callers that have a slot and wait for their spawn turn, per lane. */
  private readonly turns: Record<SpawnLane, Array<() => void>> = { foreground: [], background: [] };
  /** First come, first served per lane. An aborted waiter leaves at once (issue 8 finding 3). */
  private readonly waiting: Record<SpawnLane, Array<() => void>> = { foreground: [], background: [] };

  constructor(readonly maxRunning: number, readonly spacingMs: number, readonly reservedForeground = 0) {
    if (reservedForeground >= maxRunning) throw new RangeError('reservedForeground must leave background at least one slot');
  }

  /** Runs `fn` when a slot is free and its spacing has passed; rejects with CommandAbortedError if `signal` aborts first. */
  async run<T>(signal: AbortSignal, fn: () => Promise<T>, lane: SpawnLane = 'foreground'): Promise<T> {
    await this.takeSlot(signal, lane);
    try {
      await this.spacing(signal, lane);
      return await fn();
    } finally {
      this.freeSlot(lane);
    }
  }

  private canRun(lane: SpawnLane): boolean {
    if (this.running >= this.maxRunning) return false;
    return lane === 'foreground' || this.runningBackground < this.maxRunning - this.reservedForeground;
  }

  private count(lane: SpawnLane, by: 1 | -1): void {
    this.running += by;
    if (lane === 'background') this.runningBackground += by;
  }

  /**
   * The slot is counted the moment it is granted, never after an await: otherwise every caller of
   * one burst sees the count before any of them raised it, and all of them run.
   */
  private takeSlot(signal: AbortSignal, lane: SpawnLane): Promise<void> {
    if (signal.aborted) return Promise.reject(queuedAbort(signal));
    const queue = this.waiting[lane];
    if (queue.length === 0 && this.canRun(lane)) {
      this.count(lane, 1);
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
        const i = queue.indexOf(grant);
        if (i >= 0) queue.splice(i, 1);
        reject(queuedAbort(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(grant);
    });
  }

  /** A finished program's slot goes to the first foreground waiter, else to the first background one that may run. */
  private freeSlot(lane: SpawnLane): void {
    this.count(lane, -1);
    for (const next of ['foreground', 'background'] as const) {
      const queue = this.waiting[next];
      if (queue.length === 0 || !this.canRun(next)) continue;
      this.count(next, 1);
      queue.shift()?.();
      return;
    }
  }

  /** Waits for this caller's spawn turn: one turn every `spacingMs`, each on its own turn of the event loop, foreground first. */
  private spacing(signal: AbortSignal, lane: SpawnLane): Promise<void> {
    if (signal.aborted) return Promise.reject(queuedAbort(signal));
    const queue = this.turns[lane];
    return new Promise<void>((resolve, reject) => {
      const go = () => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = () => {
        const i = queue.indexOf(go);
        if (i >= 0) queue.splice(i, 1);
        reject(queuedAbort(signal));
      };
      signal.addEventListener('abort', onAbort, { once: true });
      queue.push(go);
      this.armTurn();
    });
  }

  private armTurn(): void {
    if (this.turnArmed || (this.turns.foreground.length === 0 && this.turns.background.length === 0)) return;
    this.turnArmed = true;
    const now = performance.now();
    const at = Math.max(now, this.lastSpawnAt + this.spacingMs);
    const turn = () => {
      this.turnArmed = false;
      const go = this.turns.foreground.shift() ?? this.turns.background.shift();
      if (go) {
        this.lastSpawnAt = performance.now();
        go();
      }
      this.armTurn();
    };
    if (at > now) setTimeout(turn, at - now);
    else setImmediate(turn);
  }
}

function queuedAbort(signal: AbortSignal): CommandAbortedError {
  return new CommandAbortedError(['(queued)'], { cause: signal.reason });
}

/**
 * Programs this process started through `systemRunner` (tests check that a takeover on the
 * native path starts none; README.md, "Native path").
 */
export const spawnCount = { total: 0 };

/** The one gate of this process: the event loop it protects is shared by every group. 4 of 16 slots stay free for the foreground. */
const spawnGate = new SpawnGate(16, 8, 4);

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
