/**
 * A provider's heavy modules are loaded before the node exists (ProviderPlugin.load): buildNode
 * resolves only after load() did, so evaluating a cloud SDK (seconds, synchronous) never pauses a
 * running election; plugins the configuration does not use are not loaded.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { buildNode } from '../../../src/app/boot.js';
import { MetricsRegistry } from '../../../src/adapters/metrics-registry.js';
import { loadConfigFile } from '../../../src/config/load.js';
import type { ProviderPlugin } from '../../../providers/common/plugin.js';
import { noopPlugin } from '../../../providers/noop/plugin.js';
import { localPlugin } from '../../../providers/local/plugin.js';
import { recordingLogger } from '../../fakes/recording-logger.js';
import { VirtualClock } from '../../sim/virtual-clock.js';

it('buildNode awaits load() of the plugins the configuration uses, before it creates their providers', async () => {
  const order: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const noop: ProviderPlugin = {
    ...noopPlugin,
    load: async () => { order.push('load noop'); await gate; order.push('loaded noop'); },
    create: (options, group, deps) => { order.push('create noop'); return noopPlugin.create(options as never, group, deps); },
  };
  const local: ProviderPlugin = { ...localPlugin, load: async () => { order.push('load local'); } };
  const dir = await mkdtemp(join(tmpdir(), 'vipd-boot-load-'));
  try {
    const file = join(dir, 'lan.yaml');
    await writeFile(file, 'cluster_id: demo\nnode: { id: solo }\ngroups:\n  - { name: web, vrid: 51, interface: lo, vips: [192.0.2.50/32], transport: multicast, provider: { type: noop } }\n');
    const loaded = await loadConfigFile(file, { providers: [noop, local] });
    assert.ok(loaded.ok, loaded.ok ? '' : JSON.stringify(loaded.errors));
    let built = false;
    const node = buildNode(loaded.config, { clock: new VirtualClock(), logger: recordingLogger(), metrics: new MetricsRegistry(), providers: [noop, local] }).then((n) => { built = true; return n; });
    await new Promise((r) => setTimeout(r, 50));
    assert.deepEqual(order, ['load noop'], 'waiting for load(); the unused plugin is not loaded');
    assert.equal(built, false);
    release();
    await node;
    assert.deepEqual(order, ['load noop', 'loaded noop', 'create noop']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
