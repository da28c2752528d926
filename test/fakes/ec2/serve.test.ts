/**
 * serve.ts as the demo and the bench run it: a child process that builds a world from a JSON
 * file, prints one JSON line, serves the real SDK, takes control requests, logs requests on
 * stdout with --log-requests and exits 0 on SIGTERM; a bad world file names the field.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { AssociateAddressCommand, DescribeAddressesCommand, EC2Client } from '@aws-sdk/client-ec2';
import { MetadataService } from '@aws-sdk/ec2-metadata-service';
import { tsxChild } from '../../unit/cli/child.js';

const dir = mkdtempSync(join(tmpdir(), 'ec2-fake-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const world = {
  seed: 3,
  instances: [
    { instanceId: 'i-0aaaaaaaaaaaaaaa1', enis: [{ eniId: 'eni-0aaaaaaaaaaaaaaa1', privateIp: '198.51.100.10' }] },
    { instanceId: 'i-0bbbbbbbbbbbbbbb2', enis: [{ eniId: 'eni-0bbbbbbbbbbbbbbb2', privateIp: '198.51.100.20' }] },
  ],
  addresses: [{ allocationId: 'eipalloc-0ccccccccccccccc3', publicIp: '203.0.113.10', associateWith: { eniId: 'eni-0aaaaaaaaaaaaaaa1' } }],
  routeTables: [{ routeTableId: 'rtb-0ddddddddddddddd4', routes: [{ cidr: '192.0.2.0/24', instanceId: 'i-0aaaaaaaaaaaaaaa1' }] }],
};

interface Ready {
  endpoint: string;
  region: string;
  credentials: { accessKeyId: string; secretAccessKey: string };
  imds: Record<string, string>;
  control: string;
}

describe('serve.ts', () => {
  it('serves a world file to the SDK, takes control requests, logs requests and exits 0 on SIGTERM', async () => {
    const file = join(dir, 'world.json');
    writeFileSync(file, JSON.stringify(world));
    const child = tsxChild('test/fakes/ec2/serve.ts', ['--world', file, '--latency', '1', '--log-requests']);
    try {
      await child.waitFor(/"endpoint"/, 60_000);
      const ready = JSON.parse(child.out().split('\n')[0]!) as Ready;
      assert.match(ready.endpoint, /^http:\/\/127\.0\.0\.1:\d+$/);
      assert.deepEqual(Object.keys(ready.imds), ['i-0aaaaaaaaaaaaaaa1', 'i-0bbbbbbbbbbbbbbb2']);

      const ec2 = new EC2Client({ endpoint: ready.endpoint, region: ready.region, credentials: ready.credentials });
      const before = await ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0ccccccccccccccc3'] }));
      assert.equal(before.Addresses?.[0]?.NetworkInterfaceId, 'eni-0aaaaaaaaaaaaaaa1');
      const ctl = (body: unknown) => fetch(`${ready.control}/control`, { method: 'POST', body: JSON.stringify(body) });
      assert.equal((await ctl({ op: 'inject', fault: { action: 'AssociateAddress', kind: 'lost-response' } })).status, 200);
      const moved = await ec2.send(new AssociateAddressCommand({ AllocationId: 'eipalloc-0ccccccccccccccc3', NetworkInterfaceId: 'eni-0bbbbbbbbbbbbbbb2', AllowReassociation: true }));
      assert.equal(moved.$metadata.attempts, 2, 'the lost response was retried');
      ec2.destroy();
      const state = await (await fetch(`${ready.control}/state`)).json() as { addresses: Record<string, { eniId: string } | null> };
      assert.equal(state.addresses['eipalloc-0ccccccccccccccc3']?.eniId, 'eni-0bbbbbbbbbbbbbbb2');
      const bad = await ctl({ op: 'deny', action: 'Nope' });
      assert.equal(bad.status, 400);
      assert.match(((await bad.json()) as { error: string }).error, /unknown action 'Nope'/);

      const ms = new MetadataService({ endpoint: ready.imds['i-0bbbbbbbbbbbbbbb2']!, ec2MetadataV1Disabled: true, retries: 0 });
      assert.equal(await ms.request('/latest/meta-data/instance-id', {}), 'i-0bbbbbbbbbbbbbbb2');

      await child.waitFor(/"action":"AssociateAddress","status":200/, 10_000);
      const logged = child.out().split('\n').slice(1).filter((l) => l !== '').map((l) => JSON.parse(l) as { action: string; status: number; wallMs: number; doneWallMs: number });
      assert.ok(logged.every((l) => l.doneWallMs >= l.wallMs), 'settled after arrival');
      assert.deepEqual(logged.map((l) => [l.action, l.status]), [['DescribeAddresses', 200], ['AssociateAddress', 0], ['AssociateAddress', 200]]);
      assert.ok(Math.abs(logged[0]!.wallMs - Date.now()) < 60_000, 'wallMs is epoch milliseconds');
    } finally {
      child.proc.kill('SIGTERM');
      const { code } = await child.exit(30_000);
      assert.equal(code, 0, child.err());
    }
  });

  it('with no world file it builds the default world, answers addressOwner, and stops when its stdin pipe closes', async () => {
    const child = tsxChild('test/fakes/ec2/serve.ts', ['--instances', '3']);
    try {
      await child.waitFor(/"endpoint"/, 60_000);
      const ready = JSON.parse(child.out().split('\n')[0]!) as Ready & { addresses: { allocationId: string }[] };
      assert.equal(Object.keys(ready.imds).length, 3);
      const owner = await fetch(`${ready.control}/control`, { method: 'POST', body: JSON.stringify({ op: 'addressOwner', allocationId: ready.addresses[0]!.allocationId }) });
      assert.equal(await owner.json(), null);
    } finally {
      child.proc.stdin.end();
      const { code } = await child.exit(30_000);
      assert.equal(code, 0, child.err());
    }
  });

  it('a bad world file stops it with exit 2 and the field that is wrong', async () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ ...world, addresses: [{ publicIp: '203.0.113.10', allocation: 'x' }] }));
    const child = tsxChild('test/fakes/ec2/serve.ts', ['--world', file]);
    const { code } = await child.exit(60_000);
    assert.equal(code, 2);
    assert.match(child.err(), /bad\.json: invalid world description/);
    assert.match(child.err(), /addresses\[0\]|allocation/);
  });
});
