import assert from 'node:assert/strict';
import { it } from 'node:test';
import { vipd, vipdOnce } from './child.js';

it('vipd run: a lone insecure node warns loudly, becomes master, and stops gracefully on SIGTERM with exit 0', async () => {
  const c = vipd(['run', '-c', 'test/fixtures/config/insecure-single.yaml']);
  try {
    await c.waitFor(/BACKUP -> MASTER/, 15_000);
    const lines = () => c.out().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; level: number });
    const warns = lines().filter((l) => l.level === 40).map((l) => l.msg).join('\n');
    assert.match(warns, /insecure: true/);
    assert.match(warns, /will be master alone/);
    c.proc.kill('SIGTERM');
    const { code } = await c.exit(10_000);
    assert.equal(code, 0, c.err());
    const msgs = lines().map((l) => l.msg);
    assert.ok(msgs.some((m) => /^MASTER -> INITIALIZE \(shutdown\)/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /noop: would unbind/.test(m)));
    assert.equal(msgs.at(-1), 'stopped');
  } finally {
    c.proc.kill('SIGKILL');
  }
});

it('vipd run refuses TLS files that are not certificates, naming the file, with exit 2', async () => {
  const r = await vipdOnce(['run', '-c', 'test/fixtures/config/valid-minimal.yaml']);
  assert.equal(r.code, 2, r.out + r.err);
  assert.match(r.out, /cannot start: .*pki\/(ca|node-a)\.(crt|key)/);
});
