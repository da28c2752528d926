import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { vipd } from './child.js';

it('vipd demo: 3 processes elect, the master is SIGKILLed and another takes over; SIGINT stops all with exit 0', async () => {
  const c = vipd(['demo', '--phase', '1s']);
  try {
    await c.waitFor(/is master again/, 60_000);
    c.proc.kill('SIGINT');
    const { code } = await c.exit(20_000);
    assert.equal(code, 0, c.err());
    const out = c.out();
    const killed = /killed (node-[abc]) \(SIGKILL/.exec(out)?.[1];
    assert.ok(killed, out);
    assert.match(out, /node-[abc] {2}BACKUP -> MASTER \((probe-confirmed: master node-c|master down: no advert from node-c)/);
    assert.match(out, /failover: node-[ab] took over \d+ ms after the kill/);
    assert.match(out, /node-c {2}MASTER -> INITIALIZE \(shutdown\)/, 'graceful stop of the master');
    assert.match(out, /demo stopped\n$/);
    const dir = /Certificates in (\S+)\./.exec(out)?.[1];
    assert.ok(dir && !existsSync(dir), 'the throwaway certificates are removed');
    assert.doesNotMatch(c.err(), /Warning/);
  } finally {
    c.proc.kill('SIGKILL');
  }
});
