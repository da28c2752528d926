/**
 * Programs the bench runs inside its namespaces: started with `ip netns exec` (which execs, so
 * the pid is the program's own), output read line by line as it comes, a bounded lifetime, and
 * a registry so an interrupted bench can kill every one of them synchronously.
 *
 * test/netns/lib's Host.spawn collects output only at stop() and test/netns/agents.ts kills
 * agents after a fixed 180 s; the bench needs live lines (roles, client answers) and phases
 * longer than that, hence this small wrapper beside them.
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

/** Milliseconds on CLOCK_MONOTONIC: the clock the probe client prints, so times compare across processes. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

export interface Line {
  readonly t: number;
  readonly text: string;
}

export interface NsProcessOptions {
  readonly ns: string;
  readonly argv: readonly string[];
  /** For messages: "keepalived a", "client". */
  readonly name: string;
  /** Killed after this long whatever happens. */
  readonly lifetimeMs: number;
  /** Called for each line of stdout and stderr as it arrives. */
  readonly onLine?: (line: Line) => void;
  /** Lines kept for inspection (oldest dropped first); default 2000. */
  readonly keepLines?: number;
  /** The program's environment (default the bench's own). */
  readonly env?: NodeJS.ProcessEnv;
}

const live = new Set<NsProcess>();

export class NsProcess {
  readonly lines: Line[] = [];
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly lifetime: NodeJS.Timeout;

  constructor(readonly opts: NsProcessOptions) {
    this.child = spawn('ip', ['netns', 'exec', opts.ns, ...opts.argv], { stdio: ['pipe', 'pipe', 'pipe'], ...(opts.env ? { env: opts.env } : {}) });
    live.add(this);
    const keep = opts.keepLines ?? 2000;
    const reader = () => {
      let buf = '';
      return (d: Buffer) => {
        buf += d.toString('utf8');
        let i: number;
        while ((i = buf.indexOf('\n')) >= 0) {
          const text = buf.slice(0, i);
          buf = buf.slice(i + 1);
          if (!text) continue;
          const line = { t: nowMs(), text };
          this.lines.push(line);
          if (this.lines.length > keep) this.lines.splice(0, this.lines.length - keep);
          opts.onLine?.(line);
        }
      };
    };
    this.child.stdout.on('data', reader());
    this.child.stderr.on('data', reader());
    this.child.stdin.on('error', () => undefined);
    this.exited = new Promise((resolve) => {
      this.child.once('error', (err) => {
        this.lines.push({ t: nowMs(), text: `spawn error: ${err.message}` });
        resolve({ code: null, signal: null });
      });
      this.child.once('exit', (code, signal) => resolve({ code, signal }));
    });
    this.lifetime = setTimeout(() => this.kill(), opts.lifetimeMs);
    void this.exited.then(() => {
      clearTimeout(this.lifetime);
      live.delete(this);
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  signal(sig: NodeJS.Signals): void {
    if (this.running) this.child.kill(sig);
  }

  /** SIGCONT (it may be frozen) then SIGKILL. */
  kill(): void {
    this.signal('SIGCONT');
    this.signal('SIGKILL');
  }

  /** Waits at most `ms` for the exit; true when it exited. */
  async waitExit(ms: number): Promise<boolean> {
    if (!this.running) return true;
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    const done = await Promise.race([this.exited.then(() => true), timeout]);
    clearTimeout(timer);
    return done;
  }

  /** The last lines it printed, for error messages. */
  tail(n = 15): string {
    return this.lines.slice(-n).map((l) => `  ${this.opts.name}: ${l.text}`).join('\n');
  }
}

/** Every program still running (for the interrupt handler). */
export function liveProcesses(): NsProcess[] {
  return [...live];
}

/** Polls `probe` every `everyMs` until it returns true; false after `timeoutMs` (bounded in count and time). */
export async function pollUntil(probe: () => boolean | Promise<boolean>, timeoutMs: number, everyMs = 50): Promise<boolean> {
  const deadline = nowMs() + timeoutMs;
  const maxAttempts = Math.ceil(timeoutMs / everyMs) + 1;
  for (let i = 0; i < maxAttempts; i++) {
    if (await probe()) return true;
    if (nowMs() >= deadline) return false;
    await sleep(Math.min(everyMs, deadline - nowMs()));
  }
  return false;
}

/**
 * At most `n` of the tasks given to the returned function run at once; the others wait their
 * turn in order (the cells' labs start a few at a time: each starts three Node programs).
 */
export function limiter(n: number): <T>(task: () => Promise<T>) => Promise<T> {
  let running = 0;
  const waiting: Array<() => void> = [];
  return async <T>(task: () => Promise<T>): Promise<T> => {
    if (running >= n) await new Promise<void>((resolve) => waiting.push(resolve));
    running += 1;
    try {
      return await task();
    } finally {
      running -= 1;
      waiting.shift()?.();
    }
  };
}
