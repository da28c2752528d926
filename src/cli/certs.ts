/**
 * `vipd certs init|issue`: a cluster CA and node certificates without openssl (issue 3 §6).
 * Bad input (invalid ids, an existing CA, a missing CA, unknown options) exits 2, as
 * `vipd check` does; an I/O failure that a retry might fix exits 1.
 */
import { Command, CommanderError, InvalidArgumentError } from 'commander';
import { relative } from 'node:path';
import { CA_CERT_FILE, DEFAULT_NODE_DAYS, MAX_NODE_DAYS, parseSan } from '../security/cert-rules.js';
import { SecurityError } from '../security/errors.js';
import { NAME_RULE, nameProblem } from '../security/spiffe.js';

const EXIT_BAD_INPUT = 2;
const EXIT_FAILED = 1;

function badArgument(message: string): InvalidArgumentError {
  const err = new InvalidArgumentError(message);
  err.exitCode = EXIT_BAD_INPUT;
  return err;
}

function nodeIdArg(value: string): string {
  const problem = nameProblem('node id', value);
  if (problem) throw badArgument(problem);
  return value;
}

function clusterIdArg(value: string): string {
  const problem = nameProblem('cluster id', value);
  if (problem) throw badArgument(problem);
  return value;
}

function sanArg(value: string, previous: string[]): string[] {
  const r = parseSan(value);
  if (!r.ok) throw badArgument(r.reason);
  return [...previous, value];
}

function daysArg(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > MAX_NODE_DAYS) throw badArgument(`must be an integer 1-${MAX_NODE_DAYS}`);
  return n;
}

/**
 * commander reports its own usage errors (missing option, unknown option, missing argument)
 * with exit code 1; vipd uses 2 for bad input. Returning lets commander exit with its code.
 */
function exitTwoOnUsageError(err: CommanderError): void {
  if (err.exitCode === EXIT_FAILED && err.code.startsWith('commander.') && err.code !== 'commander.executeSubCommandAsync') process.exit(EXIT_BAD_INPUT);
}

function print(cmd: Command, lines: string[]): void {
  const write = cmd.configureOutput().writeOut ?? ((s: string) => void process.stdout.write(s));
  write(`${lines.join('\n')}\n`);
}

/** Reports a failure through commander (so exitOverride and configureOutput apply). */
function fail(cmd: Command, err: unknown): never {
  if (err instanceof SecurityError) {
    cmd.error(`error: ${err.message}`, { exitCode: err.retryable ? EXIT_FAILED : EXIT_BAD_INPUT, code: 'vipd.certs' });
  }
  throw err;
}

/** A path as the operator typed it would find it: relative when under the working directory. */
function shown(path: string): string {
  const rel = relative(process.cwd(), path);
  return rel !== '' && !rel.startsWith('..') ? rel : path;
}

export function certsCommand(): Command {
  const certs = new Command('certs')
    .description('create a cluster CA and per-node certificates for mutual TLS (no openssl needed)')
    .exitOverride(exitTwoOnUsageError)
    .showHelpAfterError('(add --help for usage)')
    // Subcommands inherit settings when created; copy them again at dispatch so exitOverride()
    // or configureOutput() applied to `certs` later (by vipd or a test) reaches them too.
    .hook('preSubcommand', (self, sub) => void sub.copyInheritedSettings(self));

  certs
    .command('init')
    .description('create the cluster CA (ca.crt, ca.key) in DIR; refuses to replace an existing one')
    .requiredOption('--dir <dir>', 'directory for the CA files (created 0700 if missing)')
    .requiredOption('--cluster <id>', `cluster id, the same as cluster_id in every node's config; ${NAME_RULE}`, clusterIdArg)
    .option('--force', 'replace an existing CA (every certificate it signed stops being trusted)', false)
    .addHelpText('after', '\nExample:\n  vipd certs init --dir ./pki --cluster prod-lb\n  vipd certs issue node-a --dir ./pki')
    .action(async (o: { dir: string; cluster: string; force: boolean }, cmd: Command) => {
      try {
        const { initCa } = await import('../security/certs.js');
        const r = await initCa({ dir: o.dir, clusterId: o.cluster, force: o.force });
        print(cmd, [
          `${r.replaced ? 'replaced' : 'created'} the CA of cluster ${r.clusterId}, valid until ${r.notAfter.toISOString().slice(0, 10)}:`,
          `  wrote ${shown(r.certFile)}  (CA certificate, mode 0644: copy it to every node)`,
          `  wrote ${shown(r.keyFile)}  (CA private key, mode 0600: keep it here, off the nodes; whoever holds it can mint node identities)`,
          ...(r.replaced ? ['  every node certificate signed by the old CA is no longer trusted: re-issue them all'] : []),
          `next: vipd certs issue <node-id> --dir ${o.dir}   (once per node; add --san <ip-or-name> for extra addresses)`,
        ]);
      } catch (err) {
        fail(cmd, err);
      }
    });

  certs
    .command('issue')
    .description(`issue NODE.crt and NODE.key, signed by the CA in DIR (re-issuing renews: the old files are replaced)`)
    .argument('<node>', `node id, the same as node.id in that node's config; ${NAME_RULE}`, nodeIdArg)
    .requiredOption('--dir <dir>', `directory holding ${CA_CERT_FILE} and ca.key (from vipd certs init)`)
    .option('--san <name-or-ip>', 'extra DNS name or IP address for the certificate (repeatable)', sanArg, [])
    .option('--days <n>', `validity in days, 1-${MAX_NODE_DAYS}`, daysArg, DEFAULT_NODE_DAYS)
    .addHelpText('after', '\nExample:\n  vipd certs issue node-a --dir ./pki --san 198.51.100.11 --san node-a.example.net')
    .action(async (node: string, o: { dir: string; san: string[]; days: number }, cmd: Command) => {
      try {
        const { issueNodeCert } = await import('../security/certs.js');
        const r = await issueNodeCert({ dir: o.dir, nodeId: node, sans: o.san, days: o.days });
        print(cmd, [
          `${r.replaced ? 'renewed' : 'issued'} the certificate of node ${node} (${r.spiffeId}), valid until ${r.notAfter.toISOString().slice(0, 10)}:`,
          `  wrote ${shown(r.certFile)}  (certificate, mode 0644; SAN ${r.sans.join(', ')})`,
          `  wrote ${shown(r.keyFile)}  (private key, mode 0600: only node ${node} needs it)`,
          `next: copy ${CA_CERT_FILE}, ${node}.crt and ${node}.key to node ${node} (e.g. /etc/vipd/tls/, key readable by vipd only)`,
          `      and point that node's TLS ca, cert and key settings at them; ${r.replaced ? 'restart or reload vipd there to use the renewed certificate' : 'then run `vipd check -c <config>`'}`,
        ]);
      } catch (err) {
        fail(cmd, err);
      }
    });

  return certs;
}
