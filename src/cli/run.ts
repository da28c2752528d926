/**
 * `vipd run -c FILE`: load and validate the configuration (refuse to start on any error), start
 * every VIP group, stop gracefully on SIGTERM/SIGINT (masters hand off or resign with priority 0);
 * SIGHUP reloads the file (src/app/reload.ts: keys, certificates and groups change in place, anything
 * else is refused as needing a restart), and a second stop signal forces the exit (signals.ts).
 * `vipd run --keepalived-conf FILE`: the same with a keepalived.conf, converted by the importer at
 * every load, start and reload alike (docs/keepalived-import.md).
 */
import { hostname } from 'node:os';
import { createLogger } from '../adapters/pino-logger.js';
import { systemClock } from '../adapters/system-clock.js';
import { loadConfigFile, type LoadResult } from '../config/load.js';
import { loadKeepalivedConfig } from '../config/keepalived/import.js';
import { PROVIDER_PLUGINS } from '../app/providers.js';
import { formatIssue, summarize } from '../config/format.js';
import { buildNode, type BootOptions } from '../app/boot.js';
import { GroupReloader } from '../app/group-reload.js';
import type { RunningNode } from '../runtime/cluster-node.js';
import type { AgentSignals } from './signals.js';
import { PromMetrics } from '../adapters/prom-exporter.js';
import { EventLog } from '../runtime/event-log.js';
import { Agent } from '../app/agent.js';
import { apiListeners } from '../app/api-listeners.js';
import { ApiServer } from '../api/server.js';
import { packageVersion } from './version.js';
import { RotatingSigner } from '../app/key-rotation.js';
import { RotatingTls, type CertPlan } from '../app/cert-rotation.js';
import { planReload } from '../app/reload.js';
import type { ReloadResult } from '../api/control.js';
import type { GroupConfig, VipdConfig } from '../config/types.js';

/** Where the configuration comes from: `load` runs at start and again at every reload (SIGHUP). */
export interface ConfigSource {
  /** Named in messages. */
  readonly file: string;
  load(): Promise<LoadResult>;
}

/** `-c FILE`: a vipd YAML file. */
export function yamlSource(file: string): ConfigSource {
  return { file, load: () => loadConfigFile(file, { providers: PROVIDER_PLUGINS }) };
}

/**
 * `--keepalived-conf FILE`: the importer converts the file at every load, so a reload re-reads
 * the keepalived file; options it cannot map are warnings, at their keepalived file:line, and an
 * invalid result refuses to start, named at the keepalived line where the part came from.
 */
export function keepalivedSource(file: string): ConfigSource {
  return { file, load: () => Promise.resolve(loadKeepalivedConfig(file, { providers: PROVIDER_PLUGINS, hostName: hostname() })) };
}

/** `signals` are installed by the caller before anything else, so no SIGHUP can end the process. */
export async function runAgent(source: string | ConfigSource, signals: AgentSignals): Promise<number> {
  try {
    return await runUntilStopped(typeof source === 'string' ? yamlSource(source) : source, signals);
  } finally {
    signals.dispose();
  }
}

async function runUntilStopped(source: ConfigSource, signals: AgentSignals): Promise<number> {
  const { file } = source;
  const signal = signals.stopping;
  const loaded = await source.load();
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

  const metrics = new PromMetrics();
  const keys = new RotatingSigner();
  const certs = new RotatingTls();
  const groupReloader = new GroupReloader();
  const events = new EventLog({ clock: systemClock, logger: logger.child({ component: 'audit' }), metrics });
  let node: RunningNode;
  const bootOpts: BootOptions = {
    clock: systemClock, logger, metrics, audit: events, keys, certs, groupReloader,
    onRoleChange: (c) => events.record({ type: 'role', group: c.group, from: c.from, to: c.to, reason: c.reason, term: c.term, priority: c.priority }),
  };
  try {
    node = await buildNode(config, bootOpts);
  } catch (err) {
    logger.error({ err }, `cannot start: ${err instanceof Error ? err.message : String(err)}`);
    return 2;
  }
  // The API opens before the elections start, so /readyz and vipctl answer during a slow
  // provider preflight; a listener that cannot open is logged and the agent runs on.
  let running = config;
  // One reload at a time: a second SIGHUP while one runs waits for it (no interleaved applies).
  let reloading: Promise<ReloadResult> = Promise.resolve({ ok: true, lines: [] });
  const reload = (): Promise<ReloadResult> => {
    reloading = reloading.then(async () => {
      const r = await reloadFile(source, running, { keys, certs, node, groups: groupReloader });
      if (r.config) {
        running = r.config;
        agent.config = r.config;
      }
      const level = r.result.ok ? 'info' : 'error';
      for (const l of r.result.lines) logger[level]({ reload: true }, `reload: ${l}`);
      events.record({ type: 'reload', outcome: r.outcome, summary: r.result.lines.join('; ').slice(0, 500) || 'no change' });
      return r.result;
    });
    return reloading;
  };
  const agent = new Agent({ node, config, events, metrics, clock: systemClock, version: packageVersion(), reload });
  signals.onReload(() => void reload());
  const api = new ApiServer({ control: agent, logger: logger.child({ component: 'api' }), metrics });
  await apiListeners(config.api).then((l) => api.start(l), (err: unknown) => logger.error({ err }, `api: ${err instanceof Error ? err.message : String(err)}; running without the API`));
  try {
    await node.start(signal);
  } catch (err) {
    logger.error({ err }, `start failed: ${err instanceof Error ? err.message : String(err)}`);
    agent.stop();
    await api.stop();
    await node.stop().catch(() => undefined);
    return 1;
  }
  logger.info({ address: node.address, role: config.node.role }, node.address.startsWith('VRRP') ? `speaking ${node.address}` : `serving peers on ${node.address}`);
  await new Promise<void>((resolve) => (signal.aborted ? resolve() : signal.addEventListener('abort', () => resolve(), { once: true })));
  logger.info({}, 'stopping: masters resign with priority 0 and release their VIPs');
  agent.stop();
  await node.stop();
  await api.stop();
  logger.info({}, 'stopped');
  return 0;
}

/**
 * Loads the source again (a keepalived.conf is converted again) and applies what can change in
 * place (src/app/reload.ts). Refused, with nothing changed, when the file is invalid or when a
 * change needs a restart.
 */
async function reloadFile(
  source: ConfigSource,
  running: VipdConfig,
  target: { keys: RotatingSigner; certs: RotatingTls; node: RunningNode; groups: GroupReloader },
): Promise<{ result: ReloadResult; outcome: 'applied' | 'refused' | 'unchanged' | 'partial'; config?: VipdConfig }> {
  const { keys, node } = target;
  const { file } = source;
  const loaded = await source.load();
  if (!loaded.ok) {
    return { outcome: 'refused', result: { ok: false, lines: [...loaded.errors.map((e) => formatIssue(e)), `refused: ${loaded.errors.length} error(s) in ${file}; nothing changed, the running configuration stays`] } };
  }
  const plan = planReload(running, loaded.config, { inPlace: (t) => target.groups.supports(t) });
  if (plan.restart.length > 0) {
    return { outcome: 'refused', result: { ok: false, lines: [...plan.lines, `refused: ${plan.restart.length} change(s) need a restart; nothing changed, the running configuration stays`] } };
  }
  let certPlan: CertPlan;
  try {
    certPlan = await target.certs.plan(loaded.config);
  } catch (err) {
    return { outcome: 'refused', result: { ok: false, lines: [...plan.lines, `refused: certificates: ${err instanceof Error ? err.message : String(err)}; nothing changed`] } };
  }
  const lines = certPlan.change ? [...plan.lines, certPlan.line, ...certPlan.warnings.map((w) => `warning: ${w}`)] : plan.lines;
  if (lines.length === 0) return { outcome: 'unchanged', result: { ok: true, lines: [`${file}: no change`] } };
  if (plan.rotateKeys && loaded.config.auth) {
    try {
      keys.use(loaded.config.auth);
    } catch (err) {
      return { outcome: 'refused', result: { ok: false, lines: [`refused: advert keys: ${err instanceof Error ? err.message : String(err)}; nothing changed`] } };
    }
  }
  if (certPlan.change) certPlan.apply();
  if (plan.add.length > 0 || plan.remove.length > 0) {
    try {
      await target.groups.apply(loaded.config, plan.add, plan.remove);
    } catch (err) {
      // Stopped and started one by one: what runs now is what is in force (the next reload
      // compares with it).
      const now = node.groupStatus().map((s) => plan.add.find((g) => g.name === s.group) ?? running.groups.find((g) => g.name === s.group));
      const groups = now.filter((g): g is GroupConfig => g !== undefined);
      return {
        outcome: 'partial', config: { ...loaded.config, groups },
        result: { ok: false, lines: [...lines, `failed part way: ${err instanceof Error ? err.message : String(err)}; running groups now: ${groups.map((g) => g.name).join(', ') || 'none'}`] },
      };
    }
  }
  const untouched = running.groups.filter((g) => !plan.remove.includes(g.name)).map((g) => g.name);
  return { outcome: 'applied', config: loaded.config, result: { ok: true, lines: [...lines, `applied; ${untouched.length > 0 ? `untouched: ${untouched.join(', ')}` : 'no group was untouched'}`] } };
}
