/**
 * The token keeper (providers/gcp/auth.ts): validate() fetches a token; the keeper fetches the
 * next one a minute before google-auth-library would refresh inline (5 min before expiry), so a
 * takeover never waits for the metadata server. Virtual clock; the token comes from a stub.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MetadataCompute, TokenKeeper } from '../../../../providers/gcp/auth.js';
import type { MetadataClient } from '../../../../providers/gcp/metadata.js';
import { silentLogger } from '../../../fakes/silent-logger.js';
import { VirtualClock } from '../../../sim/virtual-clock.js';

describe('gcp token keeper', () => {
  it('refreshes 6 minutes before expiry, then keeps going', async () => {
    let issued = 0;
    const stub = { token: async () => ({ accessToken: `t${++issued}`, expiresInS: 1_200 }) } as unknown as MetadataClient;
    const auth = new MetadataCompute(stub, 1_000);
    const clock = new VirtualClock();
    const keeper = new TokenKeeper(auth, clock, silentLogger);
    await keeper.start();
    assert.equal(issued, 1);
    assert.equal((await auth.getAccessToken()).token, 't1', 'cached: no second fetch');
    clock.runUntil(clock.now() + (1_200 - 6 * 60 - 2) * 1000);
    await new Promise((r) => setImmediate(r));
    assert.equal(issued, 1, 'not yet');
    clock.runUntil(clock.now() + 4_000);
    for (let i = 0; i < 10; i++) await new Promise((r) => setImmediate(r));
    assert.equal(issued, 2, 'refreshed in the background before the inline window');
    assert.equal((await auth.getAccessToken()).token, 't2');
    keeper.close();
  });
});
