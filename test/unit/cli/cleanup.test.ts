/** `vipd cleanup` without root: help, exit codes, what it says for providers that keep nothing here. */
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { describeCleanup } from '../../../src/cli/cleanup.js';
import { vipdOnce } from './child.js';

it('vipd cleanup --help names the option, the mark and the exit codes', async () => {
  const r = await vipdOnce(['cleanup', '--help']);
  assert.equal(r.code, 0);
  assert.match(r.out, /^Usage: vipd cleanup/m);
  assert.match(r.out, /-c, --config <file>/);
  assert.match(r.out, /metric 5798/);
  assert.match(r.out, /0 done .* 1 a removal failed, 2 bad configuration/);
});

it('vipd cleanup with a bad file changes nothing, lists every error and exits 2', async () => {
  const r = await vipdOnce(['cleanup', '-c', 'test/fixtures/config/three-errors.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.err, /groups\[0\]\.priority: must be an integer 1-255/);
  assert.match(r.err, /^vipd cleanup: nothing done: 3 error\(s\) in test\/fixtures\/config\/three-errors\.yaml$/m);
  const missing = await vipdOnce(['cleanup', '-c', 'test/fixtures/config/no-such-file.yaml']);
  assert.equal(missing.code, 2);
  assert.match(missing.err, /cannot read the file: no such file/);
});

it('vipd cleanup for a group whose provider keeps nothing on the host says so and exits 0', async () => {
  const r = await vipdOnce(['cleanup', '-c', 'test/fixtures/config/insecure-single.yaml']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out, 'web: provider noop keeps nothing on this host; nothing to remove\nvipd cleanup: removed 0 VIP(s) of 1 group(s) in test/fixtures/config/insecure-single.yaml\n');
});

it('describes each outcome in one line per VIP', () => {
  const report = { interface: 'eth0', removed: ['192.0.2.50/24'], notOurs: ['192.0.2.60/24'], interfaceMissing: false };
  assert.deepEqual(describeCleanup({ group: 'web', kind: 'local', report }), [
    'web: removed 192.0.2.50/24 from eth0',
    'web: 192.0.2.60/24 on eth0 was not added by vipd (no metric 5798); left in place',
  ]);
  assert.deepEqual(describeCleanup({ group: 'db', kind: 'local', report: { ...report, removed: [], notOurs: [] } }), ['db: nothing to remove on eth0']);
  assert.deepEqual(describeCleanup({ group: 'db', kind: 'local', report: { ...report, interfaceMissing: true } }), ['db: interface eth0 does not exist; nothing to remove']);
  assert.deepEqual(describeCleanup({ group: 'db', kind: 'failed', error: new Error('reading the addresses of eth0: denied') }), ['db: FAILED: reading the addresses of eth0: denied']);
});
