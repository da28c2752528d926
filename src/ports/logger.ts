/** Structured logger (pino-compatible subset). Calls never throw and never block on I/O. */
export interface Logger {
  debug(fields: object, msg: string): void;
  info(fields: object, msg: string): void;
  warn(fields: object, msg: string): void;
  error(fields: object, msg: string): void;
  /** A logger that adds `bindings` (node, group, interface) to every line. */
  child(bindings: Record<string, unknown>): Logger;
}
