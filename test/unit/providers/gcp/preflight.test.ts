/**
 * Preflight (GcpProvider.validate) against the strict fake: each problem is one clear error
 * naming the resource and the permission or setting to fix (issue 9 acceptance: bad
 * credentials, a missing address, a wrong zone or project, a missing permission).
 */
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { metadataBase } from '../../../../providers/gcp/metadata.js';
import { ProviderError, type ErrorClass } from '../../../../src/ports/vip-provider.js';
import { startGcpWorld, type GcpWorld } from '../../../conformance/gcp-world.js';

const live = (): AbortSignal => new AbortController().signal;

async function rejection(p: Promise<unknown>): Promise<ProviderError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof ProviderError, `expected a ProviderError, got ${String(err)}`);
    return err;
  }
  assert.fail('validate() passed');
}

function expect(err: ProviderError, errorClass: ErrorClass, ...texts: string[]): void {
  assert.equal(err.errorClass, errorClass, err.message);
  for (const t of texts) assert.ok(err.message.includes(t), `"${err.message}" does not mention ${t}`);
}

describe('gcp preflight', () => {
  let world: GcpWorld;
  before(async () => {
    world = await startGcpWorld();
  });
  after(async () => world.close());

  it('a working setup validates in every mode', async () => {
    for (const mode of ['alias-ip', 'external-ip', 'route'] as const) await world.provider('vipd-a', mode).validate(live());
  });

  it('a token the API refuses: auth, naming the token and the service account', async () => {
    const bogus = await bogusMetadata();
    try {
      const err = await rejection(world.provider('vipd-a', 'alias-ip', { metadata_host: bogus.host }).validate(live()));
      expect(err, 'auth', 'HTTP 401', 'access token was refused', 'service account');
    } finally {
      await bogus.close();
    }
  });

  it('an instance without a service account (no token on the metadata server): auth saying to attach one', async () => {
    world.fake.addInstance({ name: 'vipd-nosa', zone: 'us-central1-a', nics: [{ networkIP: '198.51.100.13' }], serviceAccount: null });
    const md = await world.fake.metadata('vipd-nosa');
    try {
      const err = await rejection(world.provider('vipd-a', 'alias-ip', { metadata_host: md.host }).validate(live()));
      expect(err, 'auth', 'HTTP 404', 'attach a service account to the instance with the cloud-platform scope');
    } finally {
      await md.close();
    }
  });

  it('a missing address: not-found naming the address, region and project', async () => {
    const err = await rejection(world.provider('vipd-a', 'external-ip', { address: 'no-such-address' }).validate(live()));
    expect(err, 'not-found', 'address no-such-address in region us-central1 of project vipd-test', 'does not exist');
  });

  it('a wrong zone: not-found naming the instance, the zone and the project', async () => {
    const err = await rejection(world.provider('vipd-a', 'alias-ip', { zone: 'us-central1-b' }).validate(live()));
    expect(err, 'not-found', 'instance vipd-a in zone us-central1-b of project vipd-test', 'project/zone');
  });

  it('a wrong project: not-found naming the project', async () => {
    const err = await rejection(world.provider('vipd-a', 'alias-ip', { project: 'other-project' }).validate(live()));
    expect(err, 'not-found', 'of project other-project');
  });

  it('a missing instance permission (testIamPermissions): auth naming the permission, the instance and the role file', async () => {
    world.fake.deny('compute.instances.updateNetworkInterface');
    try {
      const err = await rejection(world.provider('vipd-a', 'alias-ip').validate(live()));
      expect(err, 'auth', 'missing compute.instances.updateNetworkInterface on instance vipd-a', 'grant compute.instances.updateNetworkInterface (deploy/gcp/vipd-role.yaml)', '-compute@developer.gserviceaccount.com');
    } finally {
      world.fake.allow('compute.instances.updateNetworkInterface');
    }
  });

  it('a missing address permission: auth naming compute.addresses.use and the address', async () => {
    world.fake.deny('compute.addresses.use');
    try {
      const err = await rejection(world.provider('vipd-a', 'external-ip').validate(live()));
      expect(err, 'auth', 'compute.addresses.use on address vipd-vip in region us-central1', 'deploy/gcp/vipd-role.yaml');
    } finally {
      world.fake.allow('compute.addresses.use');
    }
  });

  it('a missing project-scoped permission (a read preflight makes): auth naming it', async () => {
    world.fake.deny('compute.routes.list');
    try {
      const err = await rejection(world.provider('vipd-a', 'route').validate(live()));
      expect(err, 'auth', 'grant compute.routes.list (deploy/gcp/vipd-role.yaml)', 'routes of project vipd-test');
    } finally {
      world.fake.allow('compute.routes.list');
    }
  });

  it('an interface the instance does not have: invalid naming network_interface', async () => {
    const err = await rejection(world.provider('vipd-a', 'alias-ip', { network_interface: 'nic3' }).validate(live()));
    expect(err, 'invalid', 'no interface nic3', 'network_interface');
  });

  it('the metadata host: config, then GCE_METADATA_IP, then GCE_METADATA_HOST (gcp-metadata\'s order)', () => {
    assert.equal(metadataBase('127.0.0.1:1', { GCE_METADATA_IP: '127.0.0.2:2' }), 'http://127.0.0.1:1/computeMetadata/v1');
    assert.equal(metadataBase(undefined, { GCE_METADATA_IP: '127.0.0.2:2', GCE_METADATA_HOST: '127.0.0.3:3' }), 'http://127.0.0.2:2/computeMetadata/v1');
    assert.equal(metadataBase(undefined, { GCE_METADATA_HOST: '127.0.0.3:3' }), 'http://127.0.0.3:3/computeMetadata/v1');
  });
});

/** A metadata server whose token the Compute fake never issued (and that knows vipd-a). */
async function bogusMetadata(): Promise<{ host: string; close(): Promise<void> }> {
  const answers: Record<string, string> = {
    '/computeMetadata/v1/project/project-id': 'vipd-test',
    '/computeMetadata/v1/instance/zone': 'projects/424242424242/zones/us-central1-a',
    '/computeMetadata/v1/instance/name': 'vipd-a',
    '/computeMetadata/v1/instance/id': '1',
    '/computeMetadata/v1/instance/service-accounts/default/email': 'vipd@vipd-test.iam.gserviceaccount.com',
    '/computeMetadata/v1/instance/service-accounts/default/token': JSON.stringify({ access_token: 'ya29.not-issued', expires_in: 3599, token_type: 'Bearer' }),
  };
  const server = http.createServer((req, res) => {
    const body = answers[new URL(req.url ?? '/', 'http://127.0.0.1').pathname];
    res.writeHead(body === undefined ? 404 : 200, { 'Metadata-Flavor': 'Google' });
    res.end(body ?? 'not found');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    host: `127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => new Promise((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}
