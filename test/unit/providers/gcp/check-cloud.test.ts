/**
 * `vipd check --cloud` with a gcp group (src/app/check-cloud.ts, the same validate() a starting
 * node runs): ok against a working fake; a missing permission is one failed line with class
 * auth and the hint naming the permission and the role file.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { MetricsRegistry } from '../../../../src/adapters/metrics-registry.js';
import { systemClock } from '../../../../src/adapters/system-clock.js';
import { checkProviders } from '../../../../src/app/check-cloud.js';
import { PROVIDER_PLUGINS } from '../../../../src/app/providers.js';
import { silentLogger } from '../../../fakes/silent-logger.js';
import { TRUST, valid } from '../../config/helpers.js';
import { startGcpWorld, type GcpWorld } from '../../../conformance/gcp-world.js';

describe('vipd check --cloud with gcp', () => {
  let world: GcpWorld;
  before(async () => {
    world = await startGcpWorld();
  });
  after(async () => world.close());

  const run = async () => {
    const text = `cluster_id: demo\nnode: {id: node-a}\ngroups:\n  - name: web\n    vrid: 51\n    interface: eth0\n    vips: [198.51.100.50/32]\n    peers: [node-b, node-c]\n    provider: {type: gcp, mode: alias-ip, endpoint: "${world.fake.endpoint}", metadata_host: "${world.metadataHost['vipd-a']}", instances: [vipd-b]}\n${TRUST}`;
    const host = { nodeId: 'node-a', clock: systemClock, logger: silentLogger, metrics: new MetricsRegistry(), env: {}, configDir: '/tmp' };
    return checkProviders(valid(text), host, { registry: PROVIDER_PLUGINS, timeoutMs: 30_000 });
  };

  it('passes against a working project', async () => {
    assert.deepEqual(await run(), [{ group: 'web', type: 'gcp', kind: 'gcp:alias-ip', ok: true }]);
  });

  it('a missing permission: one failed line, class auth, the hint names the permission and the role', async () => {
    world.fake.deny('compute.instances.setMetadata');
    try {
      const [r] = await run();
      assert.ok(r && !r.ok, JSON.stringify(r));
      assert.equal(r.errorClass, 'auth');
      assert.match(r.hint ?? '', /^grant compute\.instances\.setMetadata \(deploy\/gcp\/vipd-role\.yaml\) to .* on instance vipd-a in zone us-central1-a of project vipd-test and instance vipd-b/);
    } finally {
      world.fake.allow('compute.instances.setMetadata');
    }
  });
});
