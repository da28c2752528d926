import assert from 'node:assert/strict';
import { it } from 'node:test';
import { vipd } from './child.js';

it('vipd demo elects, fails over after a crash and exits 0 on SIGINT after a graceful stop', async () => {
  const c = vipd(['demo', '--phase', '1s', '--log-format', 'json']);
  try {
    await c.waitFor(/node-c is master again/, 20_000);
    c.proc.kill('SIGINT');
    const { code } = await c.exit(10_000);
    assert.equal(code, 0, c.err());
    const lines = c.out().trim().split('\n').map((l) => JSON.parse(l) as { msg: string; node?: string; term?: number });
    const msgs = lines.map((l) => `${l.node ?? ''} ${l.msg}`);
    assert.ok(msgs.some((m) => /^node-c BACKUP -> MASTER/.test(m)), 'first election');
    assert.ok(msgs.some((m) => /^node-b BACKUP -> MASTER \(master down: no advert from node-c/.test(m)), 'failover after the crash');
    assert.ok(msgs.some((m) => /failover: node-b took over \d+ ms after the crash/.test(m)));
    assert.ok(msgs.some((m) => /^node-c MASTER -> INITIALIZE \(shutdown\)/.test(m)), 'graceful stop of the master');
    assert.match(msgs.at(-1) ?? '', /demo stopped/);
  } finally {
    c.proc.kill('SIGKILL');
  }
});

it('vipd demo --duration stops by itself with exit 0', async () => {
  const c = vipd(['demo', '--phase', '10s', '--duration', '1500ms', '--log-format', 'json']);
  const { code } = await c.exit(15_000);
  assert.equal(code, 0, c.err());
  assert.match(c.out(), /node-c is master/);
  assert.match(c.out(), /demo stopped/);
});
