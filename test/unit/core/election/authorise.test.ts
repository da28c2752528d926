/** Per-group authorisation of adverts (issue 8 finding 5), src/core/election/authorise.ts. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refuseAdvert, type AdvertOrigin } from '../../../../src/core/election/authorise.js';
import type { Advert } from '../../../../src/core/election/types.js';

const advert = (nodeId: string, address?: string): Advert =>
  ({ vrid: 51, sender: address === undefined ? { nodeId } : { nodeId, address }, priority: 255, advertIntervalCs: 10, term: 1 });
const origin = (nodeId: string, o: Partial<AdvertOrigin> = {}): AdvertOrigin => ({ nodeId, primaryAddresses: ['192.0.2.2'], groups: ['web'], ...o });
const PEERS = { peers: ['b'], witnesses: ['w'] };

describe('refuseAdvert', () => {
  it('a configured peer at its announced address is heard', () => {
    assert.equal(refuseAdvert('web', PEERS, advert('b', '192.0.2.2'), origin('b')), undefined);
  });
  it('a witness of the group is never heard, even when it announces the group', () => {
    assert.equal(refuseAdvert('web', PEERS, advert('w', '192.0.2.2'), origin('w')), 'from-witness');
    assert.equal(refuseAdvert('web', { peers: [], witnesses: ['w'] }, advert('w', '192.0.2.2'), origin('w')), 'from-witness');
  });
  it('with a peer list, only the peers (a member of another group is refused)', () => {
    assert.equal(refuseAdvert('web', PEERS, advert('c', '192.0.2.2'), origin('c')), 'not-a-peer');
  });
  it('without a peer list, only nodes that announce the group', () => {
    const none = { peers: [], witnesses: [] };
    assert.equal(refuseAdvert('web', none, advert('c', '192.0.2.2'), origin('c')), undefined);
    assert.equal(refuseAdvert('web', none, advert('c', '192.0.2.2'), origin('c', { groups: ['db'] })), 'group-not-announced');
    assert.equal(refuseAdvert('web', none, advert('c', '192.0.2.2'), origin('c', { groups: [] })), 'group-not-announced');
    assert.equal(refuseAdvert('web', undefined, advert('c', '192.0.2.2'), origin('c', { groups: undefined })), 'group-not-announced');
  });
  it('the tie-break address must be the announced one', () => {
    assert.equal(refuseAdvert('web', PEERS, advert('b', '192.0.2.250'), origin('b')), 'address-mismatch');
    assert.equal(refuseAdvert('web', PEERS, advert('b', '192.0.2.2'), origin('b', { primaryAddresses: ['198.51.100.1', '192.0.2.2'] })), undefined);
    assert.equal(refuseAdvert('web', PEERS, advert('b'), origin('b', { primaryAddresses: [] })), undefined, 'no address: ties fall to the node id');
    assert.equal(refuseAdvert('web', PEERS, advert('b'), origin('b')), 'address-mismatch', 'dropping its address would change its rank');
    assert.equal(refuseAdvert('web', PEERS, advert('b', '192.0.2.2'), origin('b', { primaryAddresses: undefined })), 'address-mismatch');
  });
  it('a sender other than the stream identity', () => {
    assert.equal(refuseAdvert('web', PEERS, advert('b', '192.0.2.2'), origin('c')), 'identity-mismatch');
  });
});
