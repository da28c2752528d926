/**
 * Who carries an address, sampled every ~10 ms in several namespaces at once, for tests that
 * check "never two holders" (docs/leases.md) from outside the agents. One long-lived
 * `ip -j -force -b -` per namespace is fed one `addr show dev IF` per sample: the information
 * of `ip -o addr show` without two forks per sample on a 2-core machine (the technique of
 * test/netns/cutoff.test.ts, here shared and for any number of hosts).
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';

const nowMs = (): number => Number(process.hrtime.bigint()) / 1e6;
const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));

/** One sample: the hosts that carried the address, read between `from` and `to` (nowMs, CLOCK_MONOTONIC). */
export interface HolderSample {
  readonly from: number;
  readonly to: number;
  readonly holders: readonly string[];
}

/**
 * A long-lived `ip -j -force -b -` in one namespace: each read writes one `addr show dev IF`
 * and resolves with the addresses of the single JSON line that answers it (ip flushes its JSON
 * output per command).
 */
export class AddrReader {
  private readonly child: ChildProcessWithoutNullStreams;
  private buf = '';
  private readonly waiting: Array<{ resolve: (addrs: string[]) => void; reject: (err: Error) => void }> = [];

  constructor(private readonly ns: string, private readonly dev: string) {
    this.child = spawn('ip', ['-n', ns, '-j', '-force', '-b', '-'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child.stdin.on('error', () => undefined);
    this.child.stdout.setEncoding('utf8').on('data', (d: string) => {
      this.buf += d;
      let i: number;
      while ((i = this.buf.indexOf('\n')) >= 0) {
        const line = this.buf.slice(0, i).trim();
        this.buf = this.buf.slice(i + 1);
        if (!line) continue;
        const w = this.waiting.shift();
        if (!w) continue;
        try {
          const parsed = JSON.parse(line) as Array<{ addr_info?: Array<{ local?: string }> }>;
          w.resolve(parsed.flatMap((l) => l.addr_info ?? []).flatMap((a) => (a.local ? [a.local] : [])));
        } catch (err) {
          w.reject(err as Error);
        }
      }
    });
    this.child.once('exit', () => {
      for (const w of this.waiting.splice(0)) w.reject(new Error(`ip -b in ${this.ns} exited`));
    });
  }

  read(timeoutMs = 2_000): Promise<string[]> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`ip -b in ${this.ns} gave no answer in time`)), timeoutMs);
      this.waiting.push({
        resolve: (v) => (clearTimeout(timer), resolve(v)),
        reject: (e) => (clearTimeout(timer), reject(e)),
      });
      this.child.stdin.write(`addr show dev ${this.dev}\n`);
    });
  }

  async has(address: string): Promise<boolean> {
    return (await this.read()).includes(address);
  }

  close(): void {
    this.child.stdin.end();
    this.child.kill('SIGKILL');
  }
}

/**
 * Samples which of `readers` carry `address` every `everyMs` until stopped, bounded in count
 * and in time (`maxMs`) so it never outlives a hung test by much.
 */
export class HolderSampler {
  readonly samples: HolderSample[] = [];
  errors = 0;
  private stopped = false;
  private readonly done: Promise<void>;

  constructor(private readonly readers: ReadonlyMap<string, AddrReader>, private readonly address: string, private readonly everyMs = 10, private readonly maxMs = 60_000) {
    this.done = this.loop();
  }

  private async loop(): Promise<void> {
    const end = nowMs() + this.maxMs;
    const names = [...this.readers.keys()];
    for (let i = 0; i < this.maxMs / this.everyMs && !this.stopped && nowMs() < end; i++) {
      const from = nowMs();
      try {
        const held = await Promise.all(names.map((n) => this.readers.get(n)?.has(this.address) ?? false));
        this.samples.push({ from, to: nowMs(), holders: names.filter((_, k) => held[k]) });
      } catch {
        this.errors += 1;
      }
      await sleep(from + this.everyMs - nowMs());
    }
  }

  last(): HolderSample | undefined {
    return this.samples[this.samples.length - 1];
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.done;
  }
}
