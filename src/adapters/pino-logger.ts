/**
 * Structured logs with pino: JSON lines for machines, readable lines when stdout is a terminal
 * (or when asked). Child loggers carry node, group and VRID.
 */
import { createRequire } from 'node:module';
import { pino } from 'pino';
import type { Logger } from '../ports/logger.js';

export type LogFormat = 'auto' | 'json' | 'pretty';

export interface LoggerOptions {
  level?: string;
  format?: LogFormat;
  /** Where lines go; stdout by default. */
  destination?: NodeJS.WritableStream & { fd?: number };
  /** Fixed fields on every line. */
  base?: Record<string, unknown>;
}

export function createLogger(opts: LoggerOptions = {}): Logger {
  const dest = opts.destination ?? process.stdout;
  const usePretty = opts.format === 'pretty' || ((opts.format ?? 'auto') === 'auto' && Boolean((dest as { isTTY?: boolean }).isTTY));
  const level = opts.level ?? 'info';
  const base = opts.base ?? {};
  if (!usePretty) return pino({ level, base }, dest);
  // Loaded only for readable lines (a terminal, or asked for): JSON logs do not pay for it.
  const pretty = createRequire(import.meta.url)('pino-pretty') as typeof import('pino-pretty');
  const stream = pretty({
    destination: dest,
    sync: true,
    colorize: Boolean((dest as { isTTY?: boolean }).isTTY),
    translateTime: 'SYS:HH:MM:ss.l',
    // The role-change line already says from, to and reason; keep the rest on the same line.
    ignore: 'pid,hostname,node,group,vrid,from,to,reason',
    singleLine: true,
    messageFormat: (log, messageKey) => {
      const where = [log.node, log.group].filter((x) => typeof x === 'string' && x !== '').join('/');
      return where ? `${where}: ${String(log[messageKey])}` : String(log[messageKey]);
    },
  });
  return pino({ level, base }, stream);
}
