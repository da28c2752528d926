/**
 * route: in each listed route table, each CIDR block routes to this node's ENI (EC2 API
 * Reference: ReplaceRoute, CreateRoute, DescribeRouteTables). ReplaceRoute when the route
 * exists, CreateRoute when it does not (InvalidRoute.NotFound), and the other way round when
 * another node raced us (RouteAlreadyExists). The fence record is a tag on each table.
 *
 * Held means: every route targets our ENI **and** this node has not released it (our record on
 * the table is not a released one). Release leaves the routes in place and marks the record
 * released; the next master's ReplaceRoute moves them. README.md "route: release" says why a
 * route is never deleted (DeleteRoute is unconditional, and EC2's reads are eventually
 * consistent: a release could delete the route a new master had just pointed at itself).
 */
import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { ec2 } from '../sdk.js';
import { ProviderError, type ProviderRequest } from '../../../src/ports/vip-provider.js';
import type { FenceRecord } from '../../common/fence.js';
import type { CallRequest } from '../../common/cloud-call.js';
import { errorCode } from '../classify.js';
import { recordsFromTags, swallowDryRun } from '../fence-tags.js';
import type { Ec2Session, Identity } from '../session.js';
import type { AwsMode, DryRunCheck, ModeContext, Observation } from './mode.js';

interface RouteSlot {
  readonly table: string;
  readonly cidr: string;
  /** The route's target ENI; undefined when the route is absent or targets something else. */
  readonly eni: string | undefined;
  readonly exists: boolean;
  /** Target text for the detail ("eni-…", "igw-…", "blackhole"). */
  readonly target: string | undefined;
}

interface RouteObservation extends Observation {
  readonly slots: readonly RouteSlot[];
}

const ipv6 = (cidr: string) => cidr.includes(':');
const destination = (cidr: string) => (ipv6(cidr) ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr });

/** Whether the table's record says this node released it. */
export function releasedBy(record: FenceRecord | undefined, node: string): boolean {
  return record !== undefined && record.released && record.node === node;
}

export class RouteMode implements AwsMode<RouteObservation> {
  /** The record is what tells a held route from a released one: kept also for unfenced groups. */
  readonly alwaysRecord = true;
  readonly perNodeKey = true;

  constructor(private readonly tables: readonly string[], private readonly cidrs: readonly string[]) {}

  subject(id: Identity): string {
    return `routes to ${this.cidrs.join(', ')} in ${this.tables.join(', ')} via ${id.eniId}`;
  }

  fenceResources(): readonly string[] {
    return this.tables;
  }

  async read(ctx: ModeContext, req: CallRequest): Promise<RouteObservation> {
    const tables = await this.describe(ctx, req);
    const slots: RouteSlot[] = [];
    const fences: FenceRecord[] = [];
    const released = new Set<string>();
    for (const t of tables) {
      const id = t.RouteTableId ?? '';
      const records = recordsFromTags(t.Tags, ctx.group);
      fences.push(...records);
      if (releasedBy(records.find((r) => r.node === ctx.nodeId), ctx.nodeId)) released.add(id);
      for (const cidr of this.cidrs) {
        const r = t.Routes?.find((x) => (ipv6(cidr) ? x.DestinationIpv6CidrBlock : x.DestinationCidrBlock) === cidr);
        slots.push({ table: id, cidr, eni: r?.NetworkInterfaceId, exists: r !== undefined, target: r ? targetOf(r) : undefined });
      }
    }
    const ours = slots.filter((s) => s.eni === ctx.id.eniId && !released.has(s.table));
    const others = slots.filter((s) => s.eni !== ctx.id.eniId);
    const held = ours.length === slots.length;
    const detail = held
      ? `${slots.length} route(s) target ${ctx.id.eniId}`
      : [
          ...others.map((s) => `${s.cidr} in ${s.table} ${s.exists ? `targets ${s.target ?? '?'}` : 'is absent'}`),
          ...[...released].map((t) => `${t}: released by ${ctx.nodeId} (routes left in place for the next master)`),
        ].join('; ');
    const holders = new Set(slots.map((s) => s.eni).filter((e): e is string => e !== undefined));
    return { held, anyOurs: ours.length > 0, detail, ...(holders.size === 1 ? { holder: [...holders][0]! } : {}), fences, slots };
  }

  /** Points every route that is not ours at our ENI; a released one of ours needs only the new record (provider.ts). */
  async take(ctx: ModeContext, req: ProviderRequest, obs: RouteObservation): Promise<void> {
    for (const slot of obs.slots) {
      if (slot.eni === ctx.id.eniId) continue;
      await this.point(ctx, req, slot.table, slot.cidr, slot.exists);
    }
  }

  /** Nothing to send here: the routes stay, and provider.ts marks our record released. */
  async drop(): Promise<void> {}

  async preflight(ctx: ModeContext, req: CallRequest): Promise<readonly DryRunCheck[]> {
    await this.describe(ctx, req);
    const checks: DryRunCheck[] = [];
    const cidr = this.cidrs[0]!;
    for (const table of this.tables) {
      const target = { RouteTableId: table, ...destination(cidr), NetworkInterfaceId: ctx.id.eniId, DryRun: true };
      checks.push(
        { action: 'ReplaceRoute', resources: [table], send: (s, r) => s.send('ReplaceRoute', `route to ${cidr} in ${table}`, [table], r, (c, signal) => c.send(new (ec2().ReplaceRouteCommand)(target), { abortSignal: signal }).then(() => undefined, swallowDryRun)) },
        { action: 'CreateRoute', resources: [table], send: (s, r) => s.send('CreateRoute', `route to ${cidr} in ${table}`, [table], r, (c, signal) => c.send(new (ec2().CreateRouteCommand)(target), { abortSignal: signal }).then(() => undefined, swallowDryRun)) },
      );
    }
    return checks;
  }

  private async point(ctx: ModeContext, req: ProviderRequest, table: string, cidr: string, exists: boolean): Promise<void> {
    const subject = `route to ${cidr} in ${table} via ${ctx.id.eniId}`;
    const input = { RouteTableId: table, ...destination(cidr), NetworkInterfaceId: ctx.id.eniId };
    const replace = (s: Ec2Session) => s.send('ReplaceRoute', subject, [table], req, (c, signal) => c.send(new (ec2().ReplaceRouteCommand)(input), { abortSignal: signal }));
    const create = (s: Ec2Session) => s.send('CreateRoute', subject, [table], req, (c, signal) => c.send(new (ec2().CreateRouteCommand)(input), { abortSignal: signal }));
    const code = (err: unknown) => (err instanceof ProviderError ? errorCode(err.cause) : '');
    try {
      await (exists ? replace(ctx.session) : create(ctx.session));
    } catch (err) {
      // Deleted or created by someone else since our read (or our own lost response).
      if (exists && code(err) === 'InvalidRoute.NotFound') await create(ctx.session);
      else if (!exists && code(err) === 'RouteAlreadyExists') await replace(ctx.session);
      else throw err;
    }
  }

  private async describe(ctx: ModeContext, req: CallRequest): Promise<RouteTable[]> {
    const out = await ctx.session.send('DescribeRouteTables', this.tables.join(', '), this.tables, req, (c, signal) =>
      c.send(new (ec2().DescribeRouteTablesCommand)({ RouteTableIds: [...this.tables] }), { abortSignal: signal }),
    );
    const found = out.RouteTables ?? [];
    const missing = this.tables.filter((t) => !found.some((x) => x.RouteTableId === t));
    if (missing.length > 0) {
      throw new ProviderError('DescribeRouteTables', missing.join(', '), 'not-found', {
        detail: `no route table ${missing.join(', ')} in region ${ctx.id.region}`,
        hint: 'check route_tables, and the region (set region / AWS_REGION)',
      });
    }
    return this.tables.map((t) => found.find((x) => x.RouteTableId === t)!);
  }
}

function targetOf(r: Route): string {
  if (r.State === 'blackhole') return `blackhole (was ${r.NetworkInterfaceId ?? r.InstanceId ?? '?'})`;
  return r.NetworkInterfaceId ?? r.GatewayId ?? r.NatGatewayId ?? r.TransitGatewayId ?? r.VpcPeeringConnectionId ?? r.InstanceId ?? 'another target';
}
