/**
 * The fake IMDSv2: what @aws-sdk/ec2-metadata-service reads, the token rules (IMDSv1 refused,
 * TTL bounds, X-Forwarded-For refused, expiry) and the SDK's default credential chain getting
 * the instance role's credentials from it.
 */
import assert from 'node:assert/strict';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { startImds } from './imds.js';
import { ROLE_NAME } from './index.js';
import { testWorld, type TestWorld } from './helpers.js';

let t: TestWorld;
let imds: { endpoint: string; close(): Promise<void> };
beforeEach(async () => {
  t = await testWorld();
  imds = await t.fake.imds(t.b.instanceId);
});
afterEach(async () => {
  await imds.close();
  await t.close();
});

const token = async (endpoint: string, ttl = '60', headers: Record<string, string> = {}): Promise<Response> =>
  fetch(`${endpoint}/latest/api/token`, { method: 'PUT', headers: { 'x-aws-ec2-metadata-token-ttl-seconds': ttl, ...headers } });

describe('IMDSv2 through @aws-sdk/ec2-metadata-service', () => {
  it('serves identity, placement and the MAC -> ENI mapping the provider discovers itself with', async () => {
    const ms = new MetadataService({ endpoint: imds.endpoint, ec2MetadataV1Disabled: true, retries: 0 });
    const mac = t.b.enis[0]!.mac;
    assert.equal(await ms.request('/latest/meta-data/instance-id', {}), t.b.instanceId);
    assert.equal(await ms.request('/latest/meta-data/placement/region', {}), 'us-east-1');
    assert.equal(await ms.request('/latest/meta-data/placement/availability-zone', {}), 'us-east-1a');
    assert.equal(await ms.request('/latest/meta-data/mac', {}), mac);
    assert.equal(await ms.request('/latest/meta-data/local-ipv4', {}), '198.51.100.20');
    assert.equal(await ms.request('/latest/meta-data/network/interfaces/macs/', {}), `${mac}/`);
    assert.equal(await ms.request(`/latest/meta-data/network/interfaces/macs/${mac}/interface-id`, {}), t.eniB);
    const doc = JSON.parse(await ms.request('/latest/dynamic/instance-identity/document', {})) as Record<string, string>;
    assert.deepEqual([doc.region, doc.instanceId, doc.availabilityZone, doc.accountId], ['us-east-1', t.b.instanceId, 'us-east-1a', '123456789012']);
  });

  it('local-ipv4s follows the live state: a secondary address moved away disappears', async () => {
    const ms = new MetadataService({ endpoint: imds.endpoint, ec2MetadataV1Disabled: true, retries: 0 });
    const path = `/latest/meta-data/network/interfaces/macs/${t.b.enis[0]!.mac}/local-ipv4s`;
    assert.equal(await ms.request(path, {}), '198.51.100.20\n198.51.100.100');
    t.fake.moveSecondaryIp('198.51.100.100', t.eniA);
    assert.equal(await ms.request(path, {}), '198.51.100.20');
  });

  it('the default credential chain gets the role credentials from IMDS, and EC2 accepts them', async () => {
    const saved = { ...process.env };
    for (const k of Object.keys(process.env)) if (k.startsWith('AWS_')) delete process.env[k];
    Object.assign(process.env, {
      AWS_EC2_METADATA_SERVICE_ENDPOINT: imds.endpoint,
      AWS_EC2_METADATA_V1_DISABLED: 'true',
      AWS_CONFIG_FILE: '/dev/null',
      AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    });
    const ec2 = new EC2Client({ endpoint: t.fake.endpoint, region: t.fake.region });
    try {
      await ec2.send(new DescribeAddressesCommand({}));
    } finally {
      ec2.destroy();
      process.env = saved;
    }
    assert.equal(t.fake.requests.at(-1)?.accessKeyId, t.fake.roleCredentials.accessKeyId);
    const listing = await fetch(`${imds.endpoint}/latest/meta-data/iam/security-credentials/`, { headers: { 'x-aws-ec2-metadata-token': await (await token(imds.endpoint)).text() } });
    assert.equal(await listing.text(), ROLE_NAME);
  });
});

describe('IMDSv2 token rules', () => {
  it('a GET without a token (IMDSv1) or with a made-up token is 401', async () => {
    assert.equal((await fetch(`${imds.endpoint}/latest/meta-data/instance-id`)).status, 401);
    assert.equal((await fetch(`${imds.endpoint}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': 'made-up' } })).status, 401);
    const tok = await (await token(imds.endpoint)).text();
    const ok = await fetch(`${imds.endpoint}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': tok } });
    assert.equal(ok.status, 200);
    assert.equal(await ok.text(), t.b.instanceId);
  });

  it('the token PUT needs a TTL of 1..21600 s, refuses X-Forwarded-For, and only PUT creates one', async () => {
    const noTtl = await fetch(`${imds.endpoint}/latest/api/token`, { method: 'PUT' });
    assert.equal(noTtl.status, 400);
    assert.equal((await token(imds.endpoint, '0')).status, 400);
    assert.equal((await token(imds.endpoint, '21601')).status, 400);
    assert.equal((await token(imds.endpoint, '21600')).status, 200);
    assert.equal((await token(imds.endpoint, '60', { 'x-forwarded-for': '192.0.2.1' })).status, 403);
    assert.equal((await fetch(`${imds.endpoint}/latest/api/token`)).status, 405);
    const tok = await (await token(imds.endpoint)).text();
    assert.equal((await fetch(`${imds.endpoint}/latest/meta-data/no-such-thing`, { headers: { 'x-aws-ec2-metadata-token': tok } })).status, 404);
  });

  it('a token expires after its TTL, capped by tokenTtlMax (virtual clock)', async () => {
    let now = 1_000_000;
    const server = await startImds({
      region: 'us-east-1',
      accountId: '123456789012',
      instance: () => ({ instance: { instanceId: 'i-0eeeeeeeeeeeeeee5', az: 'us-east-1b', eniIds: [] }, enis: [] }),
      role: { name: ROLE_NAME, accessKeyId: 'ASIAX', secretAccessKey: 's', sessionToken: 't', expiration: '2026-12-31T00:00:00Z' },
    }, { tokenTtlMax: 5, now: () => now });
    try {
      const res = await token(server.endpoint, '600');
      assert.equal(res.headers.get('x-aws-ec2-metadata-token-ttl-seconds'), '5');
      const tok = await res.text();
      const get = () => fetch(`${server.endpoint}/latest/meta-data/instance-id`, { headers: { 'x-aws-ec2-metadata-token': tok } });
      now += 4_999;
      assert.equal((await get()).status, 200);
      now += 1;
      assert.equal((await get()).status, 401);
    } finally {
      await server.close();
    }
  });
});
