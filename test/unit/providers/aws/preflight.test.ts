/**
 * Preflight (AwsProvider.validate) against the EC2 fake: each misconfiguration gives one clear
 * ProviderError naming the resource and the permission or setting to fix (issue 9 acceptance:
 * bad credentials, a missing allocation, a wrong region, a missing permission).
 */
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import { ProviderError } from '../../../../src/ports/vip-provider.js';
import { providerFor, startWorld, type AwsWorld, type ProviderSetup } from '../../../conformance/aws-subjects.js';
import type { AwsModeName } from '../../../../providers/aws/index.js';

let worlds: AwsWorld[] = [];
afterEach(async () => {
  for (const w of worlds) await w.fake.close();
  worlds = [];
});

async function world(mode: AwsModeName): Promise<AwsWorld> {
  const w = await startWorld(mode);
  worlds.push(w);
  return w;
}

async function preflightError(w: AwsWorld, setup: ProviderSetup = {}): Promise<ProviderError> {
  const p = providerFor(w, 'self', setup);
  try {
    await p.validate(new AbortController().signal);
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  } finally {
    await p.close();
  }
  assert.fail('validate() succeeded');
}

describe('aws preflight', () => {
  it('passes for a working eip setup and leaves the resource alone', async () => {
    const w = await world('eip');
    const p = providerFor(w, 'self');
    await p.validate(new AbortController().signal);
    await p.close();
    assert.equal(w.holderOf(), undefined);
    assert.ok(w.fake.requests.some((r) => r.action === 'AssociateAddress' && r.params.DryRun === 'true'), 'AssociateAddress was checked by DryRun');
    assert.ok(!w.fake.requests.some((r) => r.action === 'AssociateAddress' && r.params.DryRun !== 'true'), 'nothing was associated');
  });

  it('bad credentials: auth, naming the access key id (never the secret) and the settings to fix', async () => {
    const w = await world('eip');
    const err = await preflightError(w, { components: { credentials: async () => ({ accessKeyId: 'AKIAWRONGKEYEXAMPLE1', secretAccessKey: 'not-the-secret-either' }) } });
    assert.equal(err.errorClass, 'auth');
    assert.match(err.message, /AKIAWRONGKEYEXAMPLE1/);
    assert.doesNotMatch(err.message, /not-the-secret-either/);
    assert.match(err.hint ?? '', /AWS_ACCESS_KEY_ID|instance role/);
  });

  it('credentials from the environment say so', async () => {
    const w = await world('eip');
    const saved = { ...process.env };
    Object.assign(process.env, { AWS_ACCESS_KEY_ID: 'AKIAWRONGKEYEXAMPLE2', AWS_SECRET_ACCESS_KEY: 'x', AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null' });
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    try {
      const err = await preflightError(w, { components: { credentials: undefined } });
      assert.equal(err.errorClass, 'auth');
      assert.match(err.message, /access key AKIAWRONGKEYEXAMPLE2 from environment variables/);
    } finally {
      process.env = saved;
    }
  });

  it('a missing allocation: not-found naming it and the region', async () => {
    const w = await world('eip');
    const err = await preflightError(w, { raw: { allocation_id: 'eipalloc-00000000000000001' } });
    assert.equal(err.errorClass, 'not-found');
    assert.match(err.message, /eipalloc-00000000000000001/);
    assert.match(err.message, /us-east-1/);
    assert.match(err.hint ?? '', /region \/ AWS_REGION/);
  });

  it('a wrong region: not-found with "set region / AWS_REGION"', async () => {
    const w = await world('eip');
    const err = await preflightError(w, { raw: { region: 'eu-west-1' } });
    assert.equal(err.errorClass, 'not-found');
    assert.match(err.hint ?? '', /set region \/ AWS_REGION/);
  });

  it('a missing permission: auth, naming the action, the ARNs and the policy file', async () => {
    const w = await world('eip');
    w.fake.deny('AssociateAddress');
    const err = await preflightError(w);
    assert.equal(err.errorClass, 'auth');
    const self = w.nodes.find((n) => n.name === 'self')!;
    assert.match(err.hint ?? '', new RegExp(`grant ec2:AssociateAddress on arn:aws:ec2:us-east-1:\\d{12}:elastic-ip/${w.resource} and arn:aws:ec2:us-east-1:\\d{12}:network-interface/${self.eniId}`));
    assert.match(err.hint ?? '', /deploy\/aws\/iam-policy\.json/);
  });

  it('several missing permissions: one error listing each grant', async () => {
    const w = await world('eip');
    w.fake.deny('DisassociateAddress');
    w.fake.deny('CreateTags');
    const err = await preflightError(w);
    assert.equal(err.errorClass, 'auth');
    assert.match(err.message, /ec2:DisassociateAddress, ec2:CreateTags/);
    assert.match(err.hint ?? '', /grant ec2:DisassociateAddress on .*elastic-ip.*; grant ec2:CreateTags on .*elastic-ip/);
  });

  it('route: a missing route table is not-found; a missing CreateRoute permission is named', async () => {
    const w = await world('route');
    const missing = await preflightError(w, { raw: { route_tables: ['rtb-00000000000000001'] } });
    assert.equal(missing.errorClass, 'not-found');
    assert.match(missing.message, /rtb-00000000000000001/);
    w.fake.deny('CreateRoute');
    const denied = await preflightError(w);
    assert.equal(denied.errorClass, 'auth');
    assert.match(denied.hint ?? '', new RegExp(`grant ec2:CreateRoute on arn:aws:ec2:us-east-1:\\d{12}:route-table/${w.resource}`));
  });

  it('secondary-ip: EC2 has no DryRun there; the probe still finds a missing AssignPrivateIpAddresses', async () => {
    const w = await world('secondary-ip');
    w.fake.deny('AssignPrivateIpAddresses');
    const err = await preflightError(w);
    assert.equal(err.errorClass, 'auth');
    assert.match(err.hint ?? '', /grant ec2:AssignPrivateIpAddresses on arn:aws:ec2:us-east-1:\d{12}:network-interface\/eni-/);
    assert.equal(w.holderOf(), undefined, 'the probe moved nothing');
  });

  it('a wrong ENI id: not-found naming it', async () => {
    const w = await world('eip');
    const err = await preflightError(w, { raw: { eni_id: 'eni-00000000000000001' } });
    assert.equal(err.errorClass, 'not-found');
    assert.match(err.message, /eni-00000000000000001/);
  });
});

describe('aws identity discovery (IMDSv2)', () => {
  it('finds region and ENI through the instance metadata service when the configuration leaves them out', async () => {
    const w = await world('eip');
    const self = w.nodes.find((n) => n.name === 'self')!;
    const imds = await w.fake.imds(self.instanceId);
    try {
      const p = providerFor(w, 'self', { raw: { region: undefined, eni_id: undefined, instance_id: undefined, imds_endpoint: imds.endpoint } });
      await p.validate(new AbortController().signal);
      assert.equal(p.session.identity?.eniId, self.eniId);
      assert.equal(p.session.identity?.region, w.fake.region);
      assert.equal(p.session.identity?.instanceId, self.instanceId);
      await p.acquire({ term: 1, reason: 'test', signal: new AbortController().signal });
      assert.equal(w.holderOf(), 'self');
      await p.close();
    } finally {
      await imds.close();
    }
  });

  it('an unreachable IMDS says to configure region and eni_id', async () => {
    const w = await world('eip');
    const err = await preflightError(w, { raw: { region: undefined, eni_id: undefined, imds_endpoint: 'http://127.0.0.1:9' } });
    assert.match(err.hint ?? '', /set region, eni_id and instance_id/);
  });
});
