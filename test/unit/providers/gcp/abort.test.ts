/**
 * An acquire aborted after its updateNetworkInterface reached the API (the answer never read)
 * leaves an operation running that the provider never learnt the name of. release() must find
 * it (zoneOperations.list) and wait for it before it reads, or the range would land on this
 * instance after the release said "not held".
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProviderError } from '../../../../src/ports/vip-provider.js';
import { RANGE, startGcpWorld } from '../../../conformance/gcp-world.js';
import type { RequestRecord } from '../../../fakes/gcp/index.js';

describe('gcp abort', () => {
  it('release after an acquire aborted mid-move waits for the unseen operation, then removes the range', async () => {
    const world = await startGcpWorld({ operationDelayMs: 150 });
    try {
      const a = world.provider('vipd-a', 'alias-ip');
      await a.validate(new AbortController().signal);
      const controller = new AbortController();
      const onRequest = (r: RequestRecord): void => {
        if (r.method === 'instances.updateNetworkInterface') controller.abort(new Error('superseded as the update arrived'));
      };
      world.fake.on('request', onRequest);
      await assert.rejects(a.acquire({ term: 1, reason: 'test', signal: controller.signal }), (err) => err instanceof ProviderError && err.errorClass === 'fenced');
      world.fake.off('request', onRequest);
      assert.equal(world.holder('alias-ip'), 'none', 'the operation is still running');
      await a.release({ term: 2, reason: 'test', signal: new AbortController().signal });
      assert.ok(world.fake.requests.some((r) => r.method === 'zoneOperations.list'), 'release looked for the unseen operation');
      assert.equal(world.holder('alias-ip'), 'none');
      world.fake.settleOperations();
      assert.equal(world.fake.aliasOwner(RANGE), undefined, 'nothing lands after the release');
      assert.equal((await a.status(new AbortController().signal)).status, 'not-held');
    } finally {
      await world.close();
    }
  });
});
