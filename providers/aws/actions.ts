/**
 * Every EC2 API action the aws provider can call, and the IAM resource each one is granted on.
 * The provider sends requests only through `Ec2Session.send`, whose action parameter is typed
 * by this list, and test/unit/providers/aws/iam-policy.test.ts checks that deploy/aws/iam-policy.json
 * grants exactly these (no more). Preflight DryRuns the mutating ones a configuration uses.
 */
import type { AwsModeName } from './schema.js';

export const EC2_ACTIONS = [
  'DescribeAddresses',
  'DescribeNetworkInterfaces',
  'DescribeRouteTables',
  'AssociateAddress',
  'DisassociateAddress',
  'AssignPrivateIpAddresses',
  'UnassignPrivateIpAddresses',
  'ReplaceRoute',
  'CreateRoute',
  'CreateTags',
] as const;
export type Ec2Action = (typeof EC2_ACTIONS)[number];

/** Describe* actions: EC2 supports no resource-level permissions for them (Resource "*"). */
export const DESCRIBE_ACTIONS: readonly Ec2Action[] = ['DescribeAddresses', 'DescribeNetworkInterfaces', 'DescribeRouteTables'];

/** The changes each mode makes (preflight DryRuns them); CreateTags only for fenced groups. */
export const MODE_MUTATIONS: Record<AwsModeName, readonly Ec2Action[]> = {
  eip: ['AssociateAddress', 'DisassociateAddress'],
  'secondary-ip': ['AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses'],
  route: ['ReplaceRoute', 'CreateRoute'],
};

/** Where this node runs, for ARNs in hints. */
export interface ArnScope {
  readonly region: string;
  /** The account that owns the ENI (DescribeNetworkInterfaces OwnerId); "ACCOUNT" until known. */
  readonly account: string | undefined;
}

/** arn:aws:ec2:REGION:ACCOUNT:TYPE/ID for an EC2 id (Service Authorization Reference, Amazon EC2 resource types). */
export function arnOf(id: string, scope: ArnScope): string {
  const type = id.startsWith('eipalloc-') ? 'elastic-ip' : id.startsWith('eni-') ? 'network-interface' : id.startsWith('rtb-') ? 'route-table' : id.startsWith('i-') ? 'instance' : 'RESOURCE';
  const partition = scope.region.startsWith('cn-') ? 'aws-cn' : scope.region.startsWith('us-gov-') ? 'aws-us-gov' : 'aws';
  return `arn:${partition}:ec2:${scope.region}:${scope.account ?? 'ACCOUNT'}:${type}/${id}`;
}

/** "grant ec2:X on arn:… (deploy/aws/iam-policy.json)", or for Describe* "on *". */
export function grantHint(action: Ec2Action, resources: readonly string[], scope: ArnScope): string {
  const on = DESCRIBE_ACTIONS.includes(action) || resources.length === 0 ? '"*" (Describe actions cannot be scoped)' : resources.map((r) => arnOf(r, scope)).join(' and ');
  return `grant ec2:${action} on ${on} to this instance's role or user (deploy/aws/iam-policy.json)`;
}
