/**
 * Issue 10 acceptance, crash verdict (docs/leases.md "Crash verdict"), real vipd processes on
 * loopback: a master restarted within the confirmation window answers the backups' redials, so
 * no crash verdict is given: the backup takes over only on the normal path (Master_Down_Interval
 * and the lease), and the restarted master, the higher priority, ends master again. SIGKILL with
 * the verdict, and a stalled master without one, are in processes.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { LocalCluster, type ProcSpec } from '../../src/cli/local-cluster.js';

const VIPD = ['--import', 'tsx', fileURLToPath(new URL('../../src/cli/vipd.ts', import.meta.url))];
/** Long enough for a restarted agent (tsx start-up included) to listen again. */
const WINDOW = ['membership: { crash_verdict_window: 8s }'];

describe('crash verdict: a master restarted within the window', () => {
  const specs: ProcSpec[] = [
    { id: 'a', priority: 150, peers: ['b'], witnesses: ['w'], lines: WINDOW },
    { id: 'b', priority: 100, peers: ['a'], witnesses: ['w'], lines: WINDOW },
    { id: 'w', role: 'witness', lines: WINDOW },
  ];
  const c = new LocalCluster(specs, 'cvtest', VIPD);
  before(async () => {
    await c.prepare();
    c.startAll();
  });
  after(() => c.destroy());

  it('gets no crash verdict and keeps its role', async () => {
    await c.until(() => c.masters().join() === 'a' && c.roles().get('b') === 'BACKUP', 20_000, 'a master');
    await new Promise((r) => setTimeout(r, 1000));
    const t = Date.now();
    c.signal('a', 'SIGKILL');
    await c.exited('a').catch(() => undefined);
    c.start('a');
    // The new a listens, answers b's and w's redials, and preempts b once it is master (if b
    // took over on the normal path meanwhile).
    await c.until(() => c.logs.some((e) => e.node === 'b' && e.t >= t && /no crash verdict for a: a redial .* was answered/.test(e.msg)), 15_000, 'b: redial answered');
    await c.until(() => c.masters().join() === 'a' && c.roles().get('b') === 'BACKUP', 20_000, 'a master again');
    const verdicts = c.logs.filter((e) => e.t >= t && /crash-verdict|crash verdict: a is gone|dropped the promise to a/.test(e.msg));
    assert.deepEqual(verdicts.map((e) => `${e.node}: ${e.msg}`), [], 'no crash verdict about a restarted master');
    const took = c.change('b', 'MASTER', t);
    if (took) assert.match(took.msg, /master down: no advert from a|probe-confirmed/, 'only on the normal path');
  });
});
