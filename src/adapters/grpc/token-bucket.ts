/**
 * A token bucket: `ratePerSecond` tokens accrue continuously up to `burst`; a frame takes one
 * (a frame budget) or its length (a byte budget). Time is passed in (monotonic ms), so the
 * bucket is a value tests drive exactly.
 */
export class TokenBucket {
  private tokens: number;
  private at: number;

  constructor(
    private readonly ratePerSecond: number,
    private readonly burst: number,
    now: number,
  ) {
    this.tokens = burst;
    this.at = now;
  }

  /** Whether `cost` tokens are there now (nothing is taken). O(1). */
  has(now: number, cost = 1): boolean {
    this.refill(now);
    return this.tokens >= cost;
  }

  /** Takes `cost` tokens if there are that many; otherwise takes none. O(1). */
  take(now: number, cost = 1): boolean {
    if (!this.has(now, cost)) return false;
    this.tokens -= cost;
    return true;
  }

  /** Whether the bucket is back to full, i.e. forgetting it loses nothing. */
  full(now: number): boolean {
    this.refill(now);
    return this.tokens >= this.burst;
  }

  private refill(now: number): void {
    // A clock that steps back (it should not: monotonic) adds nothing rather than subtracting.
    const elapsed = Math.max(0, now - this.at);
    this.at = Math.max(this.at, now);
    this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
  }
}
