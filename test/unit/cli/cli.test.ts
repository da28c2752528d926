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
