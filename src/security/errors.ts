/**
 * Error from the security layer: what it was doing, to which file or key, why, and whether a
 * retry can help. Configuration-time only: receive paths return reasons.
 */
export class SecurityError extends Error {
  override readonly name = 'SecurityError';
  readonly retryable: boolean;

  constructor(
    /** What was being done: "reading CA certificate", "issuing node certificate". */
    readonly operation: string,
    /** The file (or key id) it was done to. */
    readonly subject: string,
    /** Why it failed, in words an operator can act on. */
    readonly reason: string,
    options?: { cause?: unknown; retryable?: boolean },
  ) {
    super(`${operation} ${subject}: ${reason}`, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retryable = options?.retryable ?? false;
  }
}

/** The reason behind a failed file operation, for an operator (not the raw errno text). */
export function fileErrorReason(err: unknown): { reason: string; retryable: boolean } {
  const code = (err as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT': return { reason: 'file not found', retryable: false };
    case 'EACCES':
    case 'EPERM': return { reason: 'permission denied', retryable: false };
    case 'EISDIR': return { reason: 'is a directory, not a file', retryable: false };
    case 'ENOTDIR': return { reason: 'a parent of this path is not a directory', retryable: false };
    case 'EEXIST': return { reason: 'already exists', retryable: false };
    case 'ENOSPC': return { reason: 'no space left on device', retryable: true };
    case 'EROFS': return { reason: 'read-only file system', retryable: false };
    default: return { reason: err instanceof Error ? err.message : String(err), retryable: true };
  }
}
