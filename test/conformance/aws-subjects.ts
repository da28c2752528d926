/**
 * Subjects for the aws provider's conformance and convergence runs: one EC2 fake
 * (test/fakes/ec2) per subject with two instances ("self" and "rival", or "a" and "b") and the
 * resource of the mode, and a provider for each instance built the way the plugin builds it.
 */
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { Clock } from '../../src/ports/clock.js';
import type { ProviderGroup } from '../../providers/common/plugin.js';
import { awsSchema, createAwsProvider, type AwsModeName, type AwsProvider, type AwsProviderComponents } from '../../providers/aws/index.js';
import { startEc2Fake, type Ec2Fake, type Ec2FakeOptions } from '../fakes/ec2/index.js';
import { silentLogger } from '../fakes/silent-logger.js';
import { parseFence } from '../../providers/common/fence.js';
import { fenceTagKey } from '../../providers/aws/index.js';
import { releasedBy } from '../../providers/aws/modes/route.js';

export const VIP = '198.51.100.50';
export const PUBLIC_IP = '203.0.113.10';
export const ROUTE_CIDR = '192.0.2.50/32';
export const GROUP = 'web';

export interface AwsWorld {
  readonly fake: Ec2Fake;
  readonly mode: AwsModeName;
  /** The mode's resource: allocation id, or route table id; the VIP for secondary-ip. */
  readonly resource: string;
  readonly nodes: readonly { readonly name: string; readonly instanceId: string; readonly eniId: string }[];
  readonly vip: string;
  /** Which node holds the resource, from the fake's state. */
  holderOf(): string | undefined;
  /** Moves the resource behind vipd's back (the fence tag stays). */
  move(to: string | undefined): void;
}

export interface WorldOptions extends Ec2FakeOptions {
  readonly nodes?: readonly string[];
  /** The group's VIP (secondary-ip moves it; default VIP). */
  readonly vip?: string;
}

export async function startWorld(mode: AwsModeName, opts: WorldOptions = {}): Promise<AwsWorld> {
  const fake = await startEc2Fake({ apiLatencyMs: 0, ...opts });
  const names = opts.nodes ?? ['self', 'rival'];
  const vip = opts.vip ?? VIP;
  const nodes = names.map((name, i) => {
    const inst = fake.addInstance({ enis: [{ privateIp: `198.51.100.${10 + i}` }] });
    return { name, instanceId: inst.instanceId, eniId: inst.enis[0]!.eniId };
  });
  const eniOf = (name: string | undefined) => nodes.find((n) => n.name === name)?.eniId;
  const nameOf = (eni: string | undefined) => nodes.find((n) => n.eniId === eni)?.name;
  let resource: string;
  let holderOf: () => string | undefined;
  let move: (to: string | undefined) => void;
  switch (mode) {
    case 'eip': {
      resource = fake.addAddress({ publicIp: PUBLIC_IP }).allocationId;
      holderOf = () => nameOf(fake.addressOwner(resource)?.eniId);
      move = (to) => fake.moveAddress(resource, eniOf(to));
      break;
    }
    case 'route': {
      resource = fake.addRouteTable({}).routeTableId;
      // A route its target node has released (its own fence record on the table says so) is held by nobody (providers/aws/README.md).
      holderOf = () => {
        const target = nameOf(fake.routeTarget(resource, ROUTE_CIDR)?.eniId);
        return target !== undefined && releasedBy(parseFence(fake.tagsOf(resource)[fenceTagKey(GROUP, target)]), target) ? undefined : target;
      };
      move = (to) => fake.setRoute(resource, ROUTE_CIDR, eniOf(to));
      break;
    }
    case 'secondary-ip': {
      resource = vip;
      holderOf = () => nameOf(fake.secondaryIpOwner(vip)?.eniId);
      move = (to) => fake.moveSecondaryIp(vip, eniOf(to));
      break;
    }
  }
  return { fake, mode, resource, nodes, vip, holderOf, move };
}

export interface ProviderSetup {
  readonly reassertIntervalMs?: number;
  readonly requestTimeout?: string;
  readonly fenced?: boolean;
  readonly components?: AwsProviderComponents;
  /** Extra or replaced fields of the provider mapping. */
  readonly raw?: Record<string, unknown>;
  readonly iface?: string;
  readonly vipPrefix?: number;
  /** Default the system clock. */
  readonly clock?: Clock;
}

/** The provider of node `name`, configured as a user would (region, eni_id, endpoint; credentials from the fake). */
export function providerFor(world: AwsWorld, name: string, setup: ProviderSetup = {}): AwsProvider {
  const node = world.nodes.find((n) => n.name === name);
  if (!node) throw new Error(`no node ${name}`);
  const modeFields = world.mode === 'eip' ? { allocation_id: world.resource } : world.mode === 'route' ? { route_tables: [world.resource], cidrs: [ROUTE_CIDR] } : {};
  const raw = awsSchema.parse({
    type: 'aws',
    mode: world.mode,
    region: world.fake.region,
    eni_id: node.eniId,
    instance_id: node.instanceId,
    endpoint: world.fake.endpoint,
    request_timeout: setup.requestTimeout ?? '2s',
    ...modeFields,
    ...setup.raw,
  });
  const group: ProviderGroup = {
    name: GROUP,
    interface: setup.iface ?? 'eth0',
    vips: [{ address: world.vip, prefixLength: setup.vipPrefix ?? 24, family: 4 }],
    fenced: setup.fenced ?? true,
    reassertIntervalMs: setup.reassertIntervalMs ?? 10_000,
    configDir: '.',
  };
  const deps = { nodeId: name, clock: setup.clock ?? systemClock, logger: silentLogger, metrics: new MetricsRegistry(), env: {} };
  return createAwsProvider(raw, group, deps, { credentials: async () => world.fake.credentials, ...setup.components });
}

export const MUTATING = new Set(['AssociateAddress', 'DisassociateAddress', 'AssignPrivateIpAddresses', 'UnassignPrivateIpAddresses', 'ReplaceRoute', 'CreateRoute', 'DeleteRoute', 'CreateTags', 'DeleteTags']);
