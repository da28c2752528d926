#!/usr/bin/env node
/** The `vipd` command line: run, check, demo. */
import { Command, InvalidArgumentError } from 'commander';
import { createLogger, type LogFormat } from '../adapters/pino-logger.js';
import { checkConfig } from '../config/check.js';
import { parseDuration } from '../config/duration.js';
import { certsCommand } from './certs.js';
import { runDemo } from './demo.js';
import { runAgent } from './run.js';
import { packageVersion } from './version.js';

function duration(value: string): number {
  const d = parseDuration(value);
  if (!d.ok) throw new InvalidArgumentError(d.reason);
  return d.ms;
}

function positiveInt(value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 2 || n > 26) throw new InvalidArgumentError('must be an integer 2-26');
  return n;
}

/**
 * Aborts on the first SIGINT/SIGTERM so the work can stop gracefully; a second one forces exit
 * (an operator pressing Ctrl-C twice means it).
 */
function stopSignal(): AbortSignal {
  const ctl = new AbortController();
  const onSignal = (sig: NodeJS.Signals) => {
    if (ctl.signal.aborted) process.exit(sig === 'SIGINT' ? 130 : 143);
    ctl.abort(new Error(sig));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  return ctl.signal;
}

const program = new Command()
  .name('vipd')
  .description('High-availability agent that keeps a virtual IP alive across a group of nodes.')
  .version(packageVersion(), '-V, --version')
  .showHelpAfterError();

program
  .command('run')
  .description('run the agent with a configuration file')
  .requiredOption('-c, --config <file>', 'configuration file (YAML)')
  .action(async (o: { config: string }) => {
    process.exitCode = await runAgent(o.config, stopSignal());
  });

program
  .command('check')
  .description('validate a configuration file; exit 0 with a summary, or 2 with every error')
  .requiredOption('-c, --config <file>', 'configuration file (YAML)')
  .action(async (o: { config: string }) => {
    const r = await checkConfig(o.config);
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  });

program
  .command('demo')
  .description('run a 3-node cluster on loopback (noop provider, no root, no config): election, crash, failover')
  .option('-n, --nodes <n>', 'number of nodes', positiveInt, 3)
  .option('--phase <duration>', 'time before the crash, and before the old master returns', duration, 4000)
  .option('--advert-interval <duration>', 'Advertisement_Interval (multiple of 10ms)', duration, 100)
  .option('--duration <duration>', 'stop by itself after this long (default: run until Ctrl-C)', duration, 0)
  .option('--log-format <format>', 'pretty | json', 'pretty')
  .action(async (o: { nodes: number; phase: number; advertInterval: number; duration: number; logFormat: string }) => {
    if (o.advertInterval % 10 !== 0 || o.advertInterval < 10 || o.advertInterval > 40950) {
      program.error('--advert-interval must be a multiple of 10ms between 10ms and 40.95s', { exitCode: 2 });
    }
    const logger = createLogger({ format: o.logFormat === 'json' ? 'json' : ('pretty' satisfies LogFormat) });
    await runDemo({ nodes: o.nodes, phaseMs: o.phase, advertIntervalCs: o.advertInterval / 10, durationMs: o.duration, logger }, stopSignal());
    process.exitCode = 0;
  });

program.addCommand(certsCommand());

await program.parseAsync(process.argv);
