/**
 * The two provider modes `vipd demo --cloud` shows: AWS `eip` against the EC2 fake
 * (test/fakes/ec2) and GCP `alias-ip` against the Compute Engine fake (test/fakes/gcp). World
 * files follow each fake's serve.ts; every address is from the documentation ranges
 * (RFC 5737): Elastic IPs 203.0.113.x, VPC addresses 198.51.100.x.
 */
import type { CloudFake } from './cloud-fake.js';
import { cloudMembers, type CloudMember, type CloudMode } from './cloud-mode.js';

export type DemoCloud = 'aws' | 'gcp';
export const DEMO_CLOUDS: readonly DemoCloud[] = ['aws', 'gcp'];

/** The two members of the demo, the first one with the higher priority. */
export function demoMembers(mode: CloudMode): CloudMember[] {
  return cloudMembers(mode, [
    { id: 'node-a', priority: 200 },
    { id: 'node-b', priority: 100 },
  ]);
}

// ------------------------------------------------------------------------------------------
// AWS (test/fakes/ec2/serve.ts)

export const EC2_REGION = 'us-east-1';

/** A test credential pair per member, so the fake's request log tells who sent each request. */
export function ec2Credentials(member: CloudMember): { accessKeyId: string; secretAccessKey: string } {
  const tag = member.id.replace(/[^a-z0-9]/gi, '').toUpperCase().padEnd(8, 'X').slice(0, 8);
  return { accessKeyId: `AKIAVIPD${tag}EXAMPLE`.slice(0, 20), secretAccessKey: `vipdFakeSecret/${member.id}/EXAMPLEKEY` };
}

/** EC2-shaped instance ids (17 hex digits): i-0a0000000000000a1, i-0b0000000000000b1, ... */
export const ec2InstanceFor = (index: number): string => {
  const c = (10 + index).toString(16);
  return `i-0${c}${'0'.repeat(13)}${c}1`;
};

/** "i-0a0000000000000a1" -> "eni-0a0000000000000a1": one ENI per instance, same suffix. */
export const eniOf = (member: CloudMember): string => member.instance.replace(/^i-/, 'eni-');

/** 198.51.100.11, .12, ...: each member's primary private address. */
export const privateIpOf = (members: readonly CloudMember[], member: CloudMember): string => `198.51.100.${11 + members.indexOf(member)}`;

export interface Ec2Extras {
  readonly addresses?: readonly { allocationId: string; publicIp: string }[];
  readonly routeTables?: readonly { routeTableId: string }[];
  /** Secondary private addresses per member instance id. */
  readonly secondaryIps?: Readonly<Record<string, readonly string[]>>;
}

/** The EC2 world file: every member an instance with one ENI, plus what the mode needs. */
export function ec2World(members: readonly CloudMember[], extras: Ec2Extras = {}): unknown {
  return {
    region: EC2_REGION,
    credentials: members.map(ec2Credentials),
    instances: members.map((m) => ({
      instanceId: m.instance,
      az: `${EC2_REGION}a`,
      enis: [{ eniId: eniOf(m), privateIp: privateIpOf(members, m), ...(extras.secondaryIps?.[m.instance] ? { secondaryIps: extras.secondaryIps[m.instance] } : {}) }],
    })),
    addresses: extras.addresses ?? [],
    routeTables: extras.routeTables ?? [],
  };
}

/** The member's environment: its own IMDS, its own keys, the fake's EC2 endpoint and region, no config files. */
export function ec2Env(fake: CloudFake, member: CloudMember, dir: string): Record<string, string> {
  const imds = (fake.info.imds ?? {}) as Record<string, string>;
  const endpoint = imds[member.instance];
  if (!endpoint) throw new Error(`the EC2 fake printed no IMDS endpoint for ${member.instance}: ${JSON.stringify(fake.info)}`);
  const keys = ec2Credentials(member);
  return {
    AWS_EC2_METADATA_SERVICE_ENDPOINT: endpoint,
    AWS_ENDPOINT_URL_EC2: fake.endpoint,
    AWS_REGION: typeof fake.info.region === 'string' ? fake.info.region : EC2_REGION,
    AWS_ACCESS_KEY_ID: keys.accessKeyId,
    AWS_SECRET_ACCESS_KEY: keys.secretAccessKey,
    // Files that do not exist: nothing from a developer's ~/.aws is read.
    // The SDK warns on Node 20 that versions from 2027 on need Node 22; in the demo's output
    // that notice from every node buries the story (vipd supports Node 20, package.json engines).
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_CONFIG_FILE: `${dir}/no-aws-config`,
    AWS_SHARED_CREDENTIALS_FILE: `${dir}/no-aws-credentials`,
  };
}

/** The member whose access key signed a request. */
export function ec2Caller(accessKeyId: string | undefined, members: readonly CloudMember[]): string | undefined {
  return members.find((m) => ec2Credentials(m).accessKeyId === accessKeyId)?.instance;
}

export const DEMO_ALLOCATION = { allocationId: 'eipalloc-0e1b0000000000001', publicIp: '203.0.113.10' };

export const awsEip: CloudMode = {
  name: 'aws eip',
  fake: 'ec2',
  resource: `Elastic IP ${DEMO_ALLOCATION.publicIp} (${DEMO_ALLOCATION.allocationId})`,
  vips: ['192.0.2.50/32'],
  instanceFor: ec2InstanceFor,
  bindsLocally: false,
  world: (members) => ec2World(members, { addresses: [DEMO_ALLOCATION] }),
  env: ec2Env,
  groupLines: () => ['    provider:', '      type: aws', '      mode: eip', `      allocation_id: ${DEMO_ALLOCATION.allocationId}`],
  async holders(fake) {
    const owner = await fake.control<{ instanceId: string } | null>('addressOwner', { allocationId: DEMO_ALLOCATION.allocationId });
    return owner ? [owner.instanceId] : [];
  },
  async moveBehindVipd(fake, to) {
    await fake.control('moveAddress', { allocationId: DEMO_ALLOCATION.allocationId, eniId: to ? eniOf(to) : null });
  },
  caller: (_fake, key, members) => ec2Caller(key, members),
};

// ------------------------------------------------------------------------------------------
// GCP (test/fakes/gcp/serve.ts)

export const GCE_ZONE = 'us-central1-a';

/** GCE instance names (lower case, as GCE requires): vipd-node-a, ... */
export const gceInstanceFor = (_index: number, id: string): string => `vipd-${id.toLowerCase()}`;

export interface GceExtras {
  readonly addresses?: readonly { name: string; region: string; address: string }[];
  /** Alias ranges per member id at the start. */
  readonly aliases?: Readonly<Record<string, readonly string[]>>;
}

export function gceWorld(members: readonly CloudMember[], extras: GceExtras = {}): unknown {
  return {
    project: 'vipd-demo',
    instances: members.map((m) => ({
      name: m.instance,
      zone: GCE_ZONE,
      nics: [{ name: 'nic0', networkIP: privateIpOf(members, m), aliasIpRanges: (extras.aliases?.[m.id] ?? []).map((ipCidrRange) => ({ ipCidrRange })) }],
    })),
    addresses: extras.addresses ?? [],
  };
}

/** The member's environment: only its own metadata server (the token it issues says who calls). */
export function gceEnv(fake: CloudFake, member: CloudMember): Record<string, string> {
  const hosts = (fake.info.metadata ?? {}) as Record<string, string>;
  const host = hosts[member.instance];
  if (!host) throw new Error(`the GCP fake printed no metadata host for ${member.instance}: ${JSON.stringify(fake.info)}`);
  return { GCE_METADATA_HOST: host };
}

/** Provider lines every GCP mode shares: the fake's Compute endpoint and the other members' instances. */
export function gceProviderLines(fake: CloudFake, mode: string, member: CloudMember, members: readonly CloudMember[]): string[] {
  return [
    '    provider:',
    '      type: gcp',
    `      mode: ${mode}`,
    `      endpoint: ${fake.endpoint}`,
    `      instances: [${members.filter((m) => m !== member).map((m) => m.instance).join(', ')}]`,
  ];
}

export const DEMO_ALIAS = '198.51.100.50/32';

export const gcpAliasIp: CloudMode = {
  name: 'gcp alias-ip',
  fake: 'gcp',
  resource: `alias IP range ${DEMO_ALIAS}`,
  vips: [DEMO_ALIAS],
  instanceFor: gceInstanceFor,
  bindsLocally: false,
  world: (members) => gceWorld(members),
  env: (fake, member) => gceEnv(fake, member),
  groupLines: (fake, member, members) => [...gceProviderLines(fake, 'alias-ip', member, members), `      alias_ranges: [${DEMO_ALIAS}]`],
  async holders(fake) {
    const owner = await fake.control<{ instance: string } | null>('aliasOwner', { ipCidrRange: DEMO_ALIAS });
    return owner ? [owner.instance] : [];
  },
  async moveBehindVipd(fake, to) {
    await fake.control('moveAlias', { ipCidrRange: DEMO_ALIAS, toInstance: to?.instance ?? null });
  },
  caller: (_fake, instance, members) => members.find((m) => m.instance === instance)?.instance,
};

export function demoMode(cloud: DemoCloud): CloudMode {
  return cloud === 'aws' ? awsEip : gcpAliasIp;
}
