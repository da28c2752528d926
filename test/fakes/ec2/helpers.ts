/**
 * Shared by the EC2 fake's tests: a small world (two instances, an Elastic IP, a route table),
 * a real EC2Client pointed at the fake, and an assertion on the SDK's typed errors.
 */
import assert from 'node:assert/strict';
import { EC2Client, type EC2ClientConfig } from '@aws-sdk/client-ec2';
import { startEc2Fake, type Ec2Fake, type Ec2FakeOptions, type FakeInstance } from './index.js';

export interface TestWorld {
  fake: Ec2Fake;
  ec2: EC2Client;
  a: FakeInstance;
  b: FakeInstance;
  eniA: string;
  eniB: string;
  alloc: string;
  rtb: string;
  close(): Promise<void>;
}

export function ec2Client(fake: Ec2Fake, extra: Partial<EC2ClientConfig> = {}): EC2Client {
  return new EC2Client({ endpoint: fake.endpoint, region: fake.region, credentials: fake.credentials, ...extra });
}

export async function testWorld(opts: Ec2FakeOptions = {}): Promise<TestWorld> {
  const fake = await startEc2Fake({ seed: 7, ...opts });
  const a = fake.addInstance({ instanceId: 'i-0aaaaaaaaaaaaaaa1', enis: [{ eniId: 'eni-0aaaaaaaaaaaaaaa1', privateIp: '198.51.100.10' }] });
  const b = fake.addInstance({ instanceId: 'i-0bbbbbbbbbbbbbbb2', enis: [{ eniId: 'eni-0bbbbbbbbbbbbbbb2', privateIp: '198.51.100.20', secondaryIps: ['198.51.100.100'] }] });
  const { allocationId } = fake.addAddress({ allocationId: 'eipalloc-0ccccccccccccccc3', publicIp: '203.0.113.10' });
  const { routeTableId } = fake.addRouteTable({ routeTableId: 'rtb-0ddddddddddddddd4', routes: [{ cidr: '192.0.2.0/24', eniId: 'eni-0aaaaaaaaaaaaaaa1' }] });
  const ec2 = ec2Client(fake);
  return {
    fake, ec2, a, b, eniA: a.enis[0]!.eniId, eniB: b.enis[0]!.eniId, alloc: allocationId, rtb: routeTableId,
    close: async () => {
      ec2.destroy();
      await fake.close();
    },
  };
}

interface SdkError {
  name: string;
  message: string;
  $metadata?: { httpStatusCode?: number; attempts?: number };
}

/** Awaits `p`, expecting the SDK to throw the EC2 error `code` (and `status`, a message match). */
export async function rejectsWith(p: Promise<unknown>, code: string, status?: number, message?: RegExp): Promise<SdkError> {
  let caught: SdkError | undefined;
  try {
    await p;
  } catch (e) {
    caught = e as SdkError;
  }
  assert.ok(caught, `expected ${code}, but the call succeeded`);
  assert.equal(caught.name, code, `expected ${code}, got ${caught.name}: ${caught.message}`);
  if (status !== undefined) assert.equal(caught.$metadata?.httpStatusCode, status, `HTTP status of ${code}`);
  if (message) assert.match(caught.message, message);
  return caught;
}
