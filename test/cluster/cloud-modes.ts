/**
 * Every cloud provider mode as the multi-process tests run it against the fakes: the demo's two
 * (AWS eip, GCP alias-ip; src/cli/cloud-demo-modes.ts) and the other four. Addresses only from
 * the documentation ranges: VPC/subnet 198.51.100.x, routed VIPs 192.0.2.x, public 203.0.113.x.
 */
import type { CloudMode } from '../../src/cli/cloud-mode.js';
import {
  awsEip,
  ec2Caller,
  ec2Env,
  ec2InstanceFor,
  ec2World,
  eniOf,
  gceEnv,
  gceInstanceFor,
  gceProviderLines,
  gceWorld,
  gcpAliasIp,
} from '../../src/cli/cloud-demo-modes.js';

const SECONDARY_VIP = '198.51.100.50';
const ROUTED_VIP = '192.0.2.50/32';
const ROUTE_TABLE = 'rtb-0c0d0000000000001';

const awsSecondaryIp: CloudMode = {
  name: 'aws secondary-ip',
  fake: 'ec2',
  resource: `secondary private IP ${SECONDARY_VIP}`,
  vips: [`${SECONDARY_VIP}/32`],
  instanceFor: ec2InstanceFor,
  bindsLocally: true,
  world: (members) => ec2World(members),
  env: ec2Env,
  groupLines: () => ['    provider:', '      type: aws', '      mode: secondary-ip'],
  async holders(fake) {
    const owner = await fake.control<{ instanceId: string } | null>('secondaryIpOwner', { ip: SECONDARY_VIP });
    return owner ? [owner.instanceId] : [];
  },
  async moveBehindVipd(fake, to) {
    await fake.control('moveSecondaryIp', { ip: SECONDARY_VIP, eniId: to ? eniOf(to) : null });
  },
  caller: (_fake, key, members) => ec2Caller(key, members),
};

const awsRoute: CloudMode = {
  name: 'aws route',
  fake: 'ec2',
  resource: `route ${ROUTED_VIP} in ${ROUTE_TABLE}`,
  vips: [ROUTED_VIP],
  instanceFor: ec2InstanceFor,
  bindsLocally: false,
  releaseLeavesIt: 'DeleteRoute is unconditional: a release marks the fence record released and leaves the route',
  world: (members) => ec2World(members, { routeTables: [{ routeTableId: ROUTE_TABLE }] }),
  env: ec2Env,
  groupLines: () => ['    provider:', '      type: aws', '      mode: route', `      route_tables: [${ROUTE_TABLE}]`],
  async holders(fake) {
    const target = await fake.control<{ instanceId?: string } | null>('routeTarget', { routeTableId: ROUTE_TABLE, cidr: ROUTED_VIP });
    return target?.instanceId ? [target.instanceId] : [];
  },
  async moveBehindVipd(fake, to) {
    await fake.control('setRoute', { routeTableId: ROUTE_TABLE, cidr: ROUTED_VIP, eniId: to ? eniOf(to) : null });
  },
  caller: (_fake, key, members) => ec2Caller(key, members),
};

const EXTERNAL = { name: 'vipd-web-ip', region: 'us-central1', address: '203.0.113.20' };

const gcpExternalIp: CloudMode = {
  name: 'gcp external-ip',
  fake: 'gcp',
  resource: `static external address ${EXTERNAL.address} (${EXTERNAL.name})`,
  vips: [ROUTED_VIP],
  instanceFor: gceInstanceFor,
  bindsLocally: false,
  world: (members) => gceWorld(members, { addresses: [EXTERNAL] }),
  env: (fake, member) => gceEnv(fake, member),
  groupLines: (fake, member, members) => [...gceProviderLines(fake, 'external-ip', member, members), `      address: ${EXTERNAL.name}`],
  async holders(fake) {
    const owner = await fake.control<{ instance: string } | null>('externalOwner', { address: EXTERNAL.address });
    return owner ? [owner.instance] : [];
  },
  async moveBehindVipd(fake, to) {
    await fake.control('moveExternal', { address: EXTERNAL.address, toInstance: to?.instance ?? null });
  },
  caller: (_fake, instance, members) => members.find((m) => m.instance === instance)?.instance,
};

const gcpRoute: CloudMode = {
  name: 'gcp route',
  fake: 'gcp',
  resource: `route ${ROUTED_VIP}`,
  vips: [ROUTED_VIP],
  instanceFor: gceInstanceFor,
  bindsLocally: false,
  world: (members) => gceWorld(members),
  env: (fake, member) => gceEnv(fake, member),
  groupLines: (fake, member, members) => [...gceProviderLines(fake, 'route', member, members), '      network: default'],
  async holders(fake) {
    const routes = await fake.control<{ destRange: string; nextHopInstance?: string }[]>('routes');
    return routes.filter((r) => r.destRange === ROUTED_VIP && r.nextHopInstance).map((r) => r.nextHopInstance as string);
  },
  async moveBehindVipd(fake, to) {
    if (to) throw new Error('gcp route: the fake moves a route only to nobody (deleteRoute)');
    const routes = await fake.control<{ name: string; destRange: string }[]>('routes');
    for (const r of routes.filter((x) => x.destRange === ROUTED_VIP)) await fake.control('deleteRoute', { name: r.name });
  },
  caller: (_fake, instance, members) => members.find((m) => m.instance === instance)?.instance,
};

export const CLOUD_MODES: readonly CloudMode[] = [awsEip, awsSecondaryIp, awsRoute, gcpAliasIp, gcpExternalIp, gcpRoute];

export function cloudMode(name: string): CloudMode {
  const m = CLOUD_MODES.find((x) => x.name === name);
  if (!m) throw new Error(`no cloud mode ${name} (have ${CLOUD_MODES.map((x) => x.name).join(', ')})`);
  return m;
}
