/**
 * `exec` health check (keepalived vrrp_script): runs a command, no shell (an argv list), and
 * succeeds on exit status 0. The command runs in its own process group, so a timeout (or a
 * stop) kills the whole group with SIGKILL: a hung script and its children never outlive the
 * check (keepalived kills a script at its timeout too). Its output is kept only for the detail
 * (the last 200 bytes), never parsed.
 */
import { spawn } from 'node:child_process';
import type { HealthProbe, ProbeOutcome } from '../../ports/health-probe.js';

const KEEP_BYTES = 200;

export class ExecProbe implements HealthProbe {
  constructor(
    private readonly argv: readonly [string, ...string[]],
    private readonly env: NodeJS.ProcessEnv = process.env,
  ) {}

  run(signal: AbortSignal): Promise<ProbeOutcome> {
    return new Promise((resolve) => {
      const [command, ...args] = this.argv;
      let tail = '';
      const keep = (chunk: Buffer): void => {
        tail = (tail + chunk.toString('utf8')).slice(-KEEP_BYTES);
      };
      const child = spawn(command, args, { detached: true, stdio: ['ignore', 'pipe', 'pipe'], env: this.env });
      child.stdout?.on('data', keep);
      child.stderr?.on('data', keep);
      const kill = (): void => {
        try {
          if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      };
      if (signal.aborted) kill();
      signal.addEventListener('abort', kill, { once: true });
      child.once('error', (err) => {
        signal.removeEventListener('abort', kill);
        resolve({ ok: false, detail: `could not run ${command}: ${err.message}` });
      });
      child.once('close', (code, sig) => {
        signal.removeEventListener('abort', kill);
        const out = tail.trim().split('\n').at(-1) ?? '';
        const how = code !== null ? `exit ${code}` : `killed by ${sig ?? 'a signal'}`;
        resolve({ ok: code === 0, detail: out ? `${how}: ${out}` : how });
      });
    });
  }
}
