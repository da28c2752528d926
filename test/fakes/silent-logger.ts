/** A Logger that drops everything: for tests and the simulator. */
import type { Logger } from '../../src/ports/logger.js';

export const silentLogger: Logger = {
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  child: () => silentLogger,
};
