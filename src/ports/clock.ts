/**
 * The only source of time for the runtime (keepalived reads the clock in one place).
 * The system clock is monotonic; the simulator's clock is virtual.
 */
export interface Clock {
  /** Milliseconds on a monotonic scale. Never blocks. */
  now(): number;
  /**
   * Calls `fn` once at or after `at` (clock time). Returns a cancel function; cancelling a fired
   * or cancelled timer is harmless. `fn` must not throw; the clock does not catch.
   */
  schedule(at: number, fn: () => void): () => void;
}
