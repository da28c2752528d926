/**
 * systemd's system call groups and what strace saw, for checking a unit's SystemCallFilter= against
 * the calls a program really makes (systemd.test.ts, debian.test.ts).
 */
import { spawnSync } from 'node:child_process';

export const ANALYZE = '/usr/bin/systemd-analyze';

/** `systemd-analyze syscall-filter`: group name -> its members (system calls and nested groups). */
export function syscallGroups(): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  let current: string[] | undefined;
  const out = spawnSync(ANALYZE, ['syscall-filter', '--no-pager'], { encoding: 'utf8', timeout: 30_000 }).stdout ?? '';
  for (const line of out.split('\n')) {
    if (line.startsWith('@')) groups.set(line.trim(), (current = []));
    else if (current && line.trim() && !line.trim().startsWith('#')) current.push(line.trim());
  }
  return groups;
}

/** Every system call the listed groups (and bare call names) allow, nested groups expanded. */
export function allowedCalls(groups: Map<string, string[]>, names: Iterable<string>): Set<string> {
  const out = new Set<string>();
  for (const name of names) {
    if (!name.startsWith('@')) out.add(name);
    else for (const c of allowedCalls(groups, groups.get(name) ?? [])) out.add(c);
  }
  return out;
}

/**
 * The system calls in `strace -f` output (lines "PID name(...", "PID <... name resumed>"), from the
 * first line matching `from` on when it is given (to leave out what ran before the program proper).
 */
export function tracedCalls(trace: string, from?: RegExp): Set<string> {
  const lines = trace.split('\n');
  const start = from ? lines.findIndex((l) => from.test(l)) : 0;
  if (start < 0) throw new Error(`no line matches ${from} in the trace`);
  const calls = new Set<string>();
  for (const line of lines.slice(start)) {
    const m = /^\d+\s+(?:<\.\.\. )?([a-z0-9_]+)[( ]/.exec(line);
    if (m?.[1]) calls.add(m[1]);
  }
  return calls;
}
