/**
 * How a long-running vipd command answers signals (issue 8, finding 2).
 *
 * - SIGHUP is the reload signal (`systemctl reload` sends it). Its default action ends the
 *   process (exit 129) with no priority-0 advert and the VIP still bound, so it is caught from
 *   the first moment. Once the agent runs it reloads the file (src/app/reload.ts); before that
 *   it logs that it cannot and changes nothing.
 * - SIGTERM and SIGINT: the first aborts `stopping`, and the caller shuts down gracefully
 *   (masters resign with priority 0, RFC 5798 §6.4.3, and release their VIPs).
 * - A second SIGTERM or SIGINT during that shutdown forces the exit with 128 + the signal number
 *   (130, 143), as a shell reports a process ended by it: an operator who repeats the signal
 *   means it, and a shutdown that hangs (a provider call that never returns) must not keep the
 *   process alive. The log says the shutdown did not finish.
 */
import { setMaxListeners } from 'node:events';
import type { Logger } from '../ports/logger.js';

const STOP_SIGNALS = ['SIGTERM', 'SIGINT'] as const;
type StopSignal = (typeof STOP_SIGNALS)[number];
const FORCED_EXIT_CODE: Record<StopSignal, number> = { SIGINT: 130, SIGTERM: 143 };

export const RELOAD_NOT_AVAILABLE = 'SIGHUP: reload is not available before the agent has started; nothing changed, still running';

export interface AgentSignals {
  /** Aborted by the first SIGTERM or SIGINT, with an Error naming the signal as its reason. */
  readonly stopping: AbortSignal;
  /** Where messages go from now on; until then a plain line on stderr. */
  useLogger(logger: Logger): void;
  /** What SIGHUP does from now on (the hitless reload); until then it logs that it cannot. */
  onReload(fn: () => void): void;
  /** Removes the handlers (idempotent); signals then have their default actions again. */
  dispose(): void;
}

export interface SignalOptions {
  /** The process whose signals are handled. */
  readonly target?: Pick<NodeJS.Process, 'on' | 'off'>;
  /** How the forced exit happens. */
  readonly exit?: (code: number) => void;
}

export function handleAgentSignals(options: SignalOptions = {}): AgentSignals {
  const target = options.target ?? process;
  const exit = options.exit ?? ((code: number) => process.exit(code));
  const ctl = new AbortController();
  // Every group's provider preflight listens on it (src/runtime/provider-preflight.ts): up to 255
  // groups, so Node's default of 10 printed a MaxListenersExceededWarning from 11 groups on.
  setMaxListeners(1024, ctl.signal);
  let logger: Logger | undefined;
  const log = (level: 'warn' | 'error', fields: Record<string, unknown>, msg: string) => {
    if (logger) logger[level](fields, msg);
    else process.stderr.write(`vipd: ${msg}\n`);
  };

  let reload: (() => void) | undefined;
  const onHangup = () => (reload ? reload() : log('warn', { signal: 'SIGHUP' }, RELOAD_NOT_AVAILABLE));
  const onStop = (signal: StopSignal) => {
    if (!ctl.signal.aborted) {
      ctl.abort(new Error(signal));
      return;
    }
    const code = FORCED_EXIT_CODE[signal];
    log('error', { signal, code }, `second ${signal} during shutdown: forcing exit with code ${code}; the graceful shutdown did not finish, so a VIP may still be bound on this host`);
    exit(code);
  };
  target.on('SIGHUP', onHangup);
  for (const signal of STOP_SIGNALS) target.on(signal, onStop);

  let disposed = false;
  return {
    stopping: ctl.signal,
    useLogger: (l) => {
      logger = l;
    },
    onReload: (fn) => {
      reload = fn;
    },
    dispose: () => {
      if (disposed) return;
      disposed = true;
      target.off('SIGHUP', onHangup);
      for (const signal of STOP_SIGNALS) target.off(signal, onStop);
    },
  };
}
