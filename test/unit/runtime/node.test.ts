/** VipdNode: what a node does around its groups' elections. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub } from '../../fakes/memory-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { NoopProvider } from '../../../providers/noop/index.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import { ProviderError, type ProviderRequest } from '../../../src/ports/vip-provider.js';
import { masterDownIntervalMs } from '../../../src/core/election/timers.js';
import { VipdNode, type NodeGroup } from '../../../src/runtime/node.js';
import { TrackedClock, recordingLogger, type Logged } from './fakes.js';

const MDI = masterDownIntervalMs(100, 10, 3);
const params = (group: string, vrid: number) => ({
  group, vrid, self: { nodeId: 'a' }, basePriority: 100, advertIntervalCs: 10, version: 3 as const, preempt: true, preemptDelayMs: 0,
});

/** A node running `groups` alone on a memory hub, logging into `logs`. */
function nodeOf(clock: TrackedClock, groups: NodeGroup[], logs: Logged[]) {
  const metrics = new MetricsRegistry();
  const node = new VipdNode({ nodeId: 'a', groups, transport: new MemoryHub(clock).connect('a'), clock, logger: recordingLogger(logs), metrics });
  const status = (group: string) => node.groupStatus().find((g) => g.group === group);
  return { node, metrics, status };
}

describe('VipdNode', () => {
  it('start removes what an earlier run left (a release per group) before any election begins (issue 8 finding 1)', async () => {
    const clock = new TrackedClock();
    const events: string[] = [];
    const providers = ['web', 'db'].map((group) => {
      const p = new NoopProvider(['192.0.2.50/24'], silentLogger, clock);
      // A release that takes 50 ms (a real one reads and changes the interface).
      p.release = (req: ProviderRequest) => new Promise<void>((resolve) => {
        events.push(`${group}: release ${req.term} started`);
        clock.schedule(clock.now() + 50, () => {
          events.push(`${group}: release done`);
          resolve();
        });
      });
      return { group, provider: p };
    });
    const node = new VipdNode({
      nodeId: 'a',
      groups: providers.map(({ group, provider }, i) => ({
        params: { group, vrid: 51 + i, self: { nodeId: 'a' }, basePriority: 100, advertIntervalCs: 10, version: 3, preempt: true, preemptDelayMs: 0 },
        provider,
      })),
      transport: new MemoryHub(clock).connect('a'),
      clock,
      logger: silentLogger,
      metrics: new MetricsRegistry(),
      onRoleChange: (c) => events.push(`${c.group}: ${c.from} -> ${c.to}`),
    });
    const started = node.start();
    await clock.advanceTo(100);
    await started;
    const firstRole = events.findIndex((e) => e.includes(' -> '));
    assert.ok(firstRole > 0, events.join('\n'));
    assert.deepEqual(events.slice(0, firstRole).sort(), ['db: release 0 started', 'db: release done', 'web: release 0 started', 'web: release done'], events.join('\n'));
    await node.stop();
  });

  it('a group whose provider fails validate() is held in Fault with the reason, retried 1 s, 2 s later, and elects once it passes; the other group is unaffected', async () => {
    const clock = new TrackedClock();
    const logs: Logged[] = [];
    const web = new NoopProvider(['192.0.2.50/24'], silentLogger, clock);
    const refused = () => new ProviderError('checking permission', 'ec2:AssociateAddress on eipalloc-1', 'auth', {
      detail: 'UnauthorizedOperation', hint: 'grant ec2:AssociateAddress on eipalloc-1 to the instance role',
    });
    const attempts: number[] = [];
    web.validate = async () => {
      attempts.push(clock.now());
      if (attempts.length <= 2) throw refused();
    };
    const db = new NoopProvider(['192.0.2.60/24'], silentLogger, clock);
    const { node, metrics, status } = nodeOf(clock, [{ params: params('web', 51), provider: web }, { params: params('db', 52), provider: db }], logs);
    await node.start();
    assert.equal(status('web')?.role, 'Fault');
    assert.match(status('web')?.faultReason ?? '', /provider noop not ready: checking permission ec2:AssociateAddress on eipalloc-1: UnauthorizedOperation \(grant ec2:AssociateAddress/);
    assert.equal(status('db')?.role, 'Backup');
    assert.equal(status('db')?.faultReason, undefined);
    await clock.advanceTo(MDI);
    assert.equal(status('db')?.role, 'Master', 'the other group elects meanwhile');
    assert.equal(status('web')?.role, 'Fault');
    await clock.advanceTo(2999);
    assert.deepEqual(attempts, [0, 1000], 'retried after 1 s');
    assert.equal(status('web')?.role, 'Fault');
    await clock.advanceTo(3000);
    assert.deepEqual(attempts, [0, 1000, 3000], 'then after 2 s more, and it passed');
    assert.equal(status('web')?.role, 'Backup');
    assert.equal(status('web')?.faultReason, undefined);
    await clock.advanceTo(3000 + MDI);
    assert.equal(status('web')?.role, 'Master');
    assert.ok((status('web')?.term ?? 0) >= 1);
    assert.equal(status('db')?.role, 'Master', 'never disturbed');
    const errors = logs.filter((l) => l.level === 'error' && /failed validate/.test(l.msg));
    assert.equal(errors.length, 1, 'logged once');
    assert.equal(errors[0]?.fields.hint, 'grant ec2:AssociateAddress on eipalloc-1 to the instance role');
    assert.ok(logs.some((l) => l.level === 'info' && /passed validate\(\) after 2 failed attempt/.test(l.msg)));
    assert.equal(metrics.get('vipd_provider_preflight_total', { group: 'web', result: 'error' }), 2);
    assert.equal(metrics.get('vipd_provider_preflight_total', { group: 'web', result: 'ok' }), 1);
    assert.equal(metrics.get('vipd_provider_preflight_total', { group: 'db', result: 'ok' }), 1);
    await node.stop();
  });

  it('validate() retries back off 1 s doubling to 30 s; stop() ends them', async () => {
    const clock = new TrackedClock();
    const web = new NoopProvider(['192.0.2.50/24'], silentLogger, clock);
    const attempts: number[] = [];
    web.validate = async () => {
      attempts.push(clock.now());
      throw new ProviderError('resolving', 'credentials', 'auth', { detail: attempts.length > 3 ? 'expired token' : 'no credentials' });
    };
    const logs: Logged[] = [];
    const { node, status } = nodeOf(clock, [{ params: params('web', 51), provider: web }], logs);
    await node.start();
    await clock.advanceTo(200_000);
    const gaps = attempts.slice(1).map((t, i) => t - (attempts[i] ?? 0));
    assert.deepEqual(gaps.slice(0, 8), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000, 30_000]);
    assert.equal(status('web')?.role, 'Fault');
    assert.match(status('web')?.faultReason ?? '', /expired token/, 'the reason follows the latest failure');
    assert.deepEqual(logs.filter((l) => l.level === 'error' || l.level === 'warn').map((l) => [l.level, /expired token/.test(l.msg)]), [['error', false], ['warn', true]],
      'one error line, one warning when the reason changed');
    await node.stop();
    const n = attempts.length;
    await clock.advanceTo(400_000);
    assert.equal(attempts.length, n, 'no retry after stop');
  });

  it('a validate() that hangs does not hold up the other groups: Fault after 5 s, and the group elects when it passes', async () => {
    const clock = new TrackedClock();
    const slow = new NoopProvider(['192.0.2.50/24'], silentLogger, clock);
    slow.validate = () => new Promise<void>((resolve) => clock.schedule(clock.now() + 7000, resolve));
    const db = new NoopProvider(['192.0.2.60/24'], silentLogger, clock);
    const { node, status } = nodeOf(clock, [{ params: params('web', 51), provider: slow }, { params: params('db', 52), provider: db }], []);
    let started = false;
    void node.start().then(() => (started = true));
    await clock.advanceTo(4999);
    assert.equal(started, false);
    await clock.advanceTo(5000);
    assert.equal(started, true, 'start goes on after 5 s');
    assert.equal(status('web')?.role, 'Fault');
    assert.match(status('web')?.faultReason ?? '', /still validating after 5000 ms/);
    assert.equal(status('db')?.role, 'Backup');
    await clock.advanceTo(7000 + MDI);
    assert.equal(status('web')?.role, 'Master');
    assert.equal(status('db')?.role, 'Master');
    await node.stop();
  });
});
