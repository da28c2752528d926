/**
 * `vipd cleanup -c FILE`: removes the VIPs a stopped agent left bound (src/app/cleanup.ts).
 * Exit 0 when every group is clean (also when there was nothing to remove), 1 when a removal
 * failed (permission, missing tool: the message says which), 2 for a configuration error.
 */
import { Command } from 'commander';
import { createLogger } from '../adapters/pino-logger.js';
import { systemClock } from '../adapters/system-clock.js';
import { MetricsRegistry } from '../adapters/metrics-registry.js';
import { cleanupGroups, type GroupCleanup } from '../app/cleanup.js';
import { formatIssue } from '../config/format.js';
import { loadConfigFile } from '../config/load.js';
import { PROVIDER_PLUGINS } from '../app/providers.js';
import { OWNERSHIP_METRIC } from '../../providers/local/index.js';

const EXIT_OK = 0;
const EXIT_FAILED = 1;
const EXIT_BAD_CONFIG = 2;

export function describeCleanup(r: GroupCleanup): string[] {
  switch (r.kind) {
    case 'nothing-here':
      return [`${r.group}: provider ${r.provider} keeps nothing on this host; nothing to remove`];
    case 'failed':
      return [`${r.group}: FAILED: ${r.error.message}`];
    case 'local': {
      const { report } = r;
      if (report.interfaceMissing) return [`${r.group}: interface ${report.interface} does not exist; nothing to remove`];
      const lines = report.removed.map((v) => `${r.group}: removed ${v} from ${report.interface}`);
      for (const v of report.notOurs) lines.push(`${r.group}: ${v} on ${report.interface} was not added by vipd (no metric ${OWNERSHIP_METRIC}); left in place`);
      if (report.removed.length === 0) lines.push(`${r.group}: nothing to remove on ${report.interface}`);
      return lines;
    }
  }
}

export async function runCleanup(file: string, write: (s: string) => void, writeErr: (s: string) => void, signal: AbortSignal): Promise<number> {
  const loaded = await loadConfigFile(file, { providers: PROVIDER_PLUGINS });
  if (!loaded.ok) {
    for (const e of loaded.errors) writeErr(`${formatIssue(e)}\n`);
    writeErr(`vipd cleanup: nothing done: ${loaded.errors.length} error(s) in ${file}\n`);
    return EXIT_BAD_CONFIG;
  }
  // What cleanup found is printed below; the log carries only errors (to stderr).
  const logger = createLogger({ level: 'error', destination: process.stderr });
  const results = await cleanupGroups(loaded.config, { clock: systemClock, logger, metrics: new MetricsRegistry(), signal });
  for (const r of results) (r.kind === 'failed' ? writeErr : write)(`${describeCleanup(r).join('\n')}\n`);
  const removed = results.reduce((n, r) => n + (r.kind === 'local' ? r.report.removed.length : 0), 0);
  const failed = results.filter((r) => r.kind === 'failed').length;
  const summary = `vipd cleanup: removed ${removed} VIP(s) of ${results.length} group(s) in ${file}${failed > 0 ? `; ${failed} group(s) failed` : ''}`;
  (failed > 0 ? writeErr : write)(`${summary}\n`);
  return failed > 0 ? EXIT_FAILED : EXIT_OK;
}

export function cleanupCommand(): Command {
  return new Command('cleanup')
    .description('remove the VIPs a stopped vipd left bound (after a crash): those of the file\'s groups that vipd added; never an address vipd did not add')
    .requiredOption('-c, --config <file>', 'configuration file (YAML) of the stopped agent')
    .addHelpText('after', [
      '',
      `Only addresses carrying vipd's mark (metric ${OWNERSHIP_METRIC}) are removed. Meant for a stopped agent: a`,
      'running one would lose the VIPs it holds as master until its next refresh. A starting vipd',
      'does the same by itself before its elections begin.',
      '',
      'Exit status: 0 done (also when there was nothing to remove), 1 a removal failed, 2 bad configuration.',
      '',
      'Example (a systemd unit after a crash):',
      '  ExecStopPost=/usr/bin/vipd cleanup -c /etc/vipd/vipd.yaml',
    ].join('\n'))
    .action(async (o: { config: string }) => {
      process.exitCode = await runCleanup(o.config, (s) => void process.stdout.write(s), (s) => void process.stderr.write(s), new AbortController().signal);
    });
}
