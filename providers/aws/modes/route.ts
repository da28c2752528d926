/**
 * route: in each listed route table, each CIDR block routes to this node's ENI (EC2 API
 * Reference: ReplaceRoute, CreateRoute, DeleteRoute, DescribeRouteTables). ReplaceRoute when the
 * route exists, CreateRoute when it does not (InvalidRoute.NotFound), and the other way round
 * when another node raced us (RouteAlreadyExists). The fence record is a tag on each table.
 *
 * Release deletes only routes that still target our ENI, and only when no other node has
 * claimed the table since (its fence record); README.md "route: release" says why a route is
 * deleted at all and how the race with a new master is closed.
 */
import type { Route, RouteTable } from '@aws-sdk/client-ec2';
import { ec2 } from '../sdk.js';
import { ProviderError, type ProviderRequest } from '../../../src/ports/vip-provider.js';
import { FENCE_TTL_FACTOR, type FenceRecord } from '../../shared/fence.js';
import type { CallRequest } from '../../shared/cloud-call.js';
import { errorCode } from '../classify.js';
import { fenceFromTags, swallowDryRun } from '../fence-tags.js';
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
  readonly fences: ReadonlyMap<string, FenceRecord | undefined>;
}

const ipv6 = (cidr: string) => cidr.includes(':');
const destination = (cidr: string) => (ipv6(cidr) ? { DestinationIpv6CidrBlock: cidr } : { DestinationCidrBlock: cidr });

export class RouteMode implements AwsMode<RouteObservation> {
  /** Claim the tables before replacing: a releasing old master reads the claim and leaves the route alone. */
  readonly claimFirst = true;

  constructor(
    private readonly tables: readonly string[],
    private readonly cidrs: readonly string[],
    private readonly reassertIntervalMs: number,
    private readonly wallClock: () => number,
  ) {}

  subject(id: Identity): string {
    return `routes to ${this.cidrs.join(', ')} in ${this.tables.join(', ')} via ${id.eniId}`;
  }

  fenceResources(): readonly string[] {
    return this.tables;
  }

  async read(ctx: ModeContext, req: CallRequest): Promise<RouteObservation> {
    const tables = await this.describe(ctx, req);
    const slots: RouteSlot[] = [];
    const fences = new Map<string, FenceRecord | undefined>();
    for (const t of tables) {
      const id = t.RouteTableId ?? '';
      fences.set(id, fenceFromTags(t.Tags, ctx.fenceKey));
      for (const cidr of this.cidrs) {
        const r = t.Routes?.find((x) => (ipv6(cidr) ? x.DestinationIpv6CidrBlock : x.DestinationCidrBlock) === cidr);
        slots.push({ table: id, cidr, eni: r?.NetworkInterfaceId, exists: r !== undefined, target: r ? targetOf(r) : undefined });
      }
    }
    const ours = slots.filter((s) => s.eni === ctx.id.eniId);
    const others = slots.filter((s) => s.eni !== ctx.id.eniId);
    const held = others.length === 0;
    // The guarding record: the freshest unreleased one among the tables (they are written together).
    const fence = [...fences.values()].filter((f): f is FenceRecord => f !== undefined).sort((a, b) => b.term - a.term || b.atMs - a.atMs)[0];
    const detail = held
      ? `${slots.length} route(s) target ${ctx.id.eniId}`
      : others.map((s) => `${s.cidr} in ${s.table} ${s.exists ? `targets ${s.target ?? '?'}` : 'is absent'}`).join('; ');
    const holders = new Set(slots.map((s) => s.eni).filter((e): e is string => e !== undefined));
    return { held, anyOurs: ours.length > 0, detail, ...(holders.size === 1 ? { holder: [...holders][0]! } : {}), fence, slots, fences };
  }

  async take(ctx: ModeContext, req: ProviderRequest, obs: RouteObservation): Promise<void> {
    for (const slot of obs.slots) {
      if (slot.eni === ctx.id.eniId) continue;
      await this.point(ctx, req, slot.table, slot.cidr, slot.exists);
    }
  }

  async drop(ctx: ModeContext, req: ProviderRequest, obs: RouteObservation): Promise<void> {
    for (const slot of obs.slots) {
      if (slot.eni !== ctx.id.eniId) continue;
      const claim = obs.fences.get(slot.table);
      if (this.claimedByAnother(claim, ctx.nodeId)) continue; // a new master is taking it: leave it to them
      try {
        await ctx.session.send('DeleteRoute', `route to ${slot.cidr} in ${slot.table}`, [slot.table], req, (c, signal) =>
          c.send(new (ec2().DeleteRouteCommand)({ RouteTableId: slot.table, ...destination(slot.cidr) }), { abortSignal: signal }),
        );
      } catch (err) {
        if (err instanceof ProviderError && errorCode(err.cause) === 'InvalidRoute.NotFound') continue;
        throw err;
      }
    }
  }

  async preflight(ctx: ModeContext, req: CallRequest): Promise<readonly DryRunCheck[]> {
    await this.describe(ctx, req);
    const checks: DryRunCheck[] = [];
    const cidr = this.cidrs[0]!;
    for (const table of this.tables) {
      const target = { RouteTableId: table, ...destination(cidr), NetworkInterfaceId: ctx.id.eniId, DryRun: true };
      checks.push(
        { action: 'ReplaceRoute', resources: [table], send: (s, r) => s.send('ReplaceRoute', `route to ${cidr} in ${table}`, [table], r, (c, signal) => c.send(new (ec2().ReplaceRouteCommand)(target), { abortSignal: signal }).then(() => undefined, swallowDryRun)) },
        { action: 'CreateRoute', resources: [table], send: (s, r) => s.send('CreateRoute', `route to ${cidr} in ${table}`, [table], r, (c, signal) => c.send(new (ec2().CreateRouteCommand)(target), { abortSignal: signal }).then(() => undefined, swallowDryRun)) },
        { action: 'DeleteRoute', resources: [table], send: (s, r) => s.send('DeleteRoute', `route to ${cidr} in ${table}`, [table], r, (c, signal) => c.send(new (ec2().DeleteRouteCommand)({ RouteTableId: table, ...destination(cidr), DryRun: true }), { abortSignal: signal }).then(() => undefined, swallowDryRun)) },
      );
    }
    return checks;
  }

  /** Another node's unreleased, fresh record: it claimed the table after us (claimFirst). */
  private claimedByAnother(record: FenceRecord | undefined, self: string): boolean {
    if (!record || record.released || record.node === self) return false;
    return this.wallClock() - record.atMs < FENCE_TTL_FACTOR * this.reassertIntervalMs;
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
