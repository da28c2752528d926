import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkConfig } from '../../../src/config/check.js';
import { FIXTURES, REGISTRY, fixture } from './helpers.js';

async function tempFile(text: string): Promise<string> {
  const path = join(await mkdtemp(join(tmpdir(), 'vipd-config-')), 'vipd.yaml');
  // 600: a file holding an inline secret and readable by others warns (trust.ts).
  await writeFile(path, text, { mode: 0o600 });
  return path;
}

test('acceptance: three errors, each with file, line and path; exit 2', async () => {
  const file = fixture('three-errors.yaml');
  const { exitCode, stdout, stderr } = await checkConfig(file, REGISTRY);
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
  const { exitCode, stdout, stderr } = await checkConfig(fixture('valid-minimal.yaml'), REGISTRY);
  assert.equal(exitCode, 0);
  assert.equal(stderr, '');
  assert.equal(stdout, 'ok: node node-a, 1 group (web vrid 51 priority 100 on eth0, 1 VIP), timing lan; member listening on 127.0.0.1:7946, 0 seeds\n');
});

test('summary stays on one line with several groups', async () => {
  const { exitCode, stdout } = await checkConfig(fixture('valid-full.yaml'), REGISTRY);
  assert.equal(exitCode, 0);
  assert.equal(stdout.split('\n').length, 2); // one line plus the trailing newline
  assert.match(
    stdout,
    /^ok: node node-a, 2 groups \(web vrid 51 priority 150 on eth0, 2 VIPs; db6 vrid 52 priority 255 on eth1, 1 VIP, address owner\), timing wan; member listening on 0\.0\.0\.0:7946, advertising 192\.0\.2\.11:7946, 2 seeds$/m,
  );
});

test('warnings go to stderr and keep exit 0; insecure: true warns on every load', async () => {
  const file = await tempFile(
    'cluster_id: demo\nnode: {id: node-a}\ninsecure: true\ngroups:\n  - {name: web, vrid: 1, interface: eth0, vips: [198.51.100.1], peers: [b, c], preempt: false, preempt_delay: 5s}\n',
  );
  const { exitCode, stdout, stderr } = await checkConfig(file, REGISTRY);
  assert.equal(exitCode, 0);
  assert.match(stdout, /^ok: node node-a, 1 group .*; member listening on 127\.0\.0\.1:7946, 0 seeds, insecure \(no TLS, unsigned adverts\)\n$/);
  assert.equal(stderr, [
    `${file}:3:11: insecure: warning: insecure: true disables TLS and advert signing; for demos only\n`,
    `${file}:5:111: groups[0].preempt_delay: warning: has no effect with preempt: false\n`,
  ].join(''));
});

test('a witness: no groups, the summary names its role', async () => {
  const file = await tempFile(
    `cluster_id: demo\nnode: {id: witness-1, role: witness, listen: "[::]:7946", advertise: "[2001:db8::9]:7946"}\nseeds: [192.0.2.11:7946, 192.0.2.12:7946]\n` +
      `tls: {ca: ${join(FIXTURES, 'pki/ca.crt')}, cert: ${join(FIXTURES, 'pki/node-a.crt')}, key: ${join(FIXTURES, 'pki/node-a.key')}, allow: [node-a, node-b]}\n` +
      `auth: {mode: receive-only, keys: [{id: k1, secret: "${'ab'.repeat(16)}"}]}\n`,
  );
  const { exitCode, stdout, stderr } = await checkConfig(file, REGISTRY);
  assert.equal(stderr, '');
  assert.equal(exitCode, 0);
  assert.equal(stdout, 'ok: node witness-1, 0 groups, timing lan; witness listening on [::]:7946, advertising [2001:db8::9]:7946, 2 seeds\n');
});

test('file not found: one error, exit 2', async () => {
  const { exitCode, stderr } = await checkConfig('no/such/vipd.yaml', REGISTRY);
  assert.equal(exitCode, 2);
  assert.equal(stderr, 'no/such/vipd.yaml: (root): cannot read the file: no such file\n1 error in no/such/vipd.yaml\n');
});
