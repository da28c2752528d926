/**
 * The registry entry: create() returns a provider at once (the Compute client loads behind it,
 * lazy.ts) that validates and moves the range like GcpProvider itself.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetricsRegistry } from '../../../../src/adapters/metrics-registry.js';
import { systemClock } from '../../../../src/adapters/system-clock.js';
import { gcpPlugin } from '../../../../providers/gcp/plugin.js';
import { gcpSchema } from '../../../../providers/gcp/schema.js';
import { silentLogger } from '../../../fakes/silent-logger.js';
import { RANGE, startGcpWorld, VIP } from '../../../conformance/gcp-world.js';

describe('gcp plugin', () => {
  it('create() gives a gcp:alias-ip provider that validates, acquires and closes', async () => {
    const world = await startGcpWorld();
    try {
      const options = gcpSchema.parse({ type: 'gcp', mode: 'alias-ip', endpoint: world.fake.endpoint, metadata_host: world.metadataHost['vipd-a'], instances: ['vipd-b'] });
      const group = { name: 'web', interface: 'eth0', vips: [{ address: VIP, prefixLength: 32, family: 4 as const }], fenced: true, reassertIntervalMs: 10_000, configDir: '/tmp' };
      const provider = gcpPlugin.create(options, group, { nodeId: 'node-a', clock: systemClock, logger: silentLogger, metrics: new MetricsRegistry(), env: {} });
      assert.equal(provider.kind, 'gcp:alias-ip');
      const signal = new AbortController().signal;
      await provider.validate(signal);
      await provider.acquire({ term: 1, reason: 'test', signal, fenced: true });
      assert.equal(world.fake.aliasOwner(RANGE)?.instance, 'vipd-a');
      assert.equal((await provider.status(signal)).status, 'held');
      await provider.close?.();
      await provider.close?.(); // idempotent
    } finally {
      await world.close();
    }
  });
});
