/**
 * `vipd run -c FILE`: load and validate the configuration (refuse to start on any error), start
 * every VIP group, stop gracefully on SIGTERM/SIGINT (masters resign with priority 0); SIGHUP
 * changes nothing, and a second stop signal forces the exit (signals.ts).
 */
import { createLogger } from '../adapters/pino-logger.js';
import { systemClock } from '../adapters/system-clock.js';
import { loadConfigFile } from '../config/load.js';
import { PROVIDER_PLUGINS } from '../app/providers.js';
import { formatIssue, summarize } from '../config/format.js';
import { buildNode } from '../app/boot.js';
import type { RunningNode } from '../runtime/cluster-node.js';
import type { AgentSignals } from './signals.js';

/** `signals` are installed by the caller before anything else, so no SIGHUP can end the process. */
export async function runAgent(file: string, signals: AgentSignals): Promise<number> {
  try {
    return await runUntilStopped(file, signals);
  } finally {
    signals.dispose();
  }
}

async function runUntilStopped(file: string, signals: AgentSignals): Promise<number> {
  const signal = signals.stopping;
  const loaded = await loadConfigFile(file, { providers: PROVIDER_PLUGINS });
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${formatIssue(e)}\n`);
    process.stderr.write(`vipd: refusing to start: ${loaded.errors.length} error(s) in ${file}\n`);
    return 2;
  }
  const { config } = loaded;
  const logger = createLogger({ level: config.log.level, format: config.log.format, base: { node: config.node.id } });
  signals.useLogger(logger);
  for (const w of loaded.warnings) logger.warn({ file }, formatIssue(w, 'warning'));
  logger.info({ file }, summarize(config));

  let node: RunningNode;
  try {
    node = await buildNode(config, { clock: systemClock, logger });
  } catch (err) {
    logger.error({ err }, `cannot start: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  try {
    await node.start(signal);
  } catch (err) {
    logger.error({ err }, `start failed: ${err instanceof Error ? err.message : String(err)}`);
    await node.stop().catch(() => undefined);
    return 1;
  }
  logger.info({ address: node.address, role: config.node.role }, node.address.startsWith('VRRP') ? `speaking ${node.address}` : `serving peers on ${node.address}`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  logger.info({}, 'stopping: masters resign with priority 0 and release their VIPs');
  await node.stop();
  logger.info({}, 'stopped');
  return 0;
}
