/**
 * `vipd check -c FILE [--cloud]`. Without --cloud: the file alone (src/config/check.ts): exit 0
 * with a summary, 2 with every error. With --cloud, then also every group's providers built
 * through the registry and validated (src/app/check-cloud.ts), one line each: exit 0 when all
 * pass, 1 when any fails, 2 for a bad file.
 */
import { Command, InvalidArgumentError } from 'commander';
import { createLogger } from '../adapters/pino-logger.js';
import { MetricsRegistry } from '../adapters/metrics-registry.js';
import { systemClock } from '../adapters/system-clock.js';
import { checkProviders, type ProviderCheck } from '../app/check-cloud.js';
import { PROVIDER_PLUGINS } from '../app/providers.js';
import { checkConfig } from '../config/check.js';
import { parseDuration } from '../config/duration.js';
import type { Clock } from '../ports/clock.js';
import type { ProviderPlugin } from '../../providers/common/plugin.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;

/** Enough for credentials, metadata discovery and a dry run on a slow link; the cloud SDKs retry nothing (cloud-call.ts does). */
export const DEFAULT_CLOUD_TIMEOUT_MS = 15_000;

export interface CheckRun {
  readonly cloud: boolean;
  readonly registry: readonly ProviderPlugin[];
  readonly timeoutMs: number;
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly clock: Clock;
  readonly write: (s: string) => void;
  readonly writeErr: (s: string) => void;
}

/** One line per provider: `GROUP: KIND: ok` or `GROUP: KIND: FAILED (CLASS): MESSAGE`, the hint inside the message. */
export function describeCheck(r: ProviderCheck): string {
  if (r.ok) return `${r.group}: ${r.kind}: ok`;
  // ProviderError's message already ends with "(hint)"; anything else gets its hint appended.
  const hint = r.hint !== undefined && !r.message.includes(r.hint) ? ` (${r.hint})` : '';
  return `${r.group}: ${r.kind}: FAILED (${r.errorClass}): ${r.message}${hint}`;
}

export async function runCheck(file: string, run: CheckRun): Promise<number> {
  const checked = await checkConfig(file, { providers: run.registry });
  run.write(checked.stdout);
  run.writeErr(checked.stderr);
  const { config } = checked;
  if (config === undefined || !run.cloud) return checked.exitCode;
  // What validate() found is printed below; the log carries only the providers' own errors.
  const logger = createLogger({ level: 'error', destination: process.stderr });
  const host = { nodeId: config.node.id, clock: run.clock, logger, metrics: new MetricsRegistry(), env: run.env, configDir: config.configDir };
  const results = await checkProviders(config, host, { registry: run.registry, timeoutMs: run.timeoutMs });
  for (const r of results) (r.ok ? run.write : run.writeErr)(`${describeCheck(r)}\n`);
  const failed = results.filter((r) => !r.ok).length;
  const summary = `vipd check --cloud: ${results.length - failed} of ${results.length} provider(s) ok in ${file}`;
  (failed > 0 ? run.writeErr : run.write)(`${summary}\n`);
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

function duration(value: string): number {
  const d = parseDuration(value);
  if (!d.ok) throw new InvalidArgumentError(d.reason);
  return d.ms;
}

/** `registry`: which providers the file may name (tests pass one with a provider of their own). */
export function checkCommand(registry: readonly ProviderPlugin[] = PROVIDER_PLUGINS): Command {
  return new Command('check')
    .description('validate a configuration file; exit 0 with a summary, or 2 with every error')
    .requiredOption('-c, --config <file>', 'configuration file (YAML)')
    .option('--cloud', "also validate every group's providers (credentials, resources, permissions); exit 1 when one fails")
    .option('--timeout <duration>', 'with --cloud: how long each provider may take to validate', duration, DEFAULT_CLOUD_TIMEOUT_MS)
    .addHelpText('after', [
      '',
      'Exit status: 0 valid (and with --cloud every provider passed), 1 a provider failed its',
      'validation (the line says why and what to grant or set), 2 bad configuration.',
    ].join('\n'))
    .action(async (o: { config: string; cloud?: boolean; timeout: number }) => {
      process.exitCode = await runCheck(o.config, {
        cloud: o.cloud === true,
        registry,
        timeoutMs: o.timeout,
        env: process.env,
        clock: systemClock,
        write: (s) => void process.stdout.write(s),
        writeErr: (s) => void process.stderr.write(s),
      });
    });
}
