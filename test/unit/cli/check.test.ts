import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { z } from 'zod';
import { PROVIDER_PLUGINS } from '../../../src/app/providers.js';
import { runCheck, type CheckRun } from '../../../src/cli/check.js';
import { section } from '../../../src/config/fields.js';
import { ProviderError, type VipProvider } from '../../../src/ports/vip-provider.js';
import type { ProviderPlugin } from '../../../providers/common/plugin.js';
import { TrackedClock, flush } from '../runtime/fakes.js';
import { vipdOnce } from './child.js';

/**
 * A provider of the test's own, registered beside the real ones: `outcome` says what its
 * validate() does. Every one it built is recorded, to check they are all closed.
 */
function fakePlugin(built: { closed: boolean }[]): ProviderPlugin {
  const schema = section({ type: z.literal('fake').describe('fake'), outcome: z.enum(['ok', 'denied', 'hang', 'bug']).describe('what validate does') }, 'fake').transform((raw) => raw.outcome);
  return {
    type: 'fake',
    schema,
    create: (outcome, group): VipProvider => {
      const record = { closed: false };
      built.push(record);
      return {
        kind: `fake:${String(outcome)}`,
        validate: async (signal) => {
          if (outcome === 'denied') {
            throw new ProviderError('validating', 'eipalloc-0123', 'auth', {
              detail: `missing permission ec2:AssociateAddress for ${group.name}`,
              hint: 'grant ec2:AssociateAddress on eipalloc-0123 to the instance role',
            });
          }
          if (outcome === 'bug') throw new TypeError('undefined is not a function');
          // Ignores its signal: the check must still give up on it.
          if (outcome === 'hang') return new Promise<void>(() => void signal);
        },
        status: async () => ({ status: 'not-held' }),
        acquire: async () => undefined,
        release: async () => undefined,
        close: async () => {
          record.closed = true;
        },
      };
    },
  };
}

async function configFile(groups: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'vipd-check-')), 'vipd.yaml');
  await writeFile(path, `cluster_id: demo\nnode: {id: node-a}\ninsecure: true\ngroups:\n${groups}`, { mode: 0o600 });
  return path;
}

const group = (name: string, vrid: number, provider: string) => `  - {name: ${name}, vrid: ${vrid}, interface: eth0, vips: [192.0.2.${vrid}/24], peers: [b, c], ${provider}}\n`;

function run(registry: readonly ProviderPlugin[], clock = new TrackedClock()) {
  let out = '';
  let err = '';
  const options: CheckRun = { cloud: true, registry, timeoutMs: 5_000, env: {}, clock, write: (s) => void (out += s), writeErr: (s) => void (err += s) };
  return { options, out: () => out, err: () => err };
}

test('--cloud: every provider validated, one line each; a failure gives its class and hint, exit 1; all closed', async () => {
  const built: { closed: boolean }[] = [];
  const registry = [...PROVIDER_PLUGINS, fakePlugin(built)];
  const file = await configFile(
    group('web', 51, 'provider: {type: noop}') +
      group('db', 52, 'providers: [{type: fake, outcome: ok}, {type: fake, outcome: denied}]') +
      group('api', 53, 'provider: {type: fake, outcome: bug}'),
  );
  const r = run(registry);
  const code = await runCheck(file, r.options);
  assert.equal(code, 1, r.out() + r.err());
  assert.deepEqual(r.out().split('\n').slice(1), ['web: noop: ok', 'db: fake:ok: ok', '']);
  assert.match(r.out(), /^ok: node node-a, 3 groups/);
  assert.deepEqual(r.err().trimEnd().split('\n').slice(-3), [
    'db: fake:denied: FAILED (auth): validating eipalloc-0123: missing permission ec2:AssociateAddress for db (grant ec2:AssociateAddress on eipalloc-0123 to the instance role)',
    'api: fake:bug: FAILED (error): undefined is not a function',
    `vipd check --cloud: 2 of 4 provider(s) ok in ${file}`,
  ]);
  assert.equal(built.length, 3);
  assert.ok(built.every((b) => b.closed), 'every provider built for the check is closed');
});

test('--cloud: all pass, exit 0; without --cloud no provider is built', async () => {
  const built: { closed: boolean }[] = [];
  const registry = [...PROVIDER_PLUGINS, fakePlugin(built)];
  const file = await configFile(group('web', 51, 'provider: {type: fake, outcome: ok}'));
  const r = run(registry);
  assert.equal(await runCheck(file, r.options), 0, r.err());
  assert.match(r.out(), /\nweb: fake:ok: ok\nvipd check --cloud: 1 of 1 provider\(s\) ok in /);
  const plain = run(registry);
  assert.equal(await runCheck(file, { ...plain.options, cloud: false }), 0);
  assert.doesNotMatch(plain.out(), /fake/);
  assert.equal(built.length, 1);
});

test('--cloud: a validate that never answers fails as transient after the timeout', async () => {
  const clock = new TrackedClock();
  const registry = [...PROVIDER_PLUGINS, fakePlugin([])];
  const file = await configFile(group('web', 51, 'provider: {type: fake, outcome: hang}'));
  const r = run(registry, clock);
  const done = runCheck(file, r.options);
  for (let i = 0; i < 100 && clock.pending().length === 0; i++) await flush();
  assert.deepEqual(clock.pending(), [5_000], 'one timer, for the timeout');
  await clock.advanceTo(5_000);
  assert.equal(await done, 1);
  assert.match(r.err(), /^web: fake:hang: FAILED \(transient\): validating fake:hang: no answer within 5000 ms \(check that the API and metadata endpoints are reachable/m);
});

test('--cloud: a bad file is exit 2 with its errors, and nothing is validated', async () => {
  const built: { closed: boolean }[] = [];
  const file = await configFile(group('web', 51, 'provider: {type: fake, outcome: maybe}'));
  const r = run([...PROVIDER_PLUGINS, fakePlugin(built)]);
  assert.equal(await runCheck(file, r.options), 2);
  assert.match(r.err(), /groups\[0\]\.provider\.outcome: /);
  assert.equal(built.length, 0);
});

test('vipd check --cloud (the real command, real registry): the noop provider passes, exit 0', async () => {
  const r = await vipdOnce(['check', '--cloud', '-c', 'test/fixtures/config/valid-minimal.yaml']);
  assert.equal(r.code, 0, r.err);
  assert.match(r.out, /^ok: node node-a, 1 group/);
  assert.match(r.out, /^web: noop: ok$/m);
  assert.match(r.out, /^vipd check --cloud: 1 of 1 provider\(s\) ok in test\/fixtures\/config\/valid-minimal\.yaml$/m);
});

test('vipd check --help describes --cloud and the exit codes', async () => {
  const r = await vipdOnce(['check', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /--cloud/);
  assert.match(r.out, /1 a provider failed its/);
});
