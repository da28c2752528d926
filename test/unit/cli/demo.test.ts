import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { it } from 'node:test';
import { DEMO_CLOUDS, demoMembers, demoMode } from '../../../src/cli/cloud-demo-modes.js';
import { cloudSkipReason } from '../../cluster/cloud-pair.js';
import { vipd, vipdOnce } from './child.js';

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
    // The killed master's streams end and its port refuses: the top backup takes over at once
    // (docs/leases.md "Crash verdict").
    assert.match(out, /node-b {2}BACKUP -> MASTER \(crash-verdict: master node-c/);
    assert.match(out, /failover: node-[ab] took over \d+ ms after the kill/);
    // Every node stops at once: the master resigns, or hands off to a node that is stopping too,
    // which releases when that one's Left arrives or its wait for HandoffDone ends. Either way
    // every node ends stopped, none holding the VIP.
    assert.match(out, /node-c {2}MASTER -> (INITIALIZE \(shutdown\)|BACKUP \(handoff: )/, 'graceful stop of the master');
    for (const n of ['node-a', 'node-b', 'node-c']) {
      const last = [...out.matchAll(new RegExp(`${n} {2}\\S+ -> (\\S+)`, 'g'))].at(-1)?.[1];
      assert.equal(last, 'INITIALIZE', `${n} ends stopped`);
      // After the kill (the killed master's bind has no unbind: SIGKILL releases nothing).
      const lastMove = [...out.slice(out.indexOf('killed node-c')).matchAll(new RegExp(`${n} {2}noop: would (bind|unbind) `, 'g'))].at(-1)?.[1];
      assert.notEqual(lastMove, 'bind', `${n} released the VIP it bound`);
    }
    assert.match(out, /demo stopped\n$/);
    const dir = /Certificates in (\S+)\./.exec(out)?.[1];
    assert.ok(dir && !existsSync(dir), 'the throwaway certificates are removed');
    assert.doesNotMatch(c.err(), /Warning/);
  } finally {
    c.proc.kill('SIGKILL');
  }
});

for (const cloud of DEMO_CLOUDS) {
  const mode = demoMode(cloud);
  const [a, b] = demoMembers(mode);
  it(`vipd demo --cloud ${cloud}: the fake's truth shows the ${mode.resource} move to the backup when the master is killed and back on preempt; SIGINT exits 0`, { skip: (await cloudSkipReason(mode)) ?? false }, async () => {
    const c = vipd(['demo', '--cloud', cloud, '--phase', '1s']);
    try {
      await c.waitFor(/moved back: /, 180_000);
      c.proc.kill('SIGINT');
      const { code } = await c.exit(30_000);
      assert.equal(code, 0, c.err());
      const out = c.out();
      const on = (m: typeof a) => new RegExp(`: the ${escape(mode.resource)} is on ${m!.instance} \\(${m!.id}\\)\\n`, 'g');
      // From the fake's truth, in order: on a, on b after the kill, on a again after the restart.
      const firstOnA = out.search(on(a));
      const killed = out.indexOf(`killed ${a!.id} (SIGKILL`);
      const onB = out.slice(killed).search(on(b));
      assert.ok(firstOnA >= 0 && killed > firstOnA && onB > 0, out);
      assert.match(out, new RegExp(`moved: the ${escape(mode.resource)} is on ${b!.instance} \\(${b!.id}\\) \\d+ ms after the kill`));
      assert.match(out, new RegExp(`moved back: the ${escape(mode.resource)} is on ${a!.instance} \\(${a!.id}\\) again \\d+ ms after the restart`));
      assert.match(out, /demo stopped\n$/);
      assert.doesNotMatch(c.err(), /Warning/);
    } finally {
      c.proc.kill('SIGKILL');
    }
  });
}

it('vipd demo --cloud names the clouds it knows', async () => {
  const { code, err } = await vipdOnce(['demo', '--cloud', 'azure']);
  assert.notEqual(code, 0);
  assert.match(err, /--cloud.*must be one of: aws, gcp/);
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
