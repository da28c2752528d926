/**
 * Notify hooks (src/runtime/notify.ts): keepalived's arguments, one command at a time per group
 * in event order, groups independent, a command's timeout, webhooks retried with backoff, and a
 * stop's drain. On a virtual clock with scripted commands; the real-process version is
 * test/unit/health/notify-exec.test.ts.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import type { Role } from '../../../src/core/election/types.js';
import type { RoleChange } from '../../../src/runtime/instance-runner.js';
import { NotifyHooks, WEBHOOK_FIRST_RETRY_MS, type GroupNotify } from '../../../src/runtime/notify.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

const change = (group: string, from: Role, to: Role, priority = 150): RoleChange => ({ group, nodeId: 'a', from, to, reason: 'test', term: 3, at: 0, priority });
const settle = () => new Promise((r) => setImmediate(r));
async function advance(clock: VirtualClock, to: number): Promise<void> {
  await settle(); // what was queued at the current time starts now, not after the first step
  while (clock.now() < to) {
    clock.runUntil(Math.min(to, clock.now() + 5));
    await settle();
  }
}

function hooks(groups: Record<string, Partial<GroupNotify>>, opts: { commandMs?: number; statuses?: number[] } = {}) {
  const clock = new VirtualClock();
  const log: string[] = [];
  const posts: Array<{ url: string; body: unknown; at: number }> = [];
  let running = 0;
  let maxRunning = 0;
  const statuses = [...(opts.statuses ?? [])];
  const metrics = new MetricsRegistry();
  const h = new NotifyHooks({
    groups: new Map(Object.entries(groups).map(([k, v]) => [k, { timeoutMs: 1000, webhooks: [], ...v }])),
    clock, logger: silentLogger, metrics,
    run: (argv, signal) => new Promise((resolve) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      log.push(`start ${argv.join(' ')} @${clock.now()}`);
      const done = (ok: boolean, detail: string) => {
        running--;
        log.push(`end ${argv[0]} @${clock.now()}`);
        resolve({ ok, detail });
      };
      const ms = argv[0] === 'hang' ? Infinity : (opts.commandMs ?? 10);
      if (ms !== Infinity) clock.schedule(clock.now() + ms, () => done(true, 'exit 0'));
      signal.addEventListener('abort', () => done(false, 'killed by SIGKILL'), { once: true });
    }),
    post: async (url, body) => {
      posts.push({ url, body: JSON.parse(body), at: clock.now() });
      return statuses.shift() ?? 200;
    },
  });
  return { h, clock, log, posts, metrics, maxRunning: () => maxRunning };
}

describe('notify hooks', () => {
  it('runs the state hook, then the generic script with INSTANCE NAME STATE PRIORITY', async () => {
    const t = hooks({ web: { master: ['/etc/vipd/up'], backup: ['/etc/vipd/down'], script: ['/etc/vipd/notify.sh', '--x'] } });
    t.h.roleChanged(change('web', 'Backup', 'Master', 170));
    await advance(t.clock, 100);
    assert.deepEqual(t.log.filter((l) => l.startsWith('start')).map((l) => l.replace(/ @\d+$/, '')), ['start /etc/vipd/up', 'start /etc/vipd/notify.sh --x INSTANCE web MASTER 170']);
    t.h.roleChanged(change('web', 'Master', 'Initialize', 170));
    await advance(t.clock, 200);
    assert.match(t.log.at(-2) ?? '', /^start \/etc\/vipd\/notify\.sh --x INSTANCE web STOP 170/, 'entering Initialize is a stop (keepalived notify_stop)');
  });

  it('one group\'s commands run one at a time in event order; other groups do not wait for it', async () => {
    const t = hooks({ web: { script: ['w'] }, db: { script: ['d'] } }, { commandMs: 50 });
    t.h.roleChanged(change('web', 'Initialize', 'Backup'));
    t.h.roleChanged(change('web', 'Backup', 'Master'));
    t.h.roleChanged(change('web', 'Master', 'Fault'));
    t.h.roleChanged(change('db', 'Initialize', 'Backup'));
    await advance(t.clock, 400);
    const starts = t.log.filter((l) => l.startsWith('start'));
    assert.deepEqual(starts.filter((l) => l.startsWith('start w')).map((l) => l.split(' ')[4]), ['BACKUP', 'MASTER', 'FAULT']);
    assert.deepEqual(starts.map((l) => Number(l.split('@')[1])), [0, 0, 50, 100], 'web: 0, 50, 100; db at 0 beside web');
    assert.equal(t.maxRunning(), 2, 'at most one per group');
  });

  it('a command past its timeout is killed and the next one runs', async () => {
    const t = hooks({ web: { master: ['hang'], script: ['s'], timeoutMs: 300 } });
    t.h.roleChanged(change('web', 'Backup', 'Master'));
    await advance(t.clock, 400);
    assert.deepEqual(t.log.map((l) => l.replace(/ @(\d+)$/, '@$1')), ['start hang@0', 'end hang@300', 'start s INSTANCE web MASTER 150@300', 'end s@310']);
    assert.equal(t.metrics.get('vipd_notify_total', { group: 'web', kind: 'command', result: 'failed' }), 1);
  });

  it('webhooks: the event as JSON, retried with a doubling wait until a 2xx, at most `attempts` times', async () => {
    const t = hooks({ web: { webhooks: [{ url: 'http://127.0.0.1:9/hook', timeoutMs: 100, attempts: 3 }] } }, { statuses: [503, 500, 204] });
    t.h.roleChanged(change('web', 'Backup', 'Master'));
    await advance(t.clock, 5000);
    assert.deepEqual(t.posts.map((p) => p.at), [0, WEBHOOK_FIRST_RETRY_MS, 3 * WEBHOOK_FIRST_RETRY_MS]);
    assert.deepEqual(t.posts[0]?.body, { type: 'role-change', group: 'web', node: 'a', from: 'Backup', to: 'Master', state: 'MASTER', reason: 'test', term: 3, priority: 150 });
    assert.equal(t.metrics.get('vipd_notify_total', { group: 'web', kind: 'webhook', result: 'ok' }), 1);
    const failing = hooks({ web: { webhooks: [{ url: 'http://127.0.0.1:9/hook', timeoutMs: 100, attempts: 2 }] } }, { statuses: [500, 500, 500] });
    failing.h.roleChanged(change('web', 'Backup', 'Master'));
    await advance(failing.clock, 5000);
    assert.equal(failing.posts.length, 2);
    assert.equal(failing.metrics.get('vipd_notify_total', { group: 'web', kind: 'webhook', result: 'failed' }), 1);
  });

  it('drain waits for queued hooks up to its bound, then aborts what still runs', async () => {
    const t = hooks({ web: { stop: ['hang'], timeoutMs: 10_000 } });
    t.h.roleChanged(change('web', 'Master', 'Initialize'));
    const drained = t.h.drain(1000);
    await advance(t.clock, 1100);
    await drained;
    assert.deepEqual(t.log.map((l) => l.replace(/ @\d+$/, '')), ['start hang', 'end hang'], 'killed at the drain bound, not after 10 s');
  });
});
