/**
 * The fast path (issue 9 item 5): after validate(), a takeover pays no metadata round trip (no
 * identity lookup, no token fetch) and its first Compute request leaves at once. The measured
 * decision → first request time is printed, never asserted (the machine is shared).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { startGcpWorld } from '../../../conformance/gcp-world.js';

describe('gcp fast path', () => {
  for (const mode of ['alias-ip', 'external-ip', 'route'] as const) {
    it(`${mode}: after validate, acquire asks the metadata server nothing; the first request is timed`, async (t) => {
      const world = await startGcpWorld();
      try {
        const b = world.provider('vipd-b', mode);
        await b.acquire({ term: 1, reason: 'b first', signal: new AbortController().signal, fenced: true });
        const a = world.provider('vipd-a', mode);
        await a.validate(new AbortController().signal);
        const metadataBefore = world.fake.metadataRequests.length;
        const requestsBefore = world.fake.requests.length;
        const decided = performance.now();
        await a.acquire({ term: 2, reason: 'takeover', signal: new AbortController().signal, fenced: true });
        const done = performance.now();
        assert.equal(world.holder(mode), 'vipd-a');
        assert.deepEqual(world.fake.metadataRequests.slice(metadataBefore), [], 'a takeover after validate() must not touch the metadata server');
        const first = world.fake.requests[requestsBefore];
        assert.ok(first, 'the takeover sent requests');
        t.diagnostic(`${mode}: decision → first request ${(first.at - decided).toFixed(1)} ms (${first.method}); whole move ${(done - decided).toFixed(0)} ms, ${world.fake.requests.length - requestsBefore} requests`);
      } finally {
        await world.close();
      }
    });
  }
});
