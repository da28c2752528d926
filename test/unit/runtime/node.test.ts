/** VipdNode: what a node does around its groups' elections. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MemoryHub } from '../../fakes/memory-transport.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { NoopProvider } from '../../../providers/noop/index.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import type { ProviderRequest } from '../../../src/ports/vip-provider.js';
import { VipdNode } from '../../../src/runtime/node.js';
import { TrackedClock } from './fakes.js';

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
});
