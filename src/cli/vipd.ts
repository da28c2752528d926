#!/usr/bin/env node
/** The `vipd` command line: run, check, demo, certs, cleanup. */
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';
import { certsCommand } from './certs.js';
import { checkCommand } from './check.js';
import { cleanupCommand } from './cleanup.js';
import { runDemo } from './demo.js';
import { runAgent } from './run.js';
import { handleAgentSignals } from './signals.js';
import { packageVersion } from './version.js';

function duration(value: string): number {
  const d = parseDuration(value);
  if (!d.ok) throw new InvalidArgumentError(d.reason);
  return d.ms;
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
    process.exitCode = await runAgent(o.config, handleAgentSignals());
  });

program.addCommand(checkCommand());

program
  .command('demo')
  .description('run 3 vipd processes on 127.0.0.1 (gRPC, mutual TLS, noop provider, no root, no config): election, SIGKILL of the master, failover')
  .option('--phase <duration>', 'time before the kill, and before the old master returns', duration, 4000)
  .option('--duration <duration>', 'stop by itself after this long (default: run until Ctrl-C)', duration, 0)
  .action(async (o: { phase: number; duration: number }) => {
    await runDemo({ phaseMs: o.phase, durationMs: o.duration, write: (l) => process.stdout.write(`${l}\n`) }, handleAgentSignals().stopping);
    process.exitCode = 0;
  });

program.addCommand(certsCommand());
program.addCommand(cleanupCommand());

await program.parseAsync(process.argv);
