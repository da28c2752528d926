/**
 * The EC2 fake, judged by the real @aws-sdk/client-ec2: every action the providers use, its
 * errors, SigV4 refusals, DryRun, each injected fault, and the Debian AWS CLI against it.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterEach, beforeEach, describe, it } from 'node:test';
import { promisify } from 'node:util';
import {
  AssignPrivateIpAddressesCommand, AssociateAddressCommand, CreateRouteCommand, CreateTagsCommand, DeleteRouteCommand,
  DeleteTagsCommand, DescribeAddressesCommand, DescribeInstancesCommand, DescribeNetworkInterfacesCommand,
  DescribeRouteTablesCommand, DescribeTagsCommand, DisassociateAddressCommand, ReplaceRouteCommand,
  UnassignPrivateIpAddressesCommand, type EC2Client,
} from '@aws-sdk/client-ec2';
import { NodeHttpHandler } from '@smithy/node-http-handler';
import { startEc2Fake, type RequestRecord } from './index.js';
import { ec2Client, rejectsWith, testWorld, type TestWorld } from './helpers.js';

let t: TestWorld;
beforeEach(async () => {
  t = await testWorld();
});
afterEach(async () => {
  await t.close();
});

/** Adds a middleware that rewrites the serialized form body before it is signed. */
function rewriteBody(ec2: EC2Client, f: (body: string) => string): void {
  ec2.middlewareStack.add((next) => async (args) => {
    const req = args.request as { body: string; headers: Record<string, string> };
    req.body = f(req.body);
    req.headers['content-length'] = String(Buffer.byteLength(req.body));
    return next(args);
  }, { step: 'build', priority: 'low', name: 'testRewriteBody' });
}

describe('Elastic IP actions', () => {
  it('DescribeAddresses by id, by public IP and by filter; an unknown id is InvalidAllocationID.NotFound', async () => {
    const byId = await t.ec2.send(new DescribeAddressesCommand({ AllocationIds: [t.alloc] }));
    assert.deepEqual(byId.Addresses?.map((a) => [a.AllocationId, a.PublicIp, a.Domain, a.AssociationId]), [[t.alloc, '203.0.113.10', 'vpc', undefined]]);
    const byIp = await t.ec2.send(new DescribeAddressesCommand({ PublicIps: ['203.0.113.10'] }));
    assert.equal(byIp.Addresses?.[0]?.AllocationId, t.alloc);
    t.fake.moveAddress(t.alloc, t.eniB);
    const filtered = await t.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'network-interface-id', Values: [t.eniB] }] }));
    assert.equal(filtered.Addresses?.[0]?.InstanceId, t.b.instanceId);
    const none = await t.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'instance-id', Values: [t.a.instanceId] }] }));
    assert.deepEqual(none.Addresses, []);
    await rejectsWith(t.ec2.send(new DescribeAddressesCommand({ AllocationIds: ['eipalloc-0000000000000dead'] })), 'InvalidAllocationID.NotFound', 400, /eipalloc-0000000000000dead/);
    await rejectsWith(t.ec2.send(new DescribeAddressesCommand({ PublicIps: ['203.0.113.99'] })), 'InvalidAddress.NotFound', 400, /203\.0\.113\.99/);
  });

  it('AssociateAddress moves the address with AllowReassociation and refuses without it (Resource.AlreadyAssociated)', async () => {
    const first = await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA }));
    assert.match(first.AssociationId ?? '', /^eipassoc-[0-9a-f]{17}$/);
    assert.deepEqual(t.fake.addressOwner(t.alloc), { eniId: t.eniA, instanceId: t.a.instanceId, privateIp: '198.51.100.10', associationId: first.AssociationId });
    await rejectsWith(t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniB })), 'Resource.AlreadyAssociated', 400, new RegExp(first.AssociationId!));
    assert.equal(t.fake.addressOwner(t.alloc)?.eniId, t.eniA, 'a refused association changes nothing');
    const moved = await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniB, PrivateIpAddress: '198.51.100.100', AllowReassociation: true }));
    assert.deepEqual(t.fake.addressOwner(t.alloc), { eniId: t.eniB, instanceId: t.b.instanceId, privateIp: '198.51.100.100', associationId: moved.AssociationId });
    const seen = await t.ec2.send(new DescribeAddressesCommand({ AllocationIds: [t.alloc] }));
    assert.deepEqual(
      [seen.Addresses?.[0]?.NetworkInterfaceId, seen.Addresses?.[0]?.InstanceId, seen.Addresses?.[0]?.PrivateIpAddress, seen.Addresses?.[0]?.AssociationId],
      [t.eniB, t.b.instanceId, '198.51.100.100', moved.AssociationId],
    );
  });

  it('AssociateAddress by InstanceId uses its primary ENI; bad targets get EC2 errors naming them', async () => {
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, InstanceId: t.b.instanceId }));
    assert.equal(t.fake.addressOwner(t.alloc)?.privateIp, '198.51.100.20');
    const ec2 = t.ec2;
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: 'eipalloc-0000000000000dead', NetworkInterfaceId: t.eniA })), 'InvalidAllocationID.NotFound', 400);
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: 'eni-0000000000000dead', AllowReassociation: true })), 'InvalidNetworkInterfaceID.NotFound', 400, /eni-0000000000000dead/);
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, InstanceId: 'i-0000000000000dead', AllowReassociation: true })), 'InvalidInstanceID.NotFound', 400);
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA, PrivateIpAddress: '198.51.100.100', AllowReassociation: true })), 'InvalidParameterValue', 400, /198\.51\.100\.100.*eni-0aaa/);
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, AllowReassociation: true })), 'MissingParameter', 400, /NetworkInterfaceId or InstanceId/);
  });

  it("implicitReassociation 'allow' (the API reference's VPC-only behaviour): no flag moves it, AllowReassociation=false refuses", async () => {
    const fake = await startEc2Fake({ implicitReassociation: 'allow' });
    const a = fake.addInstance({ enis: [{ privateIp: '198.51.100.10' }] });
    const b = fake.addInstance({ enis: [{ privateIp: '198.51.100.11' }] });
    const { allocationId } = fake.addAddress({ publicIp: '203.0.113.10' });
    const ec2 = ec2Client(fake);
    try {
      await ec2.send(new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: a.enis[0]!.eniId }));
      await ec2.send(new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: b.enis[0]!.eniId }));
      assert.equal(fake.addressOwner(allocationId)?.eniId, b.enis[0]!.eniId);
      await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: allocationId, NetworkInterfaceId: a.enis[0]!.eniId, AllowReassociation: false })), 'Resource.AlreadyAssociated');
    } finally {
      ec2.destroy();
      await fake.close();
    }
  });

  it('DisassociateAddress by AssociationId; an unknown association is InvalidAssociationID.NotFound', async () => {
    const { AssociationId } = await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA }));
    await t.ec2.send(new DisassociateAddressCommand({ AssociationId }));
    assert.equal(t.fake.addressOwner(t.alloc), undefined);
    await rejectsWith(t.ec2.send(new DisassociateAddressCommand({ AssociationId })), 'InvalidAssociationID.NotFound', 400, new RegExp(AssociationId!));
  });
});

describe('network interfaces and secondary private addresses', () => {
  it('DescribeNetworkInterfaces by id and by the attachment.instance-id / addresses.private-ip-address filters', async () => {
    const byId = await t.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [t.eniB] }));
    const eni = byId.NetworkInterfaces?.[0];
    assert.equal(eni?.Attachment?.InstanceId, t.b.instanceId);
    assert.equal(eni?.MacAddress, t.b.enis[0]!.mac);
    assert.deepEqual(eni?.PrivateIpAddresses?.map((p) => [p.PrivateIpAddress, p.Primary]), [['198.51.100.20', true], ['198.51.100.100', false]]);
    const byInstance = await t.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'attachment.instance-id', Values: [t.a.instanceId] }] }));
    assert.deepEqual(byInstance.NetworkInterfaces?.map((n) => n.NetworkInterfaceId), [t.eniA]);
    const byIp = await t.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: ['198.51.100.100'] }] }));
    assert.deepEqual(byIp.NetworkInterfaces?.map((n) => n.NetworkInterfaceId), [t.eniB]);
    await rejectsWith(t.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: ['eni-0000000000000dead'] })), 'InvalidNetworkInterfaceID.NotFound', 400);
    await rejectsWith(t.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'no-such-filter', Values: ['x'] }] })), 'InvalidParameterValue', 400, /no-such-filter/);
  });

  it('AssignPrivateIpAddresses moves an address only with AllowReassignment, and its Elastic IP moves with it', async () => {
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniB, PrivateIpAddress: '198.51.100.100' }));
    await rejectsWith(t.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniA, PrivateIpAddresses: ['198.51.100.100'] })), 'InvalidIPAddress.InUse', 400, /198\.51\.100\.100.*eni-0bbb/);
    assert.equal(t.fake.secondaryIpOwner('198.51.100.100')?.eniId, t.eniB);
    const out = await t.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniA, PrivateIpAddresses: ['198.51.100.100'], AllowReassignment: true }));
    assert.deepEqual(out.AssignedPrivateIpAddresses?.map((a) => a.PrivateIpAddress), ['198.51.100.100']);
    assert.deepEqual(t.fake.secondaryIpOwner('198.51.100.100'), { eniId: t.eniA, instanceId: t.a.instanceId });
    assert.equal(t.fake.addressOwner(t.alloc)?.eniId, t.eniA, 'the Elastic IP followed its private address');
    // Assigning what an ENI already has is a no-op, and a primary address never moves.
    await t.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniA, PrivateIpAddresses: ['198.51.100.100'] }));
    await rejectsWith(t.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniA, PrivateIpAddresses: ['198.51.100.20'], AllowReassignment: true })), 'InvalidParameterValue', 400, /primary/);
    await rejectsWith(t.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniA, PrivateIpAddresses: ['198.51.100.10'] })), 'InvalidParameterValue', 400, /primary/);
    await rejectsWith(t.ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: 'eni-0000000000000dead', PrivateIpAddresses: ['198.51.100.101'] })), 'InvalidNetworkInterfaceID.NotFound', 400);
  });

  it('UnassignPrivateIpAddresses removes a secondary address (and its Elastic IP association); others are refused', async () => {
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniB, PrivateIpAddress: '198.51.100.100' }));
    await t.ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniB, PrivateIpAddresses: ['198.51.100.100'] }));
    assert.equal(t.fake.secondaryIpOwner('198.51.100.100'), undefined);
    assert.equal(t.fake.addressOwner(t.alloc), undefined);
    await rejectsWith(t.ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniB, PrivateIpAddresses: ['198.51.100.100'] })), 'InvalidParameterValue', 400, /not assigned/);
    await rejectsWith(t.ec2.send(new UnassignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniB, PrivateIpAddresses: ['198.51.100.20'] })), 'InvalidParameterValue', 400, /primary/);
  });
});

describe('route tables', () => {
  it('DescribeRouteTables shows the local route and ENI routes with their instance', async () => {
    const out = await t.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [t.rtb] }));
    const routes = out.RouteTables?.[0]?.Routes?.map((r) => [r.DestinationCidrBlock, r.GatewayId, r.NetworkInterfaceId, r.InstanceId, r.State]);
    assert.deepEqual(routes, [['198.51.100.0/24', 'local', undefined, undefined, 'active'], ['192.0.2.0/24', undefined, t.eniA, t.a.instanceId, 'active']]);
    await rejectsWith(t.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: ['rtb-0000000000000dead'] })), 'InvalidRouteTableID.NotFound', 400, /rtb-0000000000000dead/);
  });

  it('ReplaceRoute retargets an existing route, refuses a missing one (InvalidRoute.NotFound); CreateRoute / DeleteRoute', async () => {
    await t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.0/24', NetworkInterfaceId: t.eniB }));
    assert.deepEqual(t.fake.routeTarget(t.rtb, '192.0.2.0/24'), { eniId: t.eniB, instanceId: t.b.instanceId });
    await rejectsWith(t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.128/25', NetworkInterfaceId: t.eniB })), 'InvalidRoute.NotFound', 400, /CreateRoute/);
    await t.ec2.send(new CreateRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.128/25', NetworkInterfaceId: t.eniA }));
    await rejectsWith(t.ec2.send(new CreateRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.128/25', NetworkInterfaceId: t.eniA })), 'RouteAlreadyExists', 400);
    await t.ec2.send(new CreateRouteCommand({ RouteTableId: t.rtb, DestinationIpv6CidrBlock: '2001:db8::/64', InstanceId: t.b.instanceId }));
    assert.deepEqual(t.fake.routeTarget(t.rtb, '2001:db8::/64'), { eniId: t.eniB, instanceId: t.b.instanceId });
    await t.ec2.send(new DeleteRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.128/25' }));
    assert.equal(t.fake.routeTarget(t.rtb, '192.0.2.128/25'), undefined);
    await rejectsWith(t.ec2.send(new DeleteRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.128/25' })), 'InvalidRoute.NotFound', 400);
    await rejectsWith(t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '198.51.100.0/24', NetworkInterfaceId: t.eniB })), 'InvalidParameterValue', 400, /local route/);
    await rejectsWith(t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.1/24', NetworkInterfaceId: t.eniB })), 'InvalidParameterValue', 400, /host bits/);
    await rejectsWith(t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.0/24', GatewayId: 'igw-0000000000000dead' })), 'UnknownParameter', 400, /GatewayId/);
  });
});

describe('tags (the fence record)', () => {
  it('CreateTags on an allocation, an ENI and a route table shows in their Describe* tag sets and in DescribeTags', async () => {
    const fence = [{ Key: 'vipd:fence', Value: 'term=7;node=a' }];
    await t.ec2.send(new CreateTagsCommand({ Resources: [t.alloc, t.eniA, t.rtb], Tags: fence }));
    const addr = await t.ec2.send(new DescribeAddressesCommand({ AllocationIds: [t.alloc] }));
    assert.deepEqual(addr.Addresses?.[0]?.Tags, fence);
    const eni = await t.ec2.send(new DescribeNetworkInterfacesCommand({ NetworkInterfaceIds: [t.eniA] }));
    assert.deepEqual(eni.NetworkInterfaces?.[0]?.TagSet, fence);
    const rt = await t.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [t.rtb] }));
    assert.deepEqual(rt.RouteTables?.[0]?.Tags, fence);
    const tags = await t.ec2.send(new DescribeTagsCommand({ Filters: [{ Name: 'resource-id', Values: [t.alloc] }] }));
    assert.deepEqual(tags.Tags, [{ Key: 'vipd:fence', ResourceId: t.alloc, ResourceType: 'elastic-ip', Value: 'term=7;node=a' }]);
    const byTag = await t.ec2.send(new DescribeAddressesCommand({ Filters: [{ Name: 'tag:vipd:fence', Values: ['term=7*'] }] }));
    assert.equal(byTag.Addresses?.length, 1);
  });

  it('DeleteTags with a value deletes only a matching tag; an unknown resource is refused', async () => {
    await t.ec2.send(new CreateTagsCommand({ Resources: [t.alloc], Tags: [{ Key: 'vipd:fence', Value: 'term=7' }] }));
    await t.ec2.send(new DeleteTagsCommand({ Resources: [t.alloc], Tags: [{ Key: 'vipd:fence', Value: 'term=6' }] }));
    assert.deepEqual(t.fake.tagsOf(t.alloc), { 'vipd:fence': 'term=7' });
    await t.ec2.send(new DeleteTagsCommand({ Resources: [t.alloc], Tags: [{ Key: 'vipd:fence' }] }));
    assert.deepEqual(t.fake.tagsOf(t.alloc), {});
    await rejectsWith(t.ec2.send(new CreateTagsCommand({ Resources: ['eipalloc-0000000000000dead'], Tags: [{ Key: 'k', Value: 'v' }] })), 'InvalidAllocationID.NotFound', 400);
    await rejectsWith(t.ec2.send(new CreateTagsCommand({ Resources: [t.alloc], Tags: [{ Key: 'aws:x', Value: 'v' }] })), 'InvalidParameterValue', 400, /aws:/);
  });
});

describe('DescribeInstances', () => {
  it('answers by id and by filter with the instance, its placement and interfaces; an unknown id is InvalidInstanceID.NotFound', async () => {
    const out = await t.ec2.send(new DescribeInstancesCommand({ InstanceIds: [t.b.instanceId] }));
    const inst = out.Reservations?.[0]?.Instances?.[0];
    assert.equal(inst?.InstanceId, t.b.instanceId);
    assert.equal(inst?.State?.Name, 'running');
    assert.equal(inst?.Placement?.AvailabilityZone, 'us-east-1a');
    assert.deepEqual(inst?.NetworkInterfaces?.map((n) => [n.NetworkInterfaceId, n.MacAddress]), [[t.eniB, t.b.enis[0]!.mac]]);
    const byEni = await t.ec2.send(new DescribeInstancesCommand({ Filters: [{ Name: 'network-interface.network-interface-id', Values: [t.eniA] }] }));
    assert.deepEqual(byEni.Reservations?.flatMap((r) => r.Instances?.map((i) => i.InstanceId)), [t.a.instanceId]);
    await rejectsWith(t.ec2.send(new DescribeInstancesCommand({ InstanceIds: ['i-0000000000000dead'] })), 'InvalidInstanceID.NotFound', 400);
  });

  it('paginates with MaxResults / NextToken', async () => {
    for (let i = 0; i < 5; i++) t.fake.addInstance({ enis: [{ privateIp: `192.0.2.${10 + i}` }] });
    const first = await t.ec2.send(new DescribeInstancesCommand({ MaxResults: 5 }));
    assert.equal(first.Reservations?.length, 5);
    assert.ok(first.NextToken);
    const second = await t.ec2.send(new DescribeInstancesCommand({ MaxResults: 5, NextToken: first.NextToken }));
    assert.equal(second.Reservations?.length, 2);
    assert.equal(second.NextToken, undefined);
  });
});

describe('strictness', () => {
  it('an unknown Action is InvalidAction; an unknown parameter is UnknownParameter naming it', async () => {
    const ec2 = ec2Client(t.fake);
    rewriteBody(ec2, (b) => b.replace('Action=DescribeAddresses', 'Action=DescribeAdresses'));
    await rejectsWith(ec2.send(new DescribeAddressesCommand({})), 'InvalidAction', 400, /DescribeAdresses/);
    ec2.destroy();
    const ec2b = ec2Client(t.fake);
    rewriteBody(ec2b, (b) => `${b}&AllocationIds.1=${t.alloc}`);
    await rejectsWith(ec2b.send(new DescribeAddressesCommand({})), 'UnknownParameter', 400, /AllocationIds\.1/);
    ec2b.destroy();
  });

  it('AssignPrivateIpAddresses has no DryRun in the EC2 API, so DryRun there is an unknown parameter', async () => {
    const ec2 = ec2Client(t.fake);
    rewriteBody(ec2, (b) => `${b}&DryRun=true`);
    await rejectsWith(ec2.send(new AssignPrivateIpAddressesCommand({ NetworkInterfaceId: t.eniA, PrivateIpAddresses: ['198.51.100.101'] })), 'UnknownParameter', 400, /DryRun/);
    ec2.destroy();
    assert.equal(t.fake.secondaryIpOwner('198.51.100.101'), undefined);
  });

  it('a malformed boolean or an unsigned request is refused', async () => {
    const ec2 = ec2Client(t.fake);
    rewriteBody(ec2, (b) => b.replace('AllowReassociation=true', 'AllowReassociation=yes'));
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA, AllowReassociation: true })), 'InvalidParameterValue', 400, /AllowReassociation/);
    ec2.destroy();
    const res = await fetch(t.fake.endpoint, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeAddresses&Version=2016-11-15' });
    assert.equal(res.status, 401);
    assert.match(await res.text(), /<Code>MissingAuthenticationToken<\/Code>/);
  });
});

describe('SigV4', () => {
  it('a wrong secret is SignatureDoesNotMatch (403); an unknown key is AuthFailure (401)', async () => {
    const wrongSecret = ec2Client(t.fake, { credentials: { accessKeyId: t.fake.credentials.accessKeyId, secretAccessKey: 'not-the-secret' } });
    await rejectsWith(wrongSecret.send(new DescribeAddressesCommand({})), 'SignatureDoesNotMatch', 403);
    wrongSecret.destroy();
    const unknownKey = ec2Client(t.fake, { credentials: { accessKeyId: 'AKIAUNKNOWNEXAMPLE00', secretAccessKey: 'x' } });
    await rejectsWith(unknownKey.send(new DescribeAddressesCommand({})), 'AuthFailure', 401, /not able to validate the provided access credentials/);
    unknownKey.destroy();
    assert.equal(t.fake.requests.at(-1)?.accessKeyId, 'AKIAUNKNOWNEXAMPLE00');
  });

  it('a credential scope with another region is refused naming both regions', async () => {
    const other = ec2Client(t.fake, { region: 'eu-west-1' });
    await rejectsWith(other.send(new DescribeAddressesCommand({})), 'AuthFailure', 401, /'eu-west-1'.*'us-east-1'/);
    other.destroy();
  });

  it('a body changed after signing is SignatureDoesNotMatch', async () => {
    const ec2 = ec2Client(t.fake);
    type Args = { request: { body: string } };
    const tamper = (next: (a: Args) => Promise<unknown>) => async (args: Args) => {
      args.request.body = args.request.body.replace(t.eniA, t.eniB);
      return next(args);
    };
    ec2.middlewareStack.addRelativeTo(tamper as never, { relation: 'after', toMiddleware: 'httpSigningMiddleware', name: 'testTamper' });
    await rejectsWith(ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA })), 'SignatureDoesNotMatch', 403);
    ec2.destroy();
    assert.equal(t.fake.addressOwner(t.alloc), undefined);
  });

  it('a request dated 10 minutes off is RequestExpired; the SDK takes the Date header as its clock for the next call', async () => {
    const skewed = ec2Client(t.fake, { systemClockOffset: -10 * 60_000 });
    await rejectsWith(skewed.send(new DescribeAddressesCommand({})), 'RequestExpired', 400, /more than 5 minutes/);
    // @aws-sdk/core resets systemClockOffset from the error's Date header but retries only when
    // the corrected offset itself is over 4 minutes (a wrong local clock), so the call failed
    // and the next one is signed right.
    const out = await skewed.send(new DescribeAddressesCommand({}));
    assert.equal(out.$metadata.attempts, 1);
    skewed.destroy();
  });

  it("the IMDS role's temporary credentials are accepted with their session token only", async () => {
    const { accessKeyId, secretAccessKey, sessionToken } = t.fake.roleCredentials;
    const role = ec2Client(t.fake, { credentials: { accessKeyId, secretAccessKey, sessionToken } });
    await role.send(new DescribeAddressesCommand({}));
    role.destroy();
    const noToken = ec2Client(t.fake, { credentials: { accessKeyId, secretAccessKey } });
    await rejectsWith(noToken.send(new DescribeAddressesCommand({})), 'AuthFailure', 401, /session token/);
    noToken.destroy();
  });
});

describe('DryRun and permissions', () => {
  it('DryRun answers DryRunOperation (412) when allowed and UnauthorizedOperation (403) when denied, changing nothing', async () => {
    await rejectsWith(t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA, DryRun: true })), 'DryRunOperation', 412);
    await rejectsWith(t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.0/24', NetworkInterfaceId: t.eniB, DryRun: true })), 'DryRunOperation', 412);
    await rejectsWith(t.ec2.send(new CreateTagsCommand({ Resources: [t.alloc], Tags: [{ Key: 'k', Value: 'v' }], DryRun: true })), 'DryRunOperation', 412);
    t.fake.deny('AssociateAddress');
    await rejectsWith(t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA, DryRun: true })), 'UnauthorizedOperation', 403, /ec2:AssociateAddress/);
    await rejectsWith(t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA })), 'UnauthorizedOperation', 403);
    assert.equal(t.fake.addressOwner(t.alloc), undefined);
    assert.deepEqual(t.fake.routeTarget(t.rtb, '192.0.2.0/24'), { eniId: t.eniA, instanceId: t.a.instanceId });
    assert.deepEqual(t.fake.tagsOf(t.alloc), {});
    t.fake.allow('AssociateAddress');
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA }));
  });

  it('deny with a resource refuses only requests naming that resource', async () => {
    t.fake.deny('ReplaceRoute', { resource: 'rtb-0000000000000other' });
    await t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.0/24', NetworkInterfaceId: t.eniB }));
    t.fake.deny('ReplaceRoute', { resource: t.rtb });
    await rejectsWith(t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.0/24', NetworkInterfaceId: t.eniA })), 'UnauthorizedOperation', 403, new RegExp(`route-table/${t.rtb}`));
  });
});

describe('faults', () => {
  it('throttle: 503 RequestLimitExceeded, which the SDK retries to success', async () => {
    t.fake.inject({ action: 'AssociateAddress', kind: 'throttle', times: 1 });
    const out = await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA }));
    assert.equal(out.$metadata.attempts, 2);
    assert.deepEqual(t.fake.requests.map((r) => [r.action, r.status, r.error]), [['AssociateAddress', 503, 'RequestLimitExceeded'], ['AssociateAddress', 200, undefined]]);
    const once = ec2Client(t.fake, { maxAttempts: 1 });
    t.fake.inject({ kind: 'throttle' });
    await rejectsWith(once.send(new DescribeAddressesCommand({})), 'RequestLimitExceeded', 503);
    once.destroy();
  });

  it('server-error: 500 InternalError, retried by the SDK; the failed attempt changed nothing', async () => {
    t.fake.inject({ action: 'ReplaceRoute', kind: 'server-error' });
    const out = await t.ec2.send(new ReplaceRouteCommand({ RouteTableId: t.rtb, DestinationCidrBlock: '192.0.2.0/24', NetworkInterfaceId: t.eniB }));
    assert.equal(out.$metadata.attempts, 2);
    assert.equal(t.fake.requests[0]?.status, 500);
    assert.equal(t.fake.routeTarget(t.rtb, '192.0.2.0/24')?.eniId, t.eniB);
  });

  it('hang: no answer, so only a request timeout (throwOnRequestTimeout) ends it; the SDK then retries', async () => {
    const handler = (): NodeHttpHandler => new NodeHttpHandler({ requestTimeout: 800, throwOnRequestTimeout: true });
    t.fake.inject({ action: 'DescribeAddresses', kind: 'hang' });
    const once = ec2Client(t.fake, { requestHandler: handler(), maxAttempts: 1 });
    await rejectsWith(once.send(new DescribeAddressesCommand({})), 'TimeoutError');
    once.destroy();
    t.fake.inject({ action: 'DescribeAddresses', kind: 'hang' });
    const retrying = ec2Client(t.fake, { requestHandler: handler(), maxAttempts: 2 });
    const out = await retrying.send(new DescribeAddressesCommand({}));
    assert.equal(out.$metadata.attempts, 2);
    retrying.destroy();
    assert.deepEqual(t.fake.requests.map((r) => [r.status, r.error]), [[0, 'hang'], [0, 'hang'], [200, undefined]]);
  });

  it('lost-response: the association lands, the SDK retries, and the retry without AllowReassociation fails AlreadyAssociated', async () => {
    t.fake.inject({ action: 'AssociateAddress', kind: 'lost-response' });
    await rejectsWith(t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniB })), 'Resource.AlreadyAssociated', 400);
    assert.equal(t.fake.addressOwner(t.alloc)?.eniId, t.eniB, 'the lost attempt did move the address');
    assert.deepEqual(t.fake.requests.map((r) => [r.action, r.status, r.error]), [['AssociateAddress', 0, 'lost-response'], ['AssociateAddress', 400, 'Resource.AlreadyAssociated']]);
    // With AllowReassociation (what an idempotent provider sends) the retry simply succeeds.
    t.fake.inject({ action: 'AssociateAddress', kind: 'lost-response' });
    const out = await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA, AllowReassociation: true }));
    assert.equal(out.$metadata.attempts, 2);
    assert.equal(t.fake.addressOwner(t.alloc)?.associationId, out.AssociationId);
  });

  it('stale-read: a Describe answers from the state as it was staleMs ago', async () => {
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniB }));
    t.fake.inject({ action: 'DescribeAddresses', kind: 'stale-read', staleMs: 60_000 });
    const stale = await t.ec2.send(new DescribeAddressesCommand({ AllocationIds: [t.alloc] }));
    assert.equal(stale.Addresses?.[0]?.NetworkInterfaceId, undefined, 'the stale view predates the association');
    const fresh = await t.ec2.send(new DescribeAddressesCommand({ AllocationIds: [t.alloc] }));
    assert.equal(fresh.Addresses?.[0]?.NetworkInterfaceId, t.eniB);
    const fresh0 = await t.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [t.rtb] }));
    assert.equal(fresh0.RouteTables?.[0]?.Routes?.[1]?.NetworkInterfaceId, t.eniA);
  });

  it('probability draws from the seeded generator: the same seed gives the same faults', async () => {
    const pattern = async (seed: number): Promise<number[]> => {
      const fake = await startEc2Fake({ seed });
      const ec2 = ec2Client(fake, { maxAttempts: 1 });
      fake.inject({ action: 'DescribeTags', kind: 'server-error', probability: 0.5 });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push(await ec2.send(new DescribeTagsCommand({})).then(() => 200, () => 500));
      ec2.destroy();
      await fake.close();
      return statuses;
    };
    const a = await pattern(42);
    assert.deepEqual(await pattern(42), a);
    assert.ok(a.includes(200) && a.includes(500), `a 0.5 probability over 12 draws gives both outcomes: ${a.join(',')}`);
  });

  it('clearFaults removes every rule; an unknown action or kind is refused at inject time', async () => {
    t.fake.inject({ kind: 'throttle', probability: 1 });
    t.fake.clearFaults();
    assert.throws(() => t.fake.inject({ action: 'AssociateAdress', kind: 'throttle' }), /unknown action 'AssociateAdress'/);
    assert.throws(() => t.fake.inject({ action: 'AssociateAddress', kind: 'stale-read' }), /Describe/);
    assert.throws(() => t.fake.deny('Nope'), /unknown action 'Nope'/);
    const out = await t.ec2.send(new DescribeTagsCommand({}));
    assert.equal(out.$metadata.attempts, 1);
  });
});

describe('behind vipd\'s back and observation', () => {
  it('moveAddress / moveSecondaryIp / setRoute change what Describe* reports', async () => {
    t.fake.moveAddress(t.alloc, t.eniA);
    t.fake.moveSecondaryIp('198.51.100.100', t.eniA);
    t.fake.setRoute(t.rtb, '192.0.2.0/24', t.eniB);
    const addr = await t.ec2.send(new DescribeAddressesCommand({ AllocationIds: [t.alloc] }));
    assert.equal(addr.Addresses?.[0]?.NetworkInterfaceId, t.eniA);
    const eni = await t.ec2.send(new DescribeNetworkInterfacesCommand({ Filters: [{ Name: 'addresses.private-ip-address', Values: ['198.51.100.100'] }] }));
    assert.deepEqual(eni.NetworkInterfaces?.map((n) => n.NetworkInterfaceId), [t.eniA]);
    const rt = await t.ec2.send(new DescribeRouteTablesCommand({ RouteTableIds: [t.rtb] }));
    assert.equal(rt.RouteTables?.[0]?.Routes?.find((r) => r.DestinationCidrBlock === '192.0.2.0/24')?.NetworkInterfaceId, t.eniB);
  });

  it("'request' events carry the action, params, key, status and arrival time", async () => {
    const seen: RequestRecord[] = [];
    t.fake.on('request', (r) => seen.push(r));
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA, AllowReassociation: true }));
    assert.equal(seen.length, 1);
    assert.equal(seen[0]!.action, 'AssociateAddress');
    assert.deepEqual(seen[0]!.params, { Action: 'AssociateAddress', Version: '2016-11-15', AllocationId: t.alloc, NetworkInterfaceId: t.eniA, AllowReassociation: 'true' });
    assert.equal(seen[0]!.accessKeyId, t.fake.credentials.accessKeyId);
    assert.equal(seen[0]!.status, 200);
    assert.ok(seen[0]!.at > 0 && seen[0]!.at <= seen[0]!.doneAt && seen[0]!.doneAt <= performance.now());
  });

  it('setLatency delays every answer: the change lands (doneAt) at least that long after arrival', async () => {
    t.fake.setLatency(40);
    await t.ec2.send(new AssociateAddressCommand({ AllocationId: t.alloc, NetworkInterfaceId: t.eniA }));
    const r = t.fake.requests.at(-1)!;
    // A timer may fire up to a millisecond early against performance.now().
    assert.ok(r.doneAt - r.at >= 39, `settled ${r.doneAt - r.at} ms after arrival`);
    assert.throws(() => t.fake.setLatency(-1), /not a latency/);
  });

  it('listens on another loopback or documentation address when asked (IPv6 too), never elsewhere', async () => {
    for (const host of ['127.0.0.2', '::1']) {
      const fake = await startEc2Fake({ host });
      const inst = fake.addInstance({ enis: [{ privateIp: '198.51.100.10' }] });
      const imds = await fake.imds(inst.instanceId);
      assert.ok(fake.endpoint.startsWith(host === '::1' ? 'http://[::1]:' : 'http://127.0.0.2:'), fake.endpoint);
      assert.ok(imds.endpoint.startsWith(fake.endpoint.replace(/:\d+$/, ':')), imds.endpoint);
      const ec2 = ec2Client(fake);
      await ec2.send(new DescribeInstancesCommand({}));
      ec2.destroy();
      await fake.close();
    }
    await assert.rejects(startEc2Fake({ host: 'fake.example.invalid' }), /must be loopback or in 192\.0\.2\.0\/24/);
  });

  it('world building accepts only documentation addresses and refuses duplicates', () => {
    assert.throws(() => t.fake.addAddress({ publicIp: '192.0.2.1' }), /203\.0\.113\.0\/24/);
    assert.throws(() => t.fake.addInstance({ enis: [{ privateIp: '203.0.113.77' }] }), /198\.51\.100\.0\/24 or 192\.0\.2\.0\/24/);
    assert.throws(() => t.fake.addInstance({ enis: [{ privateIp: '198.51.100.10' }] }), /already on eni-0aaa/);
  });
});

// Debian's awscli (/usr/bin/aws). The `aws` first on PATH on these machines may be another
// install (a pyenv aws-cli v1), so the test names the Debian binary.
const AWS_CLI = '/usr/bin/aws';
describe('Debian AWS CLI', { skip: existsSync(AWS_CLI) ? false : `${AWS_CLI} is not installed (apt-get install awscli)` }, () => {
  it('aws ec2 associate-address --endpoint-url works against the fake, and refuses an associated address without --allow-reassociation', async () => {
    const run = promisify(execFile);
    // No AWS_* from the test's environment, no profile, no IMDS: only what is given here.
    const env = {
      PATH: '/usr/bin:/bin', HOME: '/nonexistent', AWS_ACCESS_KEY_ID: t.fake.credentials.accessKeyId, AWS_SECRET_ACCESS_KEY: t.fake.credentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true', AWS_CONFIG_FILE: '/dev/null', AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    };
    const cli = (...args: string[]) => run(AWS_CLI, ['ec2', ...args, '--endpoint-url', t.fake.endpoint, '--region', t.fake.region, '--output', 'json'], { env, timeout: 30_000 });
    const { stdout } = await cli('associate-address', '--allocation-id', t.alloc, '--network-interface-id', t.eniA);
    assert.equal((JSON.parse(stdout) as { AssociationId: string }).AssociationId, t.fake.addressOwner(t.alloc)?.associationId);
    await assert.rejects(cli('associate-address', '--allocation-id', t.alloc, '--network-interface-id', t.eniB), (e: { stderr: string }) => {
      assert.match(e.stderr, /Resource\.AlreadyAssociated/);
      return true;
    });
    assert.equal(t.fake.addressOwner(t.alloc)?.eniId, t.eniA);
  });
});
