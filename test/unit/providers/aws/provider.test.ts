/**
 * AwsProvider behaviour beyond the conformance suite, against the EC2 fake: the keep-warm read
 * while idle, route release leaving the routes (marking the record released), and the claim
 * written before the move.
 */
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import { KEEP_WARM_MS, fenceTagKey } from '../../../../providers/aws/index.js';
import { parseFence } from '../../../../providers/common/fence.js';
import { VirtualClock } from '../../../sim/virtual-clock.js';
import { GROUP, ROUTE_CIDR, providerFor, startWorld, type AwsWorld } from '../../../conformance/aws-subjects.js';

const worlds: AwsWorld[] = [];
after(async () => {
  for (const w of worlds) await w.fake.close();
});
const live = () => new AbortController().signal;
const req = (term: number) => ({ term, reason: 'test', signal: live(), fenced: true });

async function waitFor(what: string, probe: () => boolean, timeoutMs = 5_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!probe()) {
    if (Date.now() > until) assert.fail(`timed out waiting for ${what}`);
    await new Promise((r) => setImmediate(r));
  }
}

describe('AwsProvider', () => {
  it('keeps the connection warm while idle: one Describe per KEEP_WARM_MS, none after close()', async () => {
    const w = await startWorld('eip');
    worlds.push(w);
    const clock = new VirtualClock();
    const p = providerFor(w, 'self', { clock });
    await p.validate(live());
    const after = w.fake.requests.length;
    await clock.advanceTo(KEEP_WARM_MS - 1);
    assert.equal(w.fake.requests.length, after, `nothing before the interval: ${w.fake.requests.slice(after).map((r) => r.action).join(' ')}`);
    await clock.advanceTo(KEEP_WARM_MS + 1);
    await waitFor('the keep-warm Describe', () => w.fake.requests.length > after);
    assert.equal(w.fake.requests[after]?.action, 'DescribeAddresses');
    await p.close();
    const closed = w.fake.requests.length;
    await clock.advanceTo(10 * KEEP_WARM_MS);
    assert.equal(w.fake.requests.length, closed, `no keep-warm request after close(): ${w.fake.requests.slice(closed).map((r) => r.action).join(' ')}`);
  });

  it('eip: the claim (CreateTags) is written before AssociateAddress', async () => {
    const w = await startWorld('eip');
    worlds.push(w);
    const p = providerFor(w, 'self');
    await p.validate(live());
    const from = w.fake.requests.length;
    await p.acquire(req(3));
    const actions = w.fake.requests.slice(from).map((r) => r.action);
    assert.deepEqual(actions, ['DescribeAddresses', 'CreateTags', 'AssociateAddress']);
    const record = parseFence(w.fake.tagsOf(w.resource)[fenceTagKey(GROUP, 'self')]);
    assert.deepEqual(record && { term: record.term, node: record.node, released: record.released }, { term: 3, node: 'self', released: false });
    await p.close();
  });

  it('route: release leaves the route on our ENI, marks the record released, and reads not-held; the next master moves it', async () => {
    const w = await startWorld('route');
    worlds.push(w);
    const self = providerFor(w, 'self');
    const rival = providerFor(w, 'rival');
    await self.validate(live());
    await rival.validate(live());
    await self.acquire(req(1));
    const selfEni = w.nodes.find((n) => n.name === 'self')!.eniId;
    await self.release(req(1));
    assert.equal(w.fake.routeTarget(w.resource, ROUTE_CIDR)?.eniId, selfEni, 'the route stays');
    assert.equal(parseFence(w.fake.tagsOf(w.resource)[fenceTagKey(GROUP, 'self')])?.released, true);
    assert.equal((await self.status(live())).status, 'not-held');
    assert.ok(!w.fake.requests.some((r) => r.action === 'DeleteRoute'), 'no route is ever deleted');
    await rival.acquire(req(2));
    assert.equal(w.fake.routeTarget(w.resource, ROUTE_CIDR)?.eniId, w.nodes.find((n) => n.name === 'rival')!.eniId);
    // A late release of the former master changes nothing (the route is the rival's, and so is its record).
    const rivalRecord = w.fake.tagsOf(w.resource)[fenceTagKey(GROUP, 'rival')];
    await self.release(req(1));
    assert.equal((await rival.status(live())).status, 'held');
    assert.equal(w.fake.tagsOf(w.resource)[fenceTagKey(GROUP, 'rival')], rivalRecord);
    // Re-acquiring a route we released but still target needs only the record.
    await self.acquire(req(3));
    await self.release(req(3));
    const from = w.fake.requests.length;
    await self.acquire(req(4));
    assert.deepEqual(w.fake.requests.slice(from).map((r) => r.action), ['DescribeRouteTables', 'CreateTags']);
    assert.equal((await self.status(live())).status, 'held');
    await self.close();
    await rival.close();
  });
});
