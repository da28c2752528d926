import assert from 'node:assert/strict';
import { it } from 'node:test';
import { vipd } from './child.js';

it('vipd run elects itself (standalone, with a warning) and stops gracefully on SIGTERM with exit 0', async () => {
  const c = vipd(['run', '-c', 'test/fixtures/config/valid-minimal.yaml']);
  try {
    await c.waitFor(/BACKUP -> MASTER/, 10_000);
    assert.match(c.out(), /no peer transport in this build/);
    c.proc.kill('SIGTERM');
    const { code } = await c.exit(10_000);
    assert.equal(code, 0, c.err());
    const msgs = c.out().trim().split('\n').map((l) => (JSON.parse(l) as { msg: string }).msg);
    assert.ok(msgs.some((m) => /^MASTER -> INITIALIZE \(shutdown\)/.test(m)), msgs.join('\n'));
    assert.ok(msgs.some((m) => /noop: would unbind/.test(m)));
    assert.equal(msgs.at(-1), 'stopped');
  } finally {
    c.proc.kill('SIGKILL');
  }
});
