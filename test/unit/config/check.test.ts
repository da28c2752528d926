import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { checkConfig } from '../../../src/config/check.js';

// Relative to the working directory, as a user would type it, wherever the runner starts.
const fixture = (name: string) => relative(process.cwd(), fileURLToPath(new URL(`../../fixtures/config/${name}`, import.meta.url)));

async function tempFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'vipd-config-')), 'vipd.yaml');
  await writeFile(path, text);
  return path;
}

test('acceptance: three errors, each with file, line and path; exit 2', async () => {
  const file = fixture('three-errors.yaml');
  const { exitCode, stdout, stderr } = await checkConfig(file);
  assert.equal(exitCode, 2);
  assert.equal(stdout, '');
  const lines = stderr.trimEnd().split('\n');
  const errorLines = lines.filter((line) => line.startsWith(`${file}:`));
  assert.equal(errorLines.length, 3, stderr);
  assert.deepEqual(errorLines.map((line) => /^[^:]+:(\d+):(\d+): (\S+): /.exec(line)?.slice(1)), [
    ['10', '15', 'groups[0].priority'],
    ['12', '5', 'groups[1].interface'],
    ['15', '5', 'groups[1].preemt'],
  ]);
  assert.match(errorLines[0] ?? '', /must be an integer 1-255 \(255 = address owner\); got 300$/);
  assert.match(errorLines[1] ?? '', /required \(the Linux interface that carries the VIP, e\.g\. eth0\)$/);
  assert.match(errorLines[2] ?? '', /unknown key "preemt" \(did you mean "preempt"\? allowed: name, vrid, interface,/);
  assert.equal(lines.at(-1), `3 errors in ${file}`);
});

test('valid file: exit 0 and a one-line summary on stdout', async () => {
  const { exitCode, stdout, stderr } = await checkConfig(fixture('valid-minimal.yaml'));
  assert.equal(exitCode, 0);
  assert.equal(stderr, '');
  assert.equal(stdout, 'ok: node node-a, 1 group (web vrid 51 priority 100 on eth0, 1 VIP), timing lan\n');
});

test('summary stays on one line with several groups', async () => {
  const { exitCode, stdout } = await checkConfig(fixture('valid-full.yaml'));
  assert.equal(exitCode, 0);
  assert.equal(stdout.split('\n').length, 2); // one line plus the trailing newline
  assert.match(stdout, /^ok: node node-a, 2 groups \(web vrid 51 priority 150 on eth0, 2 VIPs; db6 vrid 52 priority 255 on eth1, 1 VIP, address owner\), timing wan$/m);
});

test('warnings go to stderr and keep exit 0', async () => {
  const file = await tempFile(
    'cluster_id: demo\nnode: {id: node-a}\ngroups:\n  - {name: web, vrid: 1, interface: eth0, vips: [10.0.0.1], preempt: false, preempt_delay: 5s}\n',
  );
  const { exitCode, stdout, stderr } = await checkConfig(file);
  assert.equal(exitCode, 0);
  assert.match(stdout, /^ok: /);
  assert.match(stderr, /:4:\d+: groups\[0\]\.preempt_delay: warning: has no effect with preempt: false\n$/);
});

test('file not found: one error, exit 2', async () => {
  const { exitCode, stderr } = await checkConfig('no/such/vipd.yaml');
  assert.equal(exitCode, 2);
  assert.equal(stderr, 'no/such/vipd.yaml: (root): cannot read the file: no such file\n1 error in no/such/vipd.yaml\n');
});
