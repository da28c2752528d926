import assert from 'node:assert/strict';
import { EventEmitter } from 'node:events';
import { it } from 'node:test';
import { handleAgentSignals, RELOAD_NOT_AVAILABLE } from '../../../src/cli/signals.js';
import type { Logger } from '../../../src/ports/logger.js';

function recorder() {
  const lines: { level: string; msg: string }[] = [];
  const logger: Logger = {
    debug: (_f, msg) => lines.push({ level: 'debug', msg }),
    info: (_f, msg) => lines.push({ level: 'info', msg }),
    warn: (_f, msg) => lines.push({ level: 'warn', msg }),
    error: (_f, msg) => lines.push({ level: 'error', msg }),
    child: () => logger,
  };
  return { lines, logger };
}

it('SIGHUP only logs; the first SIGTERM aborts `stopping`; a second forces exit 143; dispose removes the handlers', () => {
  const target = new EventEmitter();
  const exits: number[] = [];
  const signals = handleAgentSignals({ target: target as unknown as NodeJS.Process, exit: (code) => exits.push(code) });
  const { lines, logger } = recorder();
  signals.useLogger(logger);

  target.emit('SIGHUP', 'SIGHUP');
  assert.equal(signals.stopping.aborted, false);
  assert.deepEqual(lines, [{ level: 'warn', msg: RELOAD_NOT_AVAILABLE }]);

  target.emit('SIGTERM', 'SIGTERM');
  assert.equal(signals.stopping.aborted, true);
  assert.equal((signals.stopping.reason as Error).message, 'SIGTERM');
  assert.deepEqual(exits, []);

  target.emit('SIGTERM', 'SIGTERM');
  assert.deepEqual(exits, [143]);
  assert.match(lines.at(-1)?.msg ?? '', /^second SIGTERM during shutdown: forcing exit with code 143/);

  signals.dispose();
  signals.dispose();
  for (const name of ['SIGHUP', 'SIGTERM', 'SIGINT']) assert.equal(target.listenerCount(name), 0, name);
});

it('SIGINT twice forces exit 130', () => {
  const target = new EventEmitter();
  const exits: number[] = [];
  const signals = handleAgentSignals({ target: target as unknown as NodeJS.Process, exit: (code) => exits.push(code) });
  signals.useLogger(recorder().logger);
  target.emit('SIGINT', 'SIGINT');
  target.emit('SIGINT', 'SIGINT');
  assert.deepEqual(exits, [130]);
  signals.dispose();
});
