/**
 * mulberry32 (the simulator's generator, test/sim/rng.ts) as pure functions over its 32-bit
 * state. The state lives in MembershipState, so a member's choices (probe order, indirect
 * helpers, gossip targets) replay from its seed.
 */

export interface Drawn<T> {
  readonly value: T;
  readonly rng: number;
}

/** Uniform in [0, 1), and the next state. */
export function nextRandom(rng: number): Drawn<number> {
  const s = (rng + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return { value: ((t ^ (t >>> 14)) >>> 0) / 4294967296, rng: s };
}

/** Integer in [0, n); 0 when n ≤ 0. */
export function randomIndex(rng: number, n: number): Drawn<number> {
  const r = nextRandom(rng);
  return { value: n > 0 ? Math.floor(r.value * n) : 0, rng: r.rng };
}

/** Fisher-Yates shuffle into a new array. */
export function shuffle<T>(xs: readonly T[], rng: number): Drawn<T[]> {
  const out = xs.slice();
  let s = rng;
  for (let i = out.length - 1; i > 0; i--) {
    const r = randomIndex(s, i + 1);
    s = r.rng;
    const j = r.value;
    const tmp = out[i] as T;
    out[i] = out[j] as T;
    out[j] = tmp;
  }
  return { value: out, rng: s };
}

/**
 * Up to `k` distinct elements of `xs` that pass `eligible`, in random order (memberlist
 * kRandomNodes). Tries random indices first (cheap when most members are eligible, as in a
 * healthy cluster) and falls back to a full scan, so the answer never depends on luck.
 */
export function sample<T>(xs: readonly T[], k: number, eligible: (x: T) => boolean, rng: number): Drawn<T[]> {
  const out: T[] = [];
  if (k <= 0 || xs.length === 0) return { value: out, rng };
  let s = rng;
  for (let tries = 0; tries < 3 * k && out.length < k; tries++) {
    const r = randomIndex(s, xs.length);
    s = r.rng;
    const x = xs[r.value] as T;
    if (eligible(x) && !out.includes(x)) out.push(x);
  }
  if (out.length === k) return { value: out, rng: s };
  const rest = xs.filter((x) => eligible(x) && !out.includes(x));
  const sh = shuffle(rest, s);
  return { value: out.concat(sh.value.slice(0, k - out.length)), rng: sh.rng };
}
