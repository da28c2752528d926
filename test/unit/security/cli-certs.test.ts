/** `vipd certs init|issue` through commander: files written, what is printed, exit codes. */
import { CommanderError } from 'commander';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, readdir, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { certsCommand } from '../../../src/cli/certs.js';

const DAY_MS = 86_400_000;

/** certsCommand() with exitOverride and captured output. */
async function run(args: string[], opts: { exitOverride?: boolean } = {}): Promise<{ out: string; err: string; error?: unknown }> {
  let out = '';
  let err = '';
  const cmd = certsCommand().configureOutput({ writeOut: (s) => void (out += s), writeErr: (s) => void (err += s) });
  if (opts.exitOverride !== false) cmd.exitOverride();
  try {
    await cmd.parseAsync(['node', 'x', ...args]);
    return { out, err };
  } catch (error) {
    return { out, err, error };
  }
}

function exitCode(error: unknown): number | undefined {
  return error instanceof CommanderError ? error.exitCode : undefined;
}

async function withTmp(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-cli-certs-'));
  try {
    await fn(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

describe('vipd certs', () => {
  it('init writes the CA and says what to do next', async () => {
    await withTmp(async (dir) => {
      const r = await run(['init', '--dir', dir, '--cluster', 'c']);
      assert.equal(r.error, undefined, r.err);
      assert.deepEqual((await readdir(dir)).sort(), ['ca.crt', 'ca.key']);
      assert.equal((await stat(join(dir, 'ca.key'))).mode & 0o777, 0o600);
      assert.equal(new X509Certificate(await readFile(join(dir, 'ca.crt'))).subject, 'CN=vipd CA c');
      assert.match(r.out, /created the CA of cluster c/);
      assert.match(r.out, new RegExp(`wrote .*ca\\.crt .*copy it to every node`));
      assert.match(r.out, new RegExp(`wrote .*ca\\.key .*mode 0600`));
      assert.match(r.out, new RegExp(`next: vipd certs issue <node-id> --dir ${dir}`));
    });
  });

  it('issue writes the node files with the requested SANs and days', async () => {
    await withTmp(async (dir) => {
      await run(['init', '--dir', dir, '--cluster', 'c']);
      const r = await run(['issue', 'node-a', '--dir', dir, '--san', '127.0.0.1', '--san', 'a.example', '--days', '30']);
      assert.equal(r.error, undefined, r.err);
      const cert = new X509Certificate(await readFile(join(dir, 'node-a.crt')));
      assert.equal(cert.subjectAltName, 'URI:spiffe://c/node/node-a, DNS:node-a, IP Address:127.0.0.1, DNS:a.example');
      assert.ok(Math.abs((new Date(cert.validTo).getTime() - Date.now()) / DAY_MS - 30) < 1);
      assert.equal((await stat(join(dir, 'node-a.key'))).mode & 0o777, 0o600);
      assert.match(r.out, /issued the certificate of node node-a \(spiffe:\/\/c\/node\/node-a\)/);
      assert.match(r.out, /next: copy ca\.crt, node-a\.crt and node-a\.key to node node-a/);
    });
  });

  it('bad input fails with exit code 2 and a clear message', async () => {
    await withTmp(async (dir) => {
      await run(['init', '--dir', dir, '--cluster', 'c']);
      const cases: [string[], RegExp][] = [
        [['init', '--dir', dir, '--cluster', 'c'], /already exists.*--force/],
        [['init', '--dir', dir, '--cluster', 'Bad'], /cluster id "Bad" is invalid/],
        [['issue', 'Node_A', '--dir', dir], /node id "Node_A" is invalid: it must be 1-63 characters/],
        [['issue', 'ca', '--dir', dir], /node id "ca" is reserved/],
        [['issue', 'a', '--dir', dir, '--san', 'a b'], /SAN "a b" is neither an IP address nor a DNS name/],
        [['issue', 'a', '--dir', dir, '--days', '0'], /--days .*must be an integer 1-3650/],
        [['issue', 'a', '--dir', join(dir, 'nope')], /nope\/ca\.crt: file not found; create the CA first/],
      ];
      for (const [args, message] of cases) {
        const r = await run(args);
        assert.equal(exitCode(r.error), 2, `${args.join(' ')}: ${String(r.error)}`);
        assert.match(r.err, message, args.join(' '));
      }
      assert.deepEqual((await readdir(dir)).sort(), ['ca.crt', 'ca.key'], 'nothing written by failed commands');
    });
  });

  it("commander's own usage errors exit 2 too", async (t) => {
    const exits: (number | undefined)[] = [];
    t.mock.method(process, 'exit', (code?: number) => {
      exits.push(code);
      throw new Error(`process.exit(${code})`);
    });
    for (const args of [['issue', '--dir', '/tmp'], ['init', '--cluster', 'c'], ['init', '--dir', '/tmp', '--cluster', 'c', '--bogus'], ['frobnicate']]) {
      const r = await run(args, { exitOverride: false });
      assert.match(String(r.error), /process\.exit\(2\)/, `${args.join(' ')}: ${r.err}`);
      assert.match(r.err, /error: |Usage:/);
    }
    assert.deepEqual(exits, [2, 2, 2, 2]);
  });

  it('--help describes each command', async () => {
    for (const [args, expected] of [[['--help'], /init .*\n.*issue/s], [['init', '--help'], /--dir <dir>[\s\S]*--cluster <id>[\s\S]*--force/], [['issue', '--help'], /<node>[\s\S]*--san <name-or-ip>[\s\S]*--days <n>/]] as const) {
      const r = await run([...args]);
      assert.equal(exitCode(r.error), 0, args.join(' '));
      assert.match(r.out, /^Usage: certs/);
      assert.match(r.out, expected);
    }
  });
});
