/**
 * A seeded pseudo-random source for the fake's fault probabilities and generated ids, so a
 * seeded test run replays exactly (no unseeded Math.random in a fake). This is a
 * plain xorshift32 generator: statistically weak, which is fine for picking faults.
 */
export type Rng = () => number;

export function seededRng(seed: number): Rng {
  let state = (seed >>> 0) || 0x9e3779b9; // xorshift needs a non-zero state
  return () => {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    return state / 0x1_0000_0000;
  };
}

/** `n` lowercase hex digits from `rng`, for ids shaped like EC2's (eipassoc-0123…, 17 digits). */
export function hexId(rng: Rng, n = 17): string {
  let out = '';
  for (let i = 0; i < n; i++) out += Math.floor(rng() * 16).toString(16);
  return out;
}
