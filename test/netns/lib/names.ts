/**
 * Names of everything a test creates: `vtn` + the owner's pid (5 base-36 digits) + a slot
 * (1 base-36 digit), e.g. `vtn001z3k0`. The pid in the name lets a later run tell a crashed
 * run's leftovers (owner gone: remove) from a run in progress in a parallel test process
 * (owner alive: leave alone). Interface names stay within IFNAMSIZ − 1 = 15 characters: the
 * 9-character prefix leaves 6 for a suffix ("br", "s12", "h12").
 */

export const NAME_PREFIX = 'vtn';
/** Matches every name this library has ever made; group 1 is the owner's pid in base 36. */
export const NAME_PATTERN = /^vtn([0-9a-z]{5})([0-9a-z])/;
/** Longest interface name the kernel accepts (IFNAMSIZ 16 with the terminating NUL). */
export const MAX_IFNAME = 15;

const SLOTS = 36;
const usedSlots = new Set<number>();

/** This process's tag: `vtn` + pid in base 36, padded to 5 digits (Linux pids fit: ≤ 4194304). */
export function processTag(pid: number = process.pid): string {
  return `${NAME_PREFIX}${pid.toString(36).padStart(5, '0')}`;
}

/** Reserves a fresh prefix for one topology; give it back with `releasePrefix`. */
export function allocatePrefix(): string {
  for (let slot = 0; slot < SLOTS; slot++) {
    if (usedSlots.has(slot)) continue;
    usedSlots.add(slot);
    return `${processTag()}${slot.toString(36)}`;
  }
  throw new Error(`more than ${SLOTS} topologies alive at once in one process`);
}

export function releasePrefix(prefix: string): void {
  const m = NAME_PATTERN.exec(prefix);
  if (m?.[2] !== undefined && prefix.startsWith(processTag())) usedSlots.delete(parseInt(m[2], 36));
}

/** Pid of the process that made `name`, or undefined when the name is not one of ours. */
export function ownerPid(name: string): number | undefined {
  const m = NAME_PATTERN.exec(name);
  return m?.[1] === undefined ? undefined : parseInt(m[1], 36);
}

/** Whether a process with this pid exists (EPERM means it exists but belongs to someone else). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** `base` + `suffix`, refusing names the kernel would reject rather than truncating silently. */
export function ifname(base: string, suffix: string): string {
  const name = `${base}${suffix}`;
  if (name.length > MAX_IFNAME) throw new Error(`interface name ${name} is longer than ${MAX_IFNAME} characters`);
  return name;
}
