/**
 * `vipd run -c FILE`: load and validate the configuration (refuse to start on any error), start
 * every VIP group, stop gracefully on SIGTERM/SIGINT (masters resign with priority 0).
 */
import { MemoryHub } from '../adapters/memory-transport.js';
import { createLogger } from '../adapters/pino-logger.js';
import { systemClock } from '../adapters/system-clock.js';
import { loadConfigFile } from '../config/load.js';
import { formatIssue, summarize } from '../config/format.js';
import { electionParams, vipText } from '../runtime/from-config.js';
import { VipdNode } from '../runtime/node.js';
import { NoopProvider } from '../../providers/noop/index.js';

export async function runAgent(file: string, signal: AbortSignal): Promise<number> {
  const loaded = await loadConfigFile(file);
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`${formatIssue(e)}\n`);
    process.stderr.write(`vipd: refusing to start: ${loaded.errors.length} error(s) in ${file}\n`);
    return 2;
  }
  const { config } = loaded;
  const logger = createLogger({ level: config.log.level, format: config.log.format, base: { node: config.node.id } });
  for (const w of loaded.warnings) logger.warn({ file }, formatIssue(w, 'warning'));
  logger.info({ file }, summarize(config));

  // Peer transports (gRPC unicast, VRRP multicast) arrive with later issues. Until then a node
  // has no one to talk to: say so loudly instead of silently becoming a lone master
  // (REFERENCE.md, users' ask 1).
  logger.warn({}, 'no peer transport in this build: this node elects itself master of every group it runs (standalone)');
  const transport = new MemoryHub(systemClock).connect(config.node.id);
  const node = new VipdNode({
    nodeId: config.node.id,
    clock: systemClock,
    logger,
    transport,
    groups: config.groups.map((g) => ({
      params: electionParams(config, g),
      provider: new NoopProvider(vipText(g), logger.child({ group: g.name }), systemClock),
    })),
  });
  try {
    await node.start(signal);
  } catch (err) {
    logger.error({ err }, `start failed: ${err instanceof Error ? err.message : String(err)}`);
    return 1;
  }
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  logger.info({}, 'stopping: masters resign with priority 0 and release their VIPs');
  await node.stop();
  logger.info({}, 'stopped');
  return 0;
}
