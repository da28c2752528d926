/**
 * One run of a health check (issue 11 §1, docs/health-checks.md): the adapters run a command,
 * an HTTP request, a TCP connect, read a file or look for a process (src/adapters/health/).
 * src/runtime/health-checks.ts schedules runs, enforces the timeout through `signal` and keeps
 * the state.
 */
export interface ProbeOutcome {
  readonly ok: boolean;
  /** What happened, short: "exit 0", "exit 1: connection refused", "HTTP 503", "read 40". */
  readonly detail: string;
  /** A `file` check's integer (keepalived track_file). */
  readonly value?: number;
}

export interface HealthProbe {
  /**
   * Runs once. Must stop work and settle soon after `signal` aborts (a timeout, a stop): an
   * `exec` probe kills its process. Rejecting counts as a failure with the error's message.
   */
  run(signal: AbortSignal): Promise<ProbeOutcome>;
}
