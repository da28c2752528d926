import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { ROOT, vipdOnce } from './child.js';

const pkg = JSON.parse(readFileSync(`${ROOT}/package.json`, 'utf8')) as { version: string };

it('vipd --version prints the package version', async () => {
  const r = await vipdOnce(['--version']);
  assert.equal(r.code, 0);
  assert.equal(r.out.trim(), pkg.version);
});

for (const cmd of [[], ['run'], ['check'], ['demo']]) {
  it(`vipd ${cmd.join(' ')} --help describes the command`, async () => {
    const r = await vipdOnce([...cmd, '--help']);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: vipd/m);
    if (cmd[0] === 'run' || cmd[0] === 'check') assert.match(r.out, /-c, --config <file>/);
  });
}

it('an unknown command fails with a usage error', async () => {
  const r = await vipdOnce(['frobnicate']);
  assert.notEqual(r.code, 0);
  assert.match(r.err, /unknown command 'frobnicate'/);
});

it('vipd check: an unknown key, priority 300 and a missing interface give three errors with paths, exit 2', async () => {
  const r = await vipdOnce(['check', '-c', 'test/fixtures/config/three-errors.yaml']);
  assert.equal(r.code, 2);
  const errors = r.err.trim().split('\n').filter((l) => l.startsWith('test/fixtures/config/three-errors.yaml:'));
  assert.equal(errors.length, 3, r.err);
  assert.match(r.err, /:10:15: groups\[0\]\.priority: must be an integer 1-255/);
  assert.match(r.err, /groups\[1\]\.interface: required/);
  assert.match(r.err, /groups\[1\]\.preemt: unknown key "preemt"/);
  assert.match(r.err, /^3 errors in test\/fixtures\/config\/three-errors\.yaml$/m);
});

it('vipd check on a valid file prints one summary line and exits 0', async () => {
  const r = await vipdOnce(['check', '-c', 'test/fixtures/config/valid-minimal.yaml']);
  assert.equal(r.code, 0, r.err);
  assert.equal(r.out.trim().split('\n').length, 1);
  assert.match(r.out, /^ok: node node-a, 1 group/);
});

it('vipd run refuses an invalid file with exit 2 and the errors', async () => {
  const r = await vipdOnce(['run', '-c', 'test/fixtures/config/three-errors.yaml']);
  assert.equal(r.code, 2);
  assert.match(r.err, /refusing to start: 3 error\(s\)/);
});

// Issue 8 finding 11: `-c /dev/urandom` ran 19 s and took 1.2 GB before failing.
for (const cmd of ['check', 'run']) {
  it(`vipd ${cmd} -c /dev/urandom fails at once: not a regular file, exit 2`, async () => {
    const r = await vipdOnce([cmd, '-c', '/dev/urandom']);
    assert.equal(r.code, 2, r.out + r.err);
    assert.match(r.err, /^\/dev\/urandom: \(root\): cannot read the file: is not a regular file \(a character device\)$/m);
  });
}
