#!/usr/bin/env node
/**
 * The `vipd` command line: run, check, demo, certs, cleanup, import. Each command's work is
 * imported when it runs, so `vipd run` loads only what its configuration uses (gRPC and TLS for
 * unicast groups, a cloud SDK for a cloud provider: src/app/boot.ts), never the demos' or the
 * certificate tools'.
 */
import { Command, InvalidArgumentError } from 'commander';
import { parseDuration } from '../config/duration.js';
import { certsCommand } from './certs.js';
import { checkCommand } from './check.js';
import { cleanupCommand } from './cleanup.js';
import { DEMO_CLOUDS, type DemoCloud } from './cloud-demo-modes.js';
import { handleAgentSignals } from './signals.js';
import { packageVersion } from './version.js';

/** Bad input on the command line (vipd check, certs and import use 2 as well). */
const EXIT_USAGE = 2;

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
  .description('run the agent with a configuration file, or with a keepalived.conf converted at each start and reload')
  .option('-c, --config <file>', 'configuration file (YAML)')
  .option('--keepalived-conf <file>', 'a keepalived.conf instead, converted as `vipd import keepalived` does (docs/keepalived-import.md)')
  .action(async (o: { config?: string; keepalivedConf?: string }, cmd: Command) => {
    if ((o.config === undefined) === (o.keepalivedConf === undefined)) {
      cmd.error('error: give exactly one of -c/--config <file> and --keepalived-conf <file>', { exitCode: EXIT_USAGE, code: 'vipd.usage' });
    }
    // Signals first, so that no SIGHUP can end the process while the agent loads.
    const signals = handleAgentSignals();
    const { runAgent, keepalivedSource } = await import('./run.js');
    process.exitCode = await runAgent(o.keepalivedConf !== undefined ? keepalivedSource(o.keepalivedConf) : (o.config as string), signals);
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

const imports = program
  .command('import')
  .description("convert another tool's configuration to a vipd configuration")
  // commander reports its usage errors with exit 1; bad input is 2 in vipd (as `vipd check`).
  .exitOverride((err) => {
    if (err.exitCode === 1 && err.code.startsWith('commander.')) process.exit(EXIT_USAGE);
  });

imports
  .command('keepalived')
  .description('print a vipd configuration (YAML) converted from a keepalived.conf; every option not carried over goes to stderr with its file:line and why')
  .argument('<file>', 'the keepalived.conf (its includes are followed)')
  .option('-o, --out <file>', 'write the YAML to this file instead of stdout')
  .option('--config-id <id>', 'which @ID conditional lines apply (keepalived -i); default the first part of the host name')
  .addHelpText('after', '\nExit status: 0 a configuration was produced (options it could not map are listed on stderr),\n1 none could be (a syntax error, an unreadable file or include; named at file:line), 2 usage.\nSee docs/keepalived-import.md.')
  .action(async (file: string, o: { out?: string; configId?: string }) => {
    const [{ runImportKeepalived }, { PROVIDER_PLUGINS }, { hostname }] = await Promise.all([import('../config/keepalived/command.js'), import('../app/providers.js'), import('node:os')]);
    const r = runImportKeepalived(file, { providers: PROVIDER_PLUGINS, hostName: hostname(), configId: o.configId, out: o.out });
    process.stdout.write(r.stdout);
    process.stderr.write(r.stderr);
    process.exitCode = r.exitCode;
  });

program.addCommand(certsCommand());
program.addCommand(cleanupCommand());

await program.parseAsync(process.argv);
