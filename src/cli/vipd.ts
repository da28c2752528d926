#!/usr/bin/env node
/**
 * The `vipd` command line: run, check, demo, certs, cleanup. Each command's work is imported when
 * it runs, so `vipd run` loads only what its configuration uses (gRPC and TLS for unicast groups,
 * a cloud SDK for a cloud provider: src/app/boot.ts), never the demos' or the certificate tools'.
 */
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';
import { certsCommand } from './certs.js';
import { checkCommand } from './check.js';
import { cleanupCommand } from './cleanup.js';
import { DEMO_CLOUDS, type DemoCloud } from './cloud-demo-modes.js';
import { handleAgentSignals } from './signals.js';
import { packageVersion } from './version.js';

function duration(value: string): number {
  const d = parseDuration(value);
  if (!d.ok) throw new InvalidArgumentError(d.reason);
  return d.ms;
}

function cloudName(value: string): DemoCloud {
  const cloud = DEMO_CLOUDS.find((c) => c === value);
  if (!cloud) throw new InvalidArgumentError(`must be one of: ${DEMO_CLOUDS.join(', ')}`);
  return cloud;
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
    // Signals first, so that no SIGHUP can end the process while the agent loads.
    const signals = handleAgentSignals();
    const { runAgent } = await import('./run.js');
    process.exitCode = await runAgent(o.config, signals);
  });

program.addCommand(checkCommand());

program
  .command('demo')
  .description('run 3 vipd processes on 127.0.0.1 (gRPC, mutual TLS, noop provider, no root, no config): election, SIGKILL of the master, failover')
  .option('--phase <duration>', 'time before the kill, and before the old master returns', duration, 4000)
  .option('--duration <duration>', 'stop by itself after this long (default: run until Ctrl-C)', duration, 0)
  .option('--cloud <cloud>', 'aws: 2 nodes + a witness move an Elastic IP on the built-in EC2 fake; gcp: an alias IP range on the built-in Compute Engine fake (needs a source checkout)', cloudName)
  .action(async (o: { phase: number; duration: number; cloud?: DemoCloud }) => {
    const opts = { phaseMs: o.phase, durationMs: o.duration, write: (l: string) => process.stdout.write(`${l}\n`) };
    const stopping = handleAgentSignals().stopping;
    if (o.cloud) {
      const { runCloudDemo } = await import('./cloud-demo.js');
      process.exitCode = await runCloudDemo(o.cloud, opts, stopping);
      return;
    }
    const { runDemo } = await import('./demo.js');
    await runDemo(opts, stopping);
    process.exitCode = 0;
  });

program.addCommand(certsCommand());
program.addCommand(cleanupCommand());

await program.parseAsync(process.argv);
