/**
 * secondary-ip: the group's IPv4 VIPs are secondary private addresses of this node's ENI
 * (EC2 API Reference: AssignPrivateIpAddresses with AllowReassignment moves them from another
 * ENI in the subnet; UnassignPrivateIpAddresses) and are bound on the group's interface by the
 * local provider's code, without ARP (the VPC delivers by its own table, not by ARP caches).
 * Each node keeps its fence record on its own ENI (tag vipd:fence:GROUP); a read finds every
 * member's ENI, with its addresses and its record, in one filtered Describe (tag:KEY). So the
 * records are there to read also while the addresses are on no ENI at all (moved away by an
 * operator), and a node only ever writes its own.
 */
import type { NetworkInterface } from '@aws-sdk/client-ec2';
import { ec2 } from '../sdk.js';
import type { ProviderRequest, VipProvider } from '../../../src/ports/vip-provider.js';
import { ProviderError } from '../../../src/ports/vip-provider.js';
import type { CallRequest } from '../../common/cloud-call.js';
import { classifyAws, errorCode } from '../classify.js';
import { recordsFromTags } from '../fence-tags.js';
import type { Identity } from '../session.js';
import { fenceTagKey, type AwsMode, type DryRunCheck, type ModeContext, type Observation } from './mode.js';

interface SecondaryObservation extends Observation {
  /** VIP -> the ENI it is assigned to (absent: on none). */
  readonly assigned: ReadonlyMap<string, string>;
}

export class SecondaryIpMode implements AwsMode<SecondaryObservation> {
  /** The tag is also what makes an ENI a member (read()): written for unfenced groups too. */
  readonly alwaysRecord = true;
  readonly perNodeKey = false;

  /** `local`: the local provider for the group's interface, with announcing off. */
  constructor(private readonly vips: readonly string[], private readonly local: VipProvider, private readonly iface: string) {}

  subject(id: Identity): string {
    return `${this.vips.join(', ')} on ${id.eniId} (${this.iface})`;
  }

  /** Our own ENI: each node's record lives on its own interface. */
  fenceResources(ctx: ModeContext): readonly string[] {
    return [ctx.id.eniId];
  }

  /**
   * One request for all the members' ENIs (those that carry the group's tag), so the holder and
   * the records come from the same answer: with two answers, one stale and one fresh, a cut-off
   * old master could see "on no ENI" and "no newer claim" together and take the addresses back
   * (the convergence suite's race under stale reads). An ENI outside the group holding a VIP is
   * not seen: the VIP counts as on no member's ENI, and a takeover reassigns it all the same.
   */
  async read(ctx: ModeContext, req: CallRequest): Promise<SecondaryObservation> {
    const members = await this.members(ctx, req);
    // Before our first record our ENI carries no tag: read it by id (once per node, in practice).
    const holding = members.some((e) => e.NetworkInterfaceId === ctx.id.eniId) ? members : [...members, ...(await this.own(ctx, req))];
    const assigned = new Map<string, string>();
    for (const eni of holding) {
      for (const a of eni.PrivateIpAddresses ?? []) {
        if (a.PrivateIpAddress && this.vips.includes(a.PrivateIpAddress) && eni.NetworkInterfaceId) assigned.set(a.PrivateIpAddress, eni.NetworkInterfaceId);
      }
    }
    const onUs = this.vips.filter((v) => assigned.get(v) === ctx.id.eniId);
    const local = await this.local.status(req.signal);
    const cloudHeld = onUs.length === this.vips.length;
    const held = cloudHeld && local.status === 'held';
    const other = this.vips.map((v) => assigned.get(v)).find((e) => e !== undefined && e !== ctx.id.eniId);
    const holderEni = other ?? (onUs.length > 0 ? ctx.id.eniId : undefined);
    const parts = this.vips.map((v) => `${v} ${assigned.has(v) ? `on ${assigned.get(v)!}` : 'on no interface'}`);
    return {
      held,
      anyOurs: onUs.length > 0 || local.status !== 'not-held',
      detail: `${parts.join(', ')}; locally: ${local.detail ?? local.status}`,
      ...(holderEni ? { holder: holderEni } : {}),
      fences: holding.flatMap((e) => recordsFromTags(e.TagSet, ctx.group)),
      assigned,
    };
  }

  async take(ctx: ModeContext, req: ProviderRequest, obs: SecondaryObservation): Promise<void> {
    const missing = this.vips.filter((v) => obs.assigned.get(v) !== ctx.id.eniId);
    if (missing.length > 0) {
      await ctx.session.send('AssignPrivateIpAddresses', `${missing.join(', ')} to ${ctx.id.eniId}`, [ctx.id.eniId], req, (c, signal) =>
        c.send(new (ec2().AssignPrivateIpAddressesCommand)({ NetworkInterfaceId: ctx.id.eniId, PrivateIpAddresses: missing, AllowReassignment: true }), { abortSignal: signal }),
      );
    }
    await this.local.acquire(req);
  }

  /** Unbind first (we stop answering), then give back what EC2 still has on our ENI. */
  async drop(ctx: ModeContext, req: ProviderRequest, obs: SecondaryObservation): Promise<void> {
    await this.local.release(req);
    const ours = this.vips.filter((v) => obs.assigned.get(v) === ctx.id.eniId);
    if (ours.length === 0) return;
    try {
      await ctx.session.send('UnassignPrivateIpAddresses', `${ours.join(', ')} from ${ctx.id.eniId}`, [ctx.id.eniId], req, (c, signal) =>
        c.send(new (ec2().UnassignPrivateIpAddressesCommand)({ NetworkInterfaceId: ctx.id.eniId, PrivateIpAddresses: ours }), { abortSignal: signal }),
      );
    } catch (err) {
      // Reassigned to another ENI since our read: EC2 refuses, and it is not ours to give back.
      if (err instanceof ProviderError && /^Invalid(Parameter|ParameterValue|IPAddress)/.test(errorCode(err.cause))) {
        const now = await this.read(ctx, req);
        if (!this.vips.some((v) => now.assigned.get(v) === ctx.id.eniId)) return;
      }
      throw err;
    }
  }

  /**
   * EC2 has no DryRun for these two actions. The probes are requests EC2 always refuses when
   * the permission is there (the ENI's own primary address can be neither assigned again without
   * AllowReassignment nor unassigned), and refuses with UnauthorizedOperation when it is not.
   */
  async preflight(ctx: ModeContext): Promise<readonly DryRunCheck[]> {
    const eni = ctx.id.eniId;
    const primary = ctx.id.primaryIp;
    if (!primary) return [];
    const probe = (action: 'AssignPrivateIpAddresses' | 'UnassignPrivateIpAddresses'): DryRunCheck => ({
      action,
      resources: [eni],
      send: (s, r) => s.send(action, `probe of ${action} on ${eni} with its primary address ${primary}`, [eni], r, (c, signal) => {
        const command = action === 'AssignPrivateIpAddresses'
          ? c.send(new (ec2().AssignPrivateIpAddressesCommand)({ NetworkInterfaceId: eni, PrivateIpAddresses: [primary], AllowReassignment: false }), { abortSignal: signal })
          : c.send(new (ec2().UnassignPrivateIpAddressesCommand)({ NetworkInterfaceId: eni, PrivateIpAddresses: [primary] }), { abortSignal: signal });
        return command.then(() => undefined, refusedButPermitted);
      }),
    });
    return [probe('AssignPrivateIpAddresses'), probe('UnassignPrivateIpAddresses')];
  }

  validateLocal(signal: AbortSignal): Promise<void> {
    return this.local.validate(signal);
  }

  async close(): Promise<void> {
    await this.local.close?.();
  }

  /** The ENIs that carry the group's fence record (a tag filter: any value), with their addresses. */
  private async members(ctx: ModeContext, req: CallRequest): Promise<NetworkInterface[]> {
    const out = await ctx.session.send('DescribeNetworkInterfaces', `ENIs tagged ${fenceTagKey(ctx.group)}`, [], req, (c, signal) =>
      c.send(new (ec2().DescribeNetworkInterfacesCommand)({ Filters: [{ Name: `tag:${fenceTagKey(ctx.group)}`, Values: ['*'] }] }), { abortSignal: signal }),
    );
    return out.NetworkInterfaces ?? [];
  }

  private async own(ctx: ModeContext, req: CallRequest): Promise<NetworkInterface[]> {
    const out = await ctx.session.send('DescribeNetworkInterfaces', ctx.id.eniId, [ctx.id.eniId], req, (c, signal) =>
      c.send(new (ec2().DescribeNetworkInterfacesCommand)({ NetworkInterfaceIds: [ctx.id.eniId] }), { abortSignal: signal }),
    );
    return out.NetworkInterfaces ?? [];
  }
}

/** Any refusal but a missing permission (or bad credentials) means the action is permitted. */
function refusedButPermitted(err: unknown): void {
  const c = classifyAws(err, { action: 'AssignPrivateIpAddresses', resources: [], scope: { region: '', account: undefined } });
  if (c.errorClass !== 'invalid' && c.errorClass !== 'not-found') throw err;
}
