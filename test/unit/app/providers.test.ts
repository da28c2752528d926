import { test } from 'node:test';
import assert from 'node:assert/strict';
import { z } from 'zod';
import { makeGroupProvider, makeProviderList, PROVIDER_PLUGINS, type ProviderHost } from '../../../src/app/providers.js';
import type { GroupConfig } from '../../../src/config/types.js';
import { section } from '../../../src/config/fields.js';
import { NoopProvider } from '../../../providers/noop/index.js';
import { ChainProvider } from '../../../providers/common/chain.js';
import type { ProviderDeps, ProviderGroup, ProviderPlugin } from '../../../providers/common/plugin.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { TrackedClock } from '../runtime/fakes.js';
import { silentLogger } from '../../fakes/silent-logger.js';
import type { Logger } from '../../../src/ports/logger.js';

const group = (providers: GroupConfig['providers'], transport: GroupConfig['transport'] = 'unicast'): GroupConfig => ({
  name: 'web', vrid: 51, interface: 'eth0', priority: 100, version: 3, advertIntervalCs: 10, preempt: true, preemptDelayMs: 0,
  vips: [{ address: '192.0.2.50', prefixLength: 24, family: 4 }], providers, reassertIntervalMs: 2_000,
  transport, peers: ['b', 'c'], witnesses: [], quorum: 'majority', leaseStallToleranceMs: 250, tracks: [],
});

function host(bound: Record<string, unknown>[] = []): ProviderHost {
  const logger: Logger = { ...silentLogger, child: (fields) => (bound.push(fields), silentLogger) };
  return { nodeId: 'node-a', clock: new TrackedClock(), logger, metrics: new MetricsRegistry(), env: { VIPD_TEST: '1' }, configDir: '/etc/vipd' };
}

/** Records what create() got; `fail` makes create() throw. */
function recorder(seen: { options: unknown; group: ProviderGroup; deps: ProviderDeps }[], closed: string[], fail = false): ProviderPlugin {
  return {
    type: 'rec',
    schema: section({ type: z.literal('rec') }, 'rec'),
    create: (options, g, deps) => {
      if (fail && seen.length > 0) throw new Error('cannot build the second one');
      seen.push({ options, group: g, deps });
      const p = new NoopProvider([], silentLogger, deps.clock);
      return Object.assign(p, { close: async () => void closed.push(`rec${seen.length}`) });
    },
  };
}

test('one provider is returned as it is, several are one ChainProvider in the listed order', () => {
  const single = makeGroupProvider(group([{ type: 'noop', options: {} }]), host());
  assert.ok(single instanceof NoopProvider);
  const chain = makeGroupProvider(group([{ type: 'noop', options: {} }, { type: 'local', options: { announce: {} } }]), host());
  assert.ok(chain instanceof ChainProvider);
  assert.equal(chain.kind, 'noop+local');
});

test('create() gets its options, the group as providers see it, and deps with a logger bound to group and provider', () => {
  const seen: { options: unknown; group: ProviderGroup; deps: ProviderDeps }[] = [];
  const bound: Record<string, unknown>[] = [];
  const h = host(bound);
  makeProviderList(group([{ type: 'rec', options: { x: 1 } }], 'both'), h, [...PROVIDER_PLUGINS, recorder(seen, [])]);
  assert.deepEqual(seen[0]?.options, { x: 1 });
  assert.deepEqual(seen[0]?.group, {
    name: 'web', interface: 'eth0', vips: [{ address: '192.0.2.50', prefixLength: 24, family: 4 }],
    fenced: false, reassertIntervalMs: 2_000, configDir: '/etc/vipd',
  });
  assert.equal(seen[0]?.deps.nodeId, 'node-a');
  assert.deepEqual(seen[0]?.deps.env, { VIPD_TEST: '1' });
  assert.deepEqual(bound, [{ group: 'web', provider: 'rec' }]);
});

test('a provider that cannot be built: the error is thrown and the ones built before it are closed', async () => {
  const closed: string[] = [];
  const registry = [...PROVIDER_PLUGINS, recorder([], closed, true)];
  assert.throws(() => makeProviderList(group([{ type: 'rec', options: {} }, { type: 'rec', options: {} }]), host(), registry), /cannot build the second one/);
  await new Promise((resolve) => setImmediate(resolve));
  assert.deepEqual(closed, ['rec1']);
});

test('a type the registry does not know is a programming error naming the registry', () => {
  assert.throws(() => makeProviderList(group([{ type: 'azure', options: {} }]), host()), /group web: no provider "azure" in the registry \(noop, local/);
});
