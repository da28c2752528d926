/**
 * Notify hooks with real processes and a real HTTP server on loopback (src/app/notify.ts):
 * a keepalived-style notify script gets TYPE NAME STATE PRIORITY, and a webhook receives the
 * event as JSON after a failed first attempt.
 */
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { systemClock } from '../../../src/adapters/system-clock.js';
import { buildNotify } from '../../../src/app/notify.js';
import type { VipdConfig } from '../../../src/config/types.js';
import { silentLogger } from '../../fakes/silent-logger.js';

it('a keepalived notify script gets INSTANCE NAME STATE PRIORITY; a webhook gets the event after a 503', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'vipd-notify-'));
  const out = join(dir, 'args');
  const bodies: unknown[] = [];
  let calls = 0;
  const server = createServer((req, res) => {
    let b = '';
    req.on('data', (c: Buffer) => (b += c.toString()));
    req.on('end', () => {
      calls++;
      if (calls === 1) return void res.writeHead(503).end();
      bodies.push(JSON.parse(b));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  try {
    const script = [process.execPath, '-e', `require('fs').appendFileSync(${JSON.stringify(out)}, process.argv.slice(1).join(' ') + '\\n')`];
    const config = { groups: [{ name: 'web', notify: { script, timeoutMs: 5000, webhooks: [{ url: `http://127.0.0.1:${port}/hook`, timeoutMs: 2000, attempts: 3 }] } }] } as unknown as VipdConfig;
    const hooks = buildNotify(config, systemClock, silentLogger, new MetricsRegistry());
    assert.ok(hooks);
    hooks.roleChanged({ group: 'web', nodeId: 'node-a', from: 'Backup', to: 'Master', reason: 'test', term: 4, at: 0, priority: 150 });
    hooks.roleChanged({ group: 'web', nodeId: 'node-a', from: 'Master', to: 'Fault', reason: 'test', term: 4, at: 0, priority: 150 });
    await hooks.drain(10_000);
    assert.equal(await readFile(out, 'utf8'), 'INSTANCE web MASTER 150\nINSTANCE web FAULT 150\n', 'in event order, one at a time');
    assert.equal(calls, 3, 'MASTER: a 503, then a 204; FAULT: a 204 (the retry waits 500 ms)');
    assert.deepEqual(bodies.map((b) => (b as { state: string }).state).sort(), ['FAULT', 'MASTER']);
  } finally {
    server.close();
  }
});
