/**
 * Reading the agents of the bench lab's process tests (bench/impls.ts `Agent`): their log lines
 * with when each happened, a bounded poll, and the runs of samples with two holders
 * (test/netns/lib/holders.ts). Shared by both-transport, both-vipd and cutoff tests.
 */
import type { Agent } from '../../../bench/impls.js';
import { nowMs, sleep, type Line } from '../../../bench/proc.js';
import type { HolderSample } from './holders.js';

/** One log line: `t` when the test read it, `at` when it happened (pino's time; keepalived: `t`). */
export interface Entry {
  readonly t: number;
  readonly at: number;
  readonly node: string;
  readonly msg: string;
}

/** pino's `time` (epoch ms, whole ms) against the sampler's monotonic clock. */
const EPOCH_MINUS_MONO = Date.now() - nowMs();
export const mono = (epochMs: number): number => epochMs - EPOCH_MINUS_MONO;

const parsed = new WeakMap<Line, Entry | null>();

/** An agent's log: vipd's pino JSON lines (`json`), or keepalived's text with its date stripped. */
export function entries(agent: Agent, json = true): Entry[] {
  return agent.proc.lines.flatMap((l: Line) => {
    let e = parsed.get(l);
    if (e === undefined) {
      e = null;
      if (!json) {
        e = { t: l.t, at: l.t, node: agent.node, msg: l.text.replace(/^.*?: (?=\()/, '') };
      } else if (l.text.startsWith('{')) {
        try {
          const j = JSON.parse(l.text) as { msg?: string; time?: number };
          e = { t: l.t, at: typeof j.time === 'number' ? mono(j.time) : l.t, node: agent.node, msg: j.msg ?? '' };
        } catch {
          // not one of vipd's JSON lines
        }
      }
      parsed.set(l, e);
    }
    return e ? [e] : [];
  });
}

/** Polls `cond` every 20 ms for at most `ms`; the error says what was awaited and `detail()`. */
export async function until(cond: () => boolean | Promise<boolean>, ms: number, what: string, detail: () => string): Promise<void> {
  const end = nowMs() + ms;
  for (let i = 0; i < ms / 20 + 2; i++) {
    if (await cond()) return;
    if (nowMs() > end) break;
    await sleep(20);
  }
  throw new Error(`timed out after ${ms} ms waiting for ${what}\n${detail()}`);
}

/** Runs of consecutive samples in which more than one host carried the VIP. */
export function overlapRuns(samples: readonly HolderSample[]): HolderSample[][] {
  const runs: HolderSample[][] = [];
  let run: HolderSample[] = [];
  for (const s of samples) {
    if (s.holders.length > 1) run.push(s);
    else if (run.length > 0) {
      runs.push(run);
      run = [];
    }
  }
  if (run.length > 0) runs.push(run);
  return runs;
}
