/**
 * The GCP fake against the REAL clients: @google-cloud/compute (REST transport) with
 * google-auth-library's Compute credentials from the fake's metadata server, and gcp-metadata.
 * Raw fetch only where the clients cannot say something (an unknown field, no token, `[]`).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import net from 'node:net';
import { once } from 'node:events';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import type { protos } from '@google-cloud/compute';
import * as gcpMetadata from 'gcp-metadata';
import { Compute } from 'google-auth-library';
import { fakeClients, useMetadataHost, type FakeClients } from './clients.js';
import { matchesFilter, parseFilter } from './filter.js';
import { startGcpFake, type GcpFake, type GcpFakeOptions, type RequestRecord } from './index.js';

const ZONE = 'us-central1-a';
const VIP = '198.51.100.10/32';
const EIP = '203.0.113.10';

/**
 * The Compute Operation a mutation answered with. The client's typings call `latestResponse` a
 * google.longrunning.Operation; at run time it is the compute#operation (and the wrapper's `name`
 * is the operation's numeric id, not its name).
 */
const lro = (op: { latestResponse: unknown }): protos.google.cloud.compute.v1.IOperation => op.latestResponse as protos.google.cloud.compute.v1.IOperation;

interface Refusal {
  status: number;
  reason: string | undefined;
  message: string;
  grpcStatus: string | undefined;
}

/** What the client's rejection says: a GaxiosError whose message is Google's JSON error body. */
function refusal(e: unknown): Refusal {
  const err = e as { status?: number; message: string };
  const body = JSON.parse(err.message) as { error: { message: string; status?: string; errors?: { reason: string }[] } };
  return { status: err.status ?? 0, reason: body.error.errors?.[0]?.reason, message: body.error.message, grpcStatus: body.error.status };
}

async function refused(p: Promise<unknown>): Promise<Refusal> {
  try {
    await p;
  } catch (e) {
    return refusal(e);
  }
  assert.fail('expected the call to be refused');
}

/** A fake with world() and clients for `instance`, started before a suite and closed after it. */
function useFake(opts: GcpFakeOptions, instance: string, set: (f: GcpFake, c: FakeClients) => void | Promise<void>, clientOpts?: { timeoutMs?: number }): void {
  let f: GcpFake | undefined;
  let cl: FakeClients | undefined;
  before(async () => {
    f = await startGcpFake(opts);
    world(f);
    cl = await fakeClients(f, instance, clientOpts);
    await set(f, cl);
  });
  after(async () => {
    await cl?.close();
    await f?.close();
  });
}

function world(fake: GcpFake): void {
  fake.addInstance({ name: 'vm-a', nics: [{ networkIP: '198.51.100.2', aliasIpRanges: [{ ipCidrRange: VIP }] }] });
  fake.addInstance({ name: 'vm-b', nics: [{ networkIP: '198.51.100.3' }] });
  fake.addInstance({ name: 'vm-c', nics: [{ networkIP: '198.51.100.4' }] });
  fake.addAddress({ name: 'vip-ext', address: EIP });
}

async function raw(fake: GcpFake, method: string, path: string, o: { token?: string; body?: string } = {}): Promise<{ status: number; json: unknown }> {
  const res = await fetch(`${fake.endpoint}${path}`, {
    method,
    headers: { ...(o.token ? { authorization: `Bearer ${o.token}` } : {}), 'content-type': 'application/json' },
    ...(o.body !== undefined ? { body: o.body } : {}),
  });
  return { status: res.status, json: await res.json() };
}

async function token(c: FakeClients): Promise<string> {
  const t = await c.auth.getAccessToken();
  assert.ok(t.token);
  return t.token;
}

/** The next request the fake records for `method` (bounded wait). */
function nextRequest(fake: GcpFake, method: string, timeoutMs = 5000): Promise<RequestRecord> {
  return new Promise((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`no ${method} request within ${timeoutMs} ms`)), timeoutMs);
    const fn = (r: RequestRecord): void => {
      if (r.method !== method) return;
      clearTimeout(t);
      fake.off('request', fn);
      resolve(r);
    };
    fake.on('request', fn);
  });
}

const nic0 = async (c: FakeClients, fake: GcpFake, instance: string) => {
  const [i] = await c.instances.get({ project: fake.project, zone: ZONE, instance });
  const n = i.networkInterfaces?.[0];
  assert.ok(n);
  return n;
};

describe('gcp fake: metadata server', () => {
  let fake: GcpFake;
  let host: string;
  before(async () => {
    fake = await startGcpFake();
    world(fake);
    host = (await fake.metadata('vm-a')).host;
    useMetadataHost(host);
    gcpMetadata.resetIsAvailableCache();
  });
  after(() => fake.close());

  it('answers only with Metadata-Flavor: Google, and marks its answers', async () => {
    const bare = await fetch(`http://${host}/computeMetadata/v1/instance/name`);
    assert.equal(bare.status, 403);
    const ok = await fetch(`http://${host}/computeMetadata/v1/instance/name`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(ok.status, 200);
    assert.equal(ok.headers.get('metadata-flavor'), 'Google');
    assert.equal(await ok.text(), 'vm-a');
    const missing = await fetch(`http://${host}/computeMetadata/v1/instance/nope`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(missing.status, 404);
  });

  it('serves identity, interfaces and aliases through gcp-metadata (GCE_METADATA_HOST only)', async () => {
    assert.equal(await gcpMetadata.isAvailable(), true);
    assert.equal(await gcpMetadata.project('project-id'), 'vipd-test');
    assert.equal(await gcpMetadata.instance('name'), 'vm-a');
    assert.equal(await gcpMetadata.instance('zone'), `projects/${fake.projectNumber}/zones/${ZONE}`);
    assert.equal(await gcpMetadata.instance('network-interfaces/0/ip'), '198.51.100.2');
    assert.equal(await gcpMetadata.instance('network-interfaces/0/ip-aliases/'), `${VIP}\n`);
    assert.equal(await gcpMetadata.instance('network-interfaces/0/network'), `projects/${fake.projectNumber}/networks/default`);
    assert.equal(await gcpMetadata.instance('service-accounts/default/email'), `${fake.projectNumber}-compute@developer.gserviceaccount.com`);
    const all = (await gcpMetadata.instance({ property: '', params: { recursive: 'true' } })) as { id: unknown; networkInterfaces: { ipAliases: string[] }[] };
    assert.deepEqual(all.networkInterfaces[0]?.ipAliases, [VIP]);
    const tok = (await gcpMetadata.instance('service-accounts/default/token')) as { access_token: string; expires_in: number; token_type: string };
    assert.match(tok.access_token, /^ya29\.fake-vm-a-/);
    assert.equal(tok.token_type, 'Bearer');
    assert.ok(fake.metadataRequests.some((r) => r.path.endsWith('/token') && r.instance === 'vm-a'));
  });

  it('answers the ping paths and lists directories', async () => {
    const get = async (path: string) => (await fetch(`http://${host}${path}`, { headers: { 'Metadata-Flavor': 'Google' } })).text();
    assert.equal(await get('/'), 'computeMetadata/\n');
    assert.match(await get('/computeMetadata/v1/instance'), /^network-interfaces\/$/m);
    assert.equal(await get('/computeMetadata/v1/instance/network-interfaces/'), '0/\n');
    assert.match(await get('/computeMetadata/v1/instance/service-accounts/default/'), /^token$/m);
    const bad = await fetch(`http://${host}/computeMetadata/v1/instance/name?bogus=1`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(bad.status, 400);
  });

  it('with GCE_METADATA_HOST set, gcp-metadata and the Compute credentials connect to nothing but it', async () => {
    const hosts: string[] = [];
    const fresh = await fake.metadata('vm-a'); // a new port: no kept-alive connection to reuse
    useMetadataHost(fresh.host);
    const connect = net.Socket.prototype.connect;
    // Every TCP connection this process opens goes through Socket#connect: record where to.
    net.Socket.prototype.connect = function (this: net.Socket, ...args: unknown[]) {
      // net.createConnection hands connect() its normalised [options, callback] array.
      const first = Array.isArray(args[0]) ? (args[0] as unknown[])[0] : args[0];
      const o = typeof first === 'object' && first !== null ? (first as { host?: string; hostname?: string }) : { host: typeof args[1] === 'string' ? args[1] : undefined };
      hosts.push(o.host ?? o.hostname ?? '(default host)');
      return (connect as (...x: unknown[]) => net.Socket).apply(this, args);
    } as typeof connect;
    try {
      gcpMetadata.resetIsAvailableCache();
      assert.equal(await gcpMetadata.isAvailable(), true);
      await gcpMetadata.instance('id');
      await new Compute().getAccessToken();
    } finally {
      net.Socket.prototype.connect = connect;
      await fresh.close();
      useMetadataHost(host);
    }
    assert.ok(hosts.length > 0, 'the probe saw the connections');
    assert.deepEqual([...new Set(hosts)], ['127.0.0.1']);
  });

  it('reflects moves: the alias list follows the interface', async () => {
    fake.moveAlias(VIP, 'vm-b');
    assert.equal(await gcpMetadata.instance('network-interfaces/0/ip-aliases/'), '');
    fake.moveAlias(VIP, 'vm-a');
  });
});

describe('gcp fake: auth and permissions', () => {
  let fake: GcpFake;
  let c: FakeClients;
  useFake({}, 'vm-a', (f, cl) => void ([fake, c] = [f, cl]));

  it('refuses a request without a token issued by a metadata server (401)', async () => {
    const none = await raw(fake, 'GET', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`);
    assert.equal(none.status, 401);
    assert.equal((none.json as { error: { status: string } }).error.status, 'UNAUTHENTICATED');
    const forged = await raw(fake, 'GET', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`, { token: 'ya29.forged' });
    assert.equal(forged.status, 401);
    const ok = await raw(fake, 'GET', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`, { token: await token(c) });
    assert.equal(ok.status, 200);
  });

  it('records which instance the token belongs to, and the body a request sent', async () => {
    await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-b' });
    assert.equal(fake.requests.at(-1)?.caller, 'vm-a');
    await c.instances.testIamPermissions({ project: fake.project, zone: ZONE, resource: 'vm-a', testPermissionsRequestResource: { permissions: ['compute.instances.get'] } });
    assert.deepEqual(fake.requests.at(-1)?.body, { permissions: ['compute.instances.get'] });
  });

  it('denies a permission with 403 naming it and the resource; testIamPermissions answers the allowed subset', async () => {
    const perms = ['compute.instances.get', 'compute.instances.updateNetworkInterface', 'compute.zoneOperations.get'];
    const [all] = await c.instances.testIamPermissions({ project: fake.project, zone: ZONE, resource: 'vm-a', testPermissionsRequestResource: { permissions: perms } });
    assert.deepEqual(all.permissions, perms);
    fake.deny('compute.instances.updateNetworkInterface');
    const [some] = await c.instances.testIamPermissions({ project: fake.project, zone: ZONE, resource: 'vm-a', testPermissionsRequestResource: { permissions: perms } });
    assert.deepEqual(some.permissions, ['compute.instances.get', 'compute.zoneOperations.get']);
    const n = await nic0(c, fake, 'vm-b');
    const r = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: n.fingerprint, aliasIpRanges: [{ ipCidrRange: '198.51.100.20/32' }] } }),
    );
    assert.equal(r.status, 403);
    assert.equal(r.reason, 'forbidden');
    assert.equal(r.message, `Required 'compute.instances.updateNetworkInterface' permission for 'projects/${fake.project}/zones/${ZONE}/instances/vm-b'`);
    fake.allow('compute.instances.updateNetworkInterface');
    const [none] = await c.instances.testIamPermissions({ project: fake.project, zone: ZONE, resource: 'vm-a', testPermissionsRequestResource: { permissions: [] } });
    assert.deepEqual(none.permissions, []);
  });

  it('an instance without a service account gets no token: the Compute credentials fail with status 404', async () => {
    fake.addInstance({ name: 'vm-nosa', nics: [{ networkIP: '198.51.100.9' }], serviceAccount: null });
    const md = await fake.metadata('vm-nosa');
    useMetadataHost(md.host);
    try {
      const auth = new Compute();
      // gcp-metadata bundles its own gaxios, so google-auth-library's `instanceof GaxiosError` misses
      // and its explanatory wrapping never happens: the caller sees a bare "Not Found" with status 404.
      await assert.rejects(auth.getAccessToken(), (e: Error & { status?: number }) => e.status === 404 && /^Not Found\s*$/.test(e.message));
    } finally {
      await md.close();
      useMetadataHost(c.metadataHost);
    }
  });

  it('revoked tokens get 401 through the client', async () => {
    fake.revokeTokens();
    const r = await refused(c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-a' }));
    assert.equal(r.status, 401);
  });
});

describe('gcp fake: instances and alias IP ranges', () => {
  let fake: GcpFake;
  let c: FakeClients;
  useFake({ operationDelayMs: 20 }, 'vm-b', (f, cl) => void ([fake, c] = [f, cl]));
  const wait = async (op: { latestResponse: { name?: string | null } }) => {
    const [done] = await c.zoneOperations.wait({ project: fake.project, zone: ZONE, operation: op.latestResponse.name as string });
    return done;
  };

  it('instances.get returns the interface, its fingerprint and alias ranges; 404 for an unknown instance or project', async () => {
    const [i] = await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-a' });
    assert.equal(i.name, 'vm-a');
    assert.equal(i.status, 'RUNNING');
    assert.equal(i.selfLink, `${fake.endpoint}/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`);
    const n = i.networkInterfaces?.[0];
    assert.equal(n?.name, 'nic0');
    assert.equal(n?.networkIP, '198.51.100.2');
    assert.equal(n?.fingerprint, fake.nic('vm-a').fingerprint);
    assert.deepEqual(n?.aliasIpRanges?.map((r) => r.ipCidrRange), [VIP]);
    assert.equal((await refused(c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-x' }))).status, 404);
    assert.equal((await refused(c.instances.get({ project: 'other', zone: ZONE, instance: 'vm-a' }))).status, 404);
  });

  it('instances.list filters (including by alias range) and pages', async () => {
    const [byAlias] = await c.instances.list({ project: fake.project, zone: ZONE, filter: `networkInterfaces.aliasIpRanges.ipCidrRange = "${VIP}"` });
    assert.deepEqual(byAlias.map((i) => i.name), ['vm-a']);
    const [byName] = await c.instances.list({ project: fake.project, zone: ZONE, filter: 'name != "vm-a"' });
    assert.deepEqual(byName.map((i) => i.name), ['vm-b', 'vm-c']);
    const [paged] = await c.instances.list({ project: fake.project, zone: ZONE, maxResults: 1 });
    assert.deepEqual(paged.map((i) => i.name), ['vm-a', 'vm-b', 'vm-c']);
    assert.ok(fake.requests.filter((r) => r.method === 'instances.list' && r.path.includes('pageToken')).length >= 2);
    assert.equal((await refused(c.instances.list({ project: fake.project, zone: ZONE, filter: 'name ~ vm' }))).status, 400);
    const zones: string[] = [];
    for await (const [zone, scoped] of c.instances.aggregatedListAsync({ project: fake.project })) if (scoped.instances?.length) zones.push(zone);
    assert.deepEqual(zones, [`zones/${ZONE}`]);
  });

  it('moves an alias range: the change lands when the operation is DONE, not before', async () => {
    const slow = await startGcpFake({ operationDelayMs: 600_000, waitCapMs: 50 });
    world(slow);
    const s = await fakeClients(slow, 'vm-b');
    try {
      const a = await nic0(s, slow, 'vm-a');
      const [op] = await s.instances.updateNetworkInterface({ project: slow.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: a.fingerprint, aliasIpRanges: [{ ipCidrRange: '198.51.100.11/32' }] } });
      assert.equal(lro(op).status, 'RUNNING');
      assert.equal(lro(op).operationType, 'updateNetworkInterface');
      assert.equal(lro(op).targetLink, `${slow.endpoint}/compute/v1/projects/${slow.project}/zones/${ZONE}/instances/vm-a`);
      assert.deepEqual(slow.aliasOwner(VIP), { instance: 'vm-a', nic: 'nic0' });
      const [running] = await s.zoneOperations.get({ project: slow.project, zone: ZONE, operation: op.latestResponse.name as string });
      assert.equal(running.status, 'RUNNING');
      // operations.wait gives up after its cap (GCP: 2 minutes) and answers the RUNNING operation.
      const [waited] = await s.zoneOperations.wait({ project: slow.project, zone: ZONE, operation: lro(op).name as string });
      assert.equal(waited.status, 'RUNNING');
      // One operation at a time per instance, as on GCP.
      const busy = await refused(
        s.instances.updateNetworkInterface({ project: slow.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: a.fingerprint, aliasIpRanges: [] } }),
      );
      assert.equal(busy.reason, 'resourceNotReady');
      slow.settleOperations();
      const [done] = await s.zoneOperations.get({ project: slow.project, zone: ZONE, operation: op.latestResponse.name as string });
      assert.equal(done.status, 'DONE');
      assert.equal(slow.aliasOwner(VIP), undefined);
      assert.deepEqual(slow.aliasOwner('198.51.100.11/32'), { instance: 'vm-a', nic: 'nic0' });
      assert.notEqual(slow.nic('vm-a').fingerprint, a.fingerprint);
    } finally {
      await s.close();
      await slow.close();
    }
  });

  it('refuses a stale fingerprint (412 conditionNotMet) and an alias range held elsewhere (400 naming the holder)', async () => {
    const b = await nic0(c, fake, 'vm-b');
    const stale = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: 'c3RhbGU=', aliasIpRanges: [{ ipCidrRange: '198.51.100.30/32' }] } }),
    );
    assert.equal(stale.status, 412);
    assert.equal(stale.reason, 'conditionNotMet');
    const held = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: b.fingerprint, aliasIpRanges: [{ ipCidrRange: VIP }] } }),
    );
    assert.equal(held.status, 400);
    assert.match(held.message, /198\.51\.100\.10\/32 is already in use by 'projects\/vipd-test\/zones\/us-central1-a\/instances\/vm-a'/);
    const noPrint = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { aliasIpRanges: [{ ipCidrRange: '198.51.100.31/32' }] } }),
    );
    assert.match(noPrint.message, /fingerprint/);
    const badNic = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic7', networkInterfaceResource: { fingerprint: b.fingerprint } }),
    );
    assert.match(badNic.message, /nic7/);
  });

  it('the client cannot send an empty aliasIpRanges: the update is a DONE no-op; a raw [] removes the last range', async () => {
    const a = await nic0(c, fake, 'vm-a');
    const [op] = await c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: a.fingerprint, aliasIpRanges: [] } });
    const done = await wait(op);
    assert.equal(done.status, 'DONE');
    assert.equal(done.error ?? undefined, undefined);
    assert.deepEqual(fake.aliasOwner(VIP), { instance: 'vm-a', nic: 'nic0' }, 'still on vm-a: the empty list never left the client');
    const res = await raw(fake, 'PATCH', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a/updateNetworkInterface?networkInterface=nic0`, {
      token: await token(c),
      body: JSON.stringify({ fingerprint: fake.nic('vm-a').fingerprint, aliasIpRanges: [] }),
    });
    assert.equal(res.status, 200);
    await wait({ latestResponse: res.json as { name: string } });
    assert.equal(fake.aliasOwner(VIP), undefined);
    // ...and now vm-b can take it.
    const b = await nic0(c, fake, 'vm-b');
    const [take] = await c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: b.fingerprint, aliasIpRanges: [{ ipCidrRange: VIP }] } });
    assert.equal((await wait(take)).status, 'DONE');
    assert.deepEqual(fake.aliasOwner(VIP), { instance: 'vm-b', nic: 'nic0' });
    fake.moveAlias(VIP, 'vm-a');
  });

  it('two instances racing for a free range: one operation lands, the other ends DONE with IP_IN_USE_BY_ANOTHER_RESOURCE', async () => {
    const range = '198.51.100.40/32';
    const slow = await startGcpFake({ operationDelayMs: 600_000 });
    world(slow);
    const s = await fakeClients(slow, 'vm-b');
    try {
      const update = async (instance: string) =>
        (
          await s.instances.updateNetworkInterface({
            project: slow.project,
            zone: ZONE,
            instance,
            networkInterface: 'nic0',
            networkInterfaceResource: { fingerprint: slow.nic(instance).fingerprint, aliasIpRanges: [{ ipCidrRange: range }] },
          })
        )[0];
      const opB = await update('vm-b');
      const opC = await update('vm-c'); // both pass the request-time check: the range is still free
      slow.settleOperations();
      const get = async (op: { latestResponse: unknown }) => (await s.zoneOperations.get({ project: slow.project, zone: ZONE, operation: lro(op).name as string }))[0];
      const [doneB, doneC] = [await get(opB), await get(opC)];
      assert.equal(doneB.error ?? undefined, undefined);
      assert.equal(doneC.status, 'DONE');
      assert.equal(doneC.error?.errors?.[0]?.code, 'IP_IN_USE_BY_ANOTHER_RESOURCE');
      assert.deepEqual(slow.aliasOwner(range), { instance: 'vm-b', nic: 'nic0' });
    } finally {
      await s.close();
      await slow.close();
    }
  });

  it('moves behind the client\'s back change owner and fingerprint', async () => {
    const before = fake.nic('vm-a').fingerprint;
    fake.moveAlias(VIP, 'vm-c');
    assert.deepEqual(fake.aliasOwner(VIP), { instance: 'vm-c', nic: 'nic0' });
    assert.notEqual(fake.nic('vm-a').fingerprint, before);
    const cNic = await nic0(c, fake, 'vm-c');
    assert.deepEqual(cNic.aliasIpRanges?.map((r) => r.ipCidrRange), [VIP]);
    fake.moveAlias(VIP, 'vm-a');
  });
});

describe('gcp fake: instance metadata (the providers\' fence record) and networks', () => {
  let fake: GcpFake;
  let c: FakeClients;
  useFake({ operationDelayMs: 20 }, 'vm-a', (f, cl) => void ([fake, c] = [f, cl]));

  it('setMetadata needs the current fingerprint, replaces all items when DONE, and shows in get and the metadata server', async () => {
    const [before] = await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-b' });
    assert.equal(before.metadata?.kind, 'compute#metadata');
    assert.deepEqual(before.metadata?.items ?? [], []);
    const fp = before.metadata?.fingerprint as string;
    const stale = await refused(c.instances.setMetadata({ project: fake.project, zone: ZONE, instance: 'vm-b', metadataResource: { fingerprint: 'c3RhbGU=', items: [{ key: 'k', value: 'v' }] } }));
    assert.equal(stale.status, 412);
    assert.equal(stale.reason, 'conditionNotMet');
    const [op] = await c.instances.setMetadata({ project: fake.project, zone: ZONE, instance: 'vm-b', metadataResource: { fingerprint: fp, items: [{ key: 'vipd-fence-g1', value: 't=5;n=node-b' }, { key: 'other', value: 'x' }] } });
    // (That the change waits for DONE is proved with held operations in 'moves an alias range'; here
    // the 20 ms operation may already have landed on a loaded machine.)
    assert.equal(lro(op).status, 'RUNNING');
    await c.zoneOperations.wait({ project: fake.project, zone: ZONE, operation: lro(op).name as string });
    assert.deepEqual(fake.instanceMetadata('vm-b'), { 'vipd-fence-g1': 't=5;n=node-b', other: 'x' });
    const [after] = await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-b' });
    assert.notEqual(after.metadata?.fingerprint, fp);
    assert.deepEqual(after.metadata?.items?.map((x) => [x.key, x.value]), [['vipd-fence-g1', 't=5;n=node-b'], ['other', 'x']]);
    const md = await fake.metadata('vm-b');
    const attr = await fetch(`http://${md.host}/computeMetadata/v1/instance/attributes/vipd-fence-g1`, { headers: { 'Metadata-Flavor': 'Google' } });
    assert.equal(await attr.text(), 't=5;n=node-b');
    await md.close();
    // Replaces ALL items: sending one drops the other.
    const [op2] = await c.instances.setMetadata({ project: fake.project, zone: ZONE, instance: 'vm-b', metadataResource: { fingerprint: after.metadata?.fingerprint as string, items: [{ key: 'other', value: 'y' }] } });
    await c.zoneOperations.wait({ project: fake.project, zone: ZONE, operation: lro(op2).name as string });
    assert.deepEqual(fake.instanceMetadata('vm-b'), { other: 'y' });
    const [now] = await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-b' });
    const badKey = await refused(c.instances.setMetadata({ project: fake.project, zone: ZONE, instance: 'vm-b', metadataResource: { fingerprint: now.metadata?.fingerprint as string, items: [{ key: 'bad key', value: '' }] } }));
    assert.equal(badKey.status, 400);
    assert.match(badKey.message, /items\[0\]\.key': 'bad key'/);
    fake.deny('compute.instances.setMetadata');
    const denied = await refused(c.instances.setMetadata({ project: fake.project, zone: ZONE, instance: 'vm-b', metadataResource: { fingerprint: 'x' } }));
    assert.match(denied.message, /Required 'compute.instances.setMetadata' permission/);
    fake.allow('compute.instances.setMetadata');
  });

  it('networks.get answers the instances\' network; 404 naming an unknown one', async () => {
    const [n] = await c.networks.get({ project: fake.project, network: 'default' });
    assert.equal(n.name, 'default');
    assert.deepEqual(n.subnetworks, [`${fake.endpoint}/compute/v1/projects/${fake.project}/regions/us-central1/subnetworks/default`]);
    const missing = await refused(c.networks.get({ project: fake.project, network: 'prod' }));
    assert.equal(missing.status, 404);
    assert.match(missing.message, /projects\/vipd-test\/global\/networks\/prod/);
  });
});

describe('gcp fake: external addresses and access configs', () => {
  let fake: GcpFake;
  let c: FakeClients;
  useFake({ operationDelayMs: 20 }, 'vm-a', (f, cl) => void ([fake, c] = [f, cl]));
  const waitOp = async (op: { latestResponse: { name?: string | null } }) =>
    (await c.zoneOperations.wait({ project: fake.project, zone: ZONE, operation: op.latestResponse.name as string }))[0];
  const region = 'us-central1';

  it('addresses.get: RESERVED, then IN_USE with users after addAccessConfig; a second holder is refused; delete frees it', async () => {
    const [free] = await c.addresses.get({ project: fake.project, region, address: 'vip-ext' });
    assert.equal(free.status, 'RESERVED');
    assert.equal(free.address, EIP);
    assert.deepEqual(free.users, []);
    const [op] = await c.instances.addAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', accessConfigResource: { name: 'external-nat', natIP: EIP, type: 'ONE_TO_ONE_NAT' } });
    assert.equal(lro(op).status, 'RUNNING');
    assert.equal((await waitOp(op))?.error, undefined);
    assert.deepEqual(fake.externalOwner(EIP), { instance: 'vm-a', nic: 'nic0', accessConfig: 'external-nat' });
    const [used] = await c.addresses.get({ project: fake.project, region, address: 'vip-ext' });
    assert.equal(used.status, 'IN_USE');
    assert.deepEqual(used.users, [`${fake.endpoint}/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`]);
    const taken = await refused(c.instances.addAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', accessConfigResource: { name: 'external-nat', natIP: EIP } }));
    assert.equal(taken.status, 400);
    assert.match(taken.message, /already being used by another resource \('projects\/vipd-test\/zones\/us-central1-a\/instances\/vm-a'/);
    const second = await refused(c.instances.addAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', accessConfigResource: { name: 'another' } }));
    assert.match(second.message, /At most one access config/);
    const [del] = await c.instances.deleteAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', accessConfig: 'external-nat' });
    await waitOp(del);
    assert.equal(fake.externalOwner(EIP), undefined);
    const [after] = await c.addresses.get({ project: fake.project, region, address: 'vip-ext' });
    assert.equal(after.status, 'RESERVED');
  });

  it('refuses an address that is not reserved in the region, a missing access config, and an unknown address (404)', async () => {
    const unknown = await refused(c.instances.addAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', accessConfigResource: { name: 'x', natIP: '203.0.113.99' } }));
    assert.match(unknown.message, /203\.0\.113\.99' was not found in region 'us-central1'/);
    const gone = await refused(c.instances.deleteAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', accessConfig: 'external-nat' }));
    assert.match(gone.message, /No access config/);
    assert.equal((await refused(c.addresses.get({ project: fake.project, region, address: 'nope' }))).status, 404);
    const [list] = await c.addresses.list({ project: fake.project, region });
    assert.deepEqual(list.map((a) => a.name), ['vip-ext']);
    fake.deny('compute.addresses.use');
    const [perms] = await c.addresses.testIamPermissions({ project: fake.project, region, resource: 'vip-ext', testPermissionsRequestResource: { permissions: ['compute.addresses.get', 'compute.addresses.use'] } });
    assert.deepEqual(perms.permissions, ['compute.addresses.get']);
    fake.allow('compute.addresses.use');
  });

  it('addAccessConfig needs compute.addresses.use for a static address', async () => {
    fake.deny('compute.addresses.use');
    const r = await refused(c.instances.addAccessConfig({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', accessConfigResource: { name: 'external-nat', natIP: EIP } }));
    assert.equal(r.status, 403);
    assert.match(r.message, /Required 'compute.addresses.use' permission for 'projects\/vipd-test\/regions\/us-central1\/addresses\/vip-ext'/);
    fake.allow('compute.addresses.use');
  });

  it('access configs without natIP get distinct ephemeral addresses', () => {
    fake.addInstance({ name: 'vm-e1', nics: [{ networkIP: '198.51.100.21', accessConfigs: [{ name: 'External NAT' }] }, { networkIP: '198.51.100.22', accessConfigs: [{ name: 'External NAT' }] }] });
    fake.addInstance({ name: 'vm-e2', nics: [{ networkIP: '198.51.100.23', accessConfigs: [{ name: 'External NAT' }] }] });
    const ips = [fake.nic('vm-e1', 'nic0'), fake.nic('vm-e1', 'nic1'), fake.nic('vm-e2')].map((n) => n.accessConfigs[0]?.natIP);
    assert.equal(new Set(ips).size, 3);
    for (const ip of ips) assert.match(ip ?? '', /^203\.0\.113\.2\d\d$/);
  });

  it('moveExternal behind the client\'s back', async () => {
    fake.moveExternal(EIP, 'vm-c');
    assert.deepEqual(fake.externalOwner(EIP), { instance: 'vm-c', nic: 'nic0', accessConfig: 'external-nat' });
    const [a] = await c.addresses.get({ project: fake.project, region, address: 'vip-ext' });
    assert.equal(a.status, 'IN_USE');
    fake.moveExternal(EIP, undefined);
    assert.equal(fake.externalOwner(EIP), undefined);
  });
});

describe('gcp fake: routes and global operations', () => {
  let fake: GcpFake;
  let c: FakeClients;
  useFake({ operationDelayMs: 20 }, 'vm-a', (f, cl) => void ([fake, c] = [f, cl]));
  const waitGlobal = async (op: { latestResponse: { name?: string | null } }) =>
    (await c.globalOperations.wait({ project: fake.project, operation: op.latestResponse.name as string }))[0];

  it('inserts a route to an instance, refuses a duplicate (409), deletes it', async () => {
    const [op] = await c.routes.insert({
      project: fake.project,
      routeResource: { name: 'vip-route', network: 'global/networks/default', destRange: '192.0.2.10/32', priority: 100, nextHopInstance: `zones/${ZONE}/instances/vm-a`, description: 'vipd term 3' },
    });
    assert.equal(lro(op).status, 'RUNNING');
    assert.equal(lro(op).zone ?? undefined, undefined);
    assert.equal((await waitGlobal(op))?.status, 'DONE');
    assert.deepEqual(fake.routes(), [{ name: 'vip-route', destRange: '192.0.2.10/32', priority: 100, nextHopInstance: 'vm-a', description: 'vipd term 3' }]);
    const [r] = await c.routes.get({ project: fake.project, route: 'vip-route' });
    assert.equal(r.nextHopInstance, `${fake.endpoint}/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`);
    assert.equal(r.network, `${fake.endpoint}/compute/v1/projects/${fake.project}/global/networks/default`);
    const dup = await refused(c.routes.insert({ project: fake.project, routeResource: { name: 'vip-route', network: 'global/networks/default', destRange: '192.0.2.10/32', nextHopInstance: `zones/${ZONE}/instances/vm-b` } }));
    assert.equal(dup.status, 409);
    assert.equal(dup.reason, 'alreadyExists');
    const [list] = await c.routes.list({ project: fake.project, filter: 'destRange = "192.0.2.10/32"' });
    assert.deepEqual(list.map((x) => x.name), ['vip-route']);
    const [del] = await c.routes.delete({ project: fake.project, route: 'vip-route' });
    await waitGlobal(del);
    assert.deepEqual(fake.routes(), []);
    assert.equal((await refused(c.routes.get({ project: fake.project, route: 'vip-route' }))).status, 404);
    assert.equal((await refused(c.routes.delete({ project: fake.project, route: 'vip-route' }))).status, 404);
  });

  it('refuses a next hop that does not exist, and a route without the network permission', async () => {
    const hop = await refused(c.routes.insert({ project: fake.project, routeResource: { name: 'r2', network: 'global/networks/default', destRange: '192.0.2.11/32', nextHopInstance: `zones/${ZONE}/instances/vm-x` } }));
    assert.match(hop.message, /nextHopInstance/);
    fake.deny('compute.networks.updatePolicy');
    const perm = await refused(c.routes.insert({ project: fake.project, routeResource: { name: 'r2', network: 'global/networks/default', destRange: '192.0.2.11/32', nextHopInstance: `zones/${ZONE}/instances/vm-a` } }));
    assert.equal(perm.status, 403);
    assert.match(perm.message, /compute.networks.updatePolicy/);
    fake.allow('compute.networks.updatePolicy');
  });

  it('deleteRoute behind the client\'s back; projects.get', async () => {
    const [op] = await c.routes.insert({ project: fake.project, routeResource: { name: 'r3', network: 'global/networks/default', destRange: '192.0.2.12/32', nextHopInstance: `zones/${ZONE}/instances/vm-a` } });
    await waitGlobal(op);
    fake.deleteRoute('r3');
    assert.equal((await refused(c.routes.get({ project: fake.project, route: 'r3' }))).status, 404);
    const [p] = await c.projects.get({ project: fake.project });
    assert.equal(p.name, fake.project);
    assert.equal(p.id, fake.projectNumber);
  });
});

describe('gcp fake: list filters', () => {
  it('parses FIELD op VALUE terms joined by AND or parentheses, and refuses anything else', () => {
    const vm = { name: 'vm-a', status: 'RUNNING', networkInterfaces: [{ aliasIpRanges: [{ ipCidrRange: VIP }] }, { aliasIpRanges: [] }] };
    assert.equal(matchesFilter(vm, parseFilter('name = "vm-a"')), true);
    assert.equal(matchesFilter(vm, parseFilter('(name = "vm-a") (status = "STOPPED")')), false);
    assert.equal(matchesFilter(vm, parseFilter('name = vm-* AND status != TERMINATED')), true);
    assert.equal(matchesFilter(vm, parseFilter('name eq "vm-[ab]"')), true);
    assert.equal(matchesFilter(vm, parseFilter('name ne "vm-.*"')), false);
    assert.equal(matchesFilter(vm, parseFilter(`networkInterfaces.aliasIpRanges.ipCidrRange = "${VIP}"`)), true);
    assert.throws(() => parseFilter('name ~ vm'), /Invalid list filter/);
    assert.throws(() => parseFilter('name = a OR name = b'), /Invalid list filter/);
  });
});

describe('gcp fake: strictness', () => {
  let fake: GcpFake;
  let c: FakeClients;
  let tok: string;
  useFake({}, 'vm-a', async (f, cl) => {
    [fake, c, tok] = [f, cl, await token(cl)];
  });

  it('an unknown path or verb is 404 in Google error JSON', async () => {
    const r = await raw(fake, 'GET', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instanceGroups`, { token: tok });
    assert.equal(r.status, 404);
    assert.equal((r.json as { error: { status: string; errors: { reason: string }[] } }).error.errors[0]?.reason, 'notFound');
    assert.equal((await raw(fake, 'DELETE', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a`, { token: tok })).status, 404);
  });

  it('an unknown body field (at any depth) or query parameter is 400 naming it', async () => {
    const path = `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a/updateNetworkInterface?networkInterface=nic0`;
    const body = await raw(fake, 'PATCH', path, { token: tok, body: JSON.stringify({ fingerprint: fake.nic('vm-a').fingerprint, aliasIpRange: [] }) });
    assert.equal(body.status, 400);
    assert.match((body.json as { error: { message: string } }).error.message, /unknown name "aliasIpRange"/);
    const nested = await raw(fake, 'PATCH', path, { token: tok, body: JSON.stringify({ fingerprint: 'x', aliasIpRanges: [{ cidr: '198.51.100.9/32' }] }) });
    assert.match((nested.json as { error: { message: string } }).error.message, /aliasIpRanges\[0\]\.cidr: unknown name "cidr"/);
    const query = await raw(fake, 'GET', `/compute/v1/projects/${fake.project}/zones/${ZONE}/instances/vm-a?view=FULL`, { token: tok });
    assert.equal(query.status, 400);
    assert.match((query.json as { error: { message: string } }).error.message, /Unknown name "view"/);
    const ops = await raw(fake, 'GET', `/compute/v1/projects/${fake.project}/global/operations/nope`, { token: tok });
    assert.equal(ops.status, 404);
  });

  it('a field the fake does not model is refused, not ignored', async () => {
    const n = fake.nic('vm-a');
    const r = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: n.fingerprint, networkIP: '198.51.100.99' } }),
    );
    assert.equal(r.status, 400);
    assert.match(r.message, /networkIP/);
    // Echoing the interface as read (the usual read-modify-write) is fine.
    const cur = await nic0(c, fake, 'vm-a');
    const [op] = await c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-a', networkInterface: 'nic0', networkInterfaceResource: { ...cur, aliasIpRanges: [{ ipCidrRange: VIP }, { ipCidrRange: '198.51.100.12/32' }] } });
    await c.zoneOperations.wait({ project: fake.project, zone: ZONE, operation: op.latestResponse.name as string });
    assert.deepEqual(fake.nic('vm-a').aliasIpRanges, [VIP, '198.51.100.12/32']);
  });
});

describe('gcp fake: faults', () => {
  let fake: GcpFake;
  let c: FakeClients;
  const get = () => c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-a' });
  useFake({ operationDelayMs: 20, seed: 7 }, 'vm-b', (f, cl) => void ([fake, c] = [f, cl]), { timeoutMs: 2000 });

  it('throttle: 429 rateLimitExceeded or 403 userRateLimitExceeded, then normal service', async () => {
    fake.inject({ kind: 'throttle', method: 'instances.get', times: 6 });
    const seen = new Set<string>();
    for (let k = 0; k < 6; k++) {
      const r = await refused(get());
      seen.add(`${r.status} ${r.reason}`);
    }
    assert.deepEqual([...seen].sort(), ['403 userRateLimitExceeded', '429 rateLimitExceeded']);
    assert.equal((await get())[0].name, 'vm-a');
  });

  it('server-error: 500 or 503 reaches the caller (the REST client does not retry it)', async () => {
    fake.inject({ kind: 'server-error', times: 1 });
    const r = await refused(get());
    assert.ok(r.status === 500 || r.status === 503, String(r.status));
    assert.equal(r.reason, 'backendError');
  });

  it('hang: the request is held; the client gives up at its transport timeout', async () => {
    fake.inject({ kind: 'hang', method: 'instances.get', times: 1 });
    const held = nextRequest(fake, 'instances.get');
    await assert.rejects(get(), (e: Error) => e.name === 'AbortError' || /aborted/i.test(e.message));
    assert.equal((await held).fault, 'hang');
  });

  it('lost-response: the mutation is carried out, the client sees a broken connection', async () => {
    const b = fake.nic('vm-b');
    fake.inject({ kind: 'lost-response', method: 'instances.updateNetworkInterface', times: 1 });
    await assert.rejects(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: b.fingerprint, aliasIpRanges: [{ ipCidrRange: '198.51.100.50/32' }] } }),
      (e: Error & { status?: number }) => e.status === undefined,
    );
    const rec = fake.requests.filter((r) => r.method === 'instances.updateNetworkInterface').at(-1);
    assert.equal(rec?.fault, 'lost-response');
    // The operation exists and lands: poll the instance until the range shows (bounded).
    const [ops] = await c.zoneOperations.list({ project: fake.project, zone: ZONE });
    const op = ops.find((o) => o.operationType === 'updateNetworkInterface' && o.targetLink?.endsWith('/vm-b'));
    assert.ok(op?.name);
    await c.zoneOperations.wait({ project: fake.project, zone: ZONE, operation: op.name });
    assert.deepEqual(fake.aliasOwner('198.51.100.50/32'), { instance: 'vm-b', nic: 'nic0' });
    // A retry with the old fingerprint is now refused (412): the provider must re-read.
    const retry = await refused(
      c.instances.updateNetworkInterface({ project: fake.project, zone: ZONE, instance: 'vm-b', networkInterface: 'nic0', networkInterfaceResource: { fingerprint: b.fingerprint, aliasIpRanges: [{ ipCidrRange: '198.51.100.50/32' }] } }),
    );
    assert.equal(retry.status, 412);
  });

  it('stale-read: GETs answer from the state of staleMs ago', async () => {
    const range = '198.51.100.60/32';
    fake.moveAlias(range, 'vm-c');
    fake.inject({ kind: 'stale-read', method: 'instances.get', staleMs: 600_000, times: 1 });
    const [old] = await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-c' });
    assert.deepEqual(old.networkInterfaces?.[0]?.aliasIpRanges ?? [], []);
    assert.equal(fake.requests.at(-1)?.fault, 'stale-read');
    const [fresh] = await c.instances.get({ project: fake.project, zone: ZONE, instance: 'vm-c' });
    assert.deepEqual(fresh.networkInterfaces?.[0]?.aliasIpRanges?.map((r) => r.ipCidrRange), [range]);
  });

  it('a fault for a method the fake does not serve is refused (it could never fire)', () => {
    assert.throws(() => fake.inject({ kind: 'throttle', method: 'instances.updateNetworkInterfaces' }), /no method 'instances.updateNetworkInterfaces'/);
  });

  it('faults with a probability replay from the seed', async () => {
    const run = async (seed: number): Promise<string> => {
      const f = await startGcpFake({ seed });
      world(f);
      const cl = await fakeClients(f, 'vm-a');
      f.inject({ kind: 'server-error', probability: 0.5 });
      let out = '';
      for (let k = 0; k < 16; k++) {
        try {
          await cl.instances.get({ project: f.project, zone: ZONE, instance: 'vm-a' });
          out += '.';
        } catch {
          out += 'x';
        }
      }
      await cl.close();
      await f.close();
      return out;
    };
    const a = await run(11);
    assert.equal(await run(11), a);
    assert.match(a, /x/);
    assert.match(a, /\./);
    fake.clearFaults();
  });
});

describe('gcp fake: listen address', () => {
  it('listens where told (loopback or a documentation address), refusing anything else', async () => {
    const f = await startGcpFake({ host: '127.0.0.2' });
    try {
      world(f);
      assert.match(f.endpoint, /^http:\/\/127\.0\.0\.2:\d+$/);
      const md = await f.metadata('vm-a');
      assert.match(md.host, /^127\.0\.0\.2:\d+$/);
      const res = await fetch(`http://${md.host}/computeMetadata/v1/instance/name`, { headers: { 'Metadata-Flavor': 'Google' } });
      assert.equal(await res.text(), 'vm-a');
    } finally {
      await f.close();
    }
    await assert.rejects(startGcpFake({ host: 'not-an-address' }), /listen address 'not-an-address' must be loopback or in 192\.0\.2\.0\/24/);
  });
});

describe('gcp fake: serve.ts (standalone, for the demo)', () => {
  it('starts from a JSON world, prints endpoint and metadata hosts, serves, and exits 0 on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-fake-'));
    const file = join(dir, 'world.json');
    writeFileSync(
      file,
      JSON.stringify({
        project: 'vipd-demo',
        instances: [
          { name: 'node-a', nics: [{ networkIP: '198.51.100.2', aliasIpRanges: [{ ipCidrRange: VIP }] }] },
          { name: 'node-b', nics: [{ networkIP: '198.51.100.3' }] },
        ],
        addresses: [{ name: 'vip-ext', address: EIP }],
      }),
    );
    const serve = fileURLToPath(new URL('./serve.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', serve, '--world', file, '--operation-delay', '10'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const [line] = (await once(createInterface({ input: child.stdout }), 'line')) as [string];
      const out = JSON.parse(line) as { endpoint: string; project: string; metadata: Record<string, string>; control: string };
      assert.match(out.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.equal(out.project, 'vipd-demo');
      assert.deepEqual(Object.keys(out.metadata).sort(), ['node-a', 'node-b']);
      const tokRes = await fetch(`http://${out.metadata['node-b']}/computeMetadata/v1/instance/service-accounts/default/token`, { headers: { 'Metadata-Flavor': 'Google' } });
      const { access_token } = (await tokRes.json()) as { access_token: string };
      const inst = await fetch(`${out.endpoint}/compute/v1/projects/vipd-demo/zones/${ZONE}/instances/node-a`, { headers: { authorization: `Bearer ${access_token}` } });
      assert.equal(inst.status, 200);
      assert.deepEqual(((await inst.json()) as { networkInterfaces: { aliasIpRanges: { ipCidrRange: string }[] }[] }).networkInterfaces[0]?.aliasIpRanges, [{ ipCidrRange: VIP }]);
      const ctl = async (body: unknown): Promise<unknown> =>
        (await fetch(`${out.control}/control`, { method: 'POST', body: JSON.stringify(body) })).json();
      assert.deepEqual(await ctl({ op: 'moveAlias', ipCidrRange: VIP, toInstance: 'node-b' }), { ok: true });
      assert.deepEqual(await ctl({ op: 'aliasOwner', ipCidrRange: VIP }), { instance: 'node-b', nic: 'nic0' });
      assert.deepEqual(await ctl({ op: 'moveAlias', range: VIP, instance: 'node-a' }), { ok: true });
      assert.deepEqual(await ctl({ op: 'aliasOwner', range: VIP }), { instance: 'node-a', nic: 'nic0' });
      await ctl({ op: 'moveAlias', range: VIP, instance: 'node-b' });
      const st = (await (await fetch(`${out.control}/state`)).json()) as { instances: Record<string, { nics: Record<string, { aliasIpRanges: string[] }> }> };
      assert.deepEqual(st.instances['node-b']?.nics.nic0?.aliasIpRanges, [VIP]);
      const reqs = (await (await fetch(`${out.control}/requests`)).json()) as { method: string; caller: string; wallMs: number }[];
      assert.deepEqual(reqs.map((r) => [r.method, r.caller]), [['instances.get', 'node-b']]);
      assert.match(JSON.stringify(await ctl({ op: 'nope' })), /unknown op 'nope'/);
      child.kill('SIGTERM');
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
  it('stops when its stdin pipe ends (no orphan after its parent dies), and refuses a bad world file naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'gcp-fake-'));
    const serve = fileURLToPath(new URL('./serve.ts', import.meta.url));
    const good = join(dir, 'good.json');
    writeFileSync(good, JSON.stringify({ instances: [{ name: 'node-a', nics: [{ networkIP: '198.51.100.2' }] }] }));
    const child = spawn(process.execPath, ['--import', 'tsx', serve, '--world', good], { stdio: ['pipe', 'pipe', 'inherit'] });
    try {
      await once(createInterface({ input: child.stdout }), 'line');
      child.stdin.end();
      const [code] = (await once(child, 'exit')) as [number | null];
      assert.equal(code, 0);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, JSON.stringify({ instances: [{ name: 'node-a' }] }));
    const refused = spawn(process.execPath, ['--import', 'tsx', serve, '--world', bad], { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    refused.stderr.on('data', (d: Buffer) => (err += d.toString()));
    const [code] = (await once(refused, 'exit')) as [number | null];
    assert.equal(code, 2);
    assert.match(err, /bad\.json: instances\[0\] needs "name" \(string\) and "nics" \(array\)/);
  });
});
