/**
 * eip: the Elastic IP allocation is associated with this node's ENI (EC2 API Reference:
 * AssociateAddress, DescribeAddresses, DisassociateAddress). AllowReassociation moves it from
 * whoever has it in one request, so a retried request (a response lost after EC2 applied it,
 * REFERENCE "AWS SDK v3 facts") is harmless. Release disassociates by AssociationId: an
 * association made by another node since our read has another id, so EC2 refuses to drop it
 * (InvalidAssociationID.NotFound) and we never take it away from them.
 */
import type { Address } from '@aws-sdk/client-ec2';
import { ec2 } from '../sdk.js';
import { ProviderError, type ProviderRequest } from '../../../src/ports/vip-provider.js';
import type { CallRequest } from '../../common/cloud-call.js';
import { recordsFromTags, swallowDryRun } from '../fence-tags.js';
import { errorCode } from '../classify.js';
import type { Identity } from '../session.js';
import type { AwsMode, DryRunCheck, ModeContext, Observation } from './mode.js';

interface EipObservation extends Observation {
  readonly associationId: string | undefined;
}

/** A placeholder for DryRun of DisassociateAddress while nothing is associated (permission is checked first). */
const NO_ASSOCIATION = 'eipassoc-00000000000000000';

export class EipMode implements AwsMode<EipObservation> {
  readonly alwaysRecord = false;
  readonly perNodeKey = true;

  constructor(private readonly allocationId: string, private readonly privateIp: string | undefined) {}

  subject(id: Identity): string {
    return `${this.allocationId} to ${id.eniId}${this.privateIp ? ` (${this.privateIp})` : ''}`;
  }

  fenceResources(): readonly string[] {
    return [this.allocationId];
  }

  async read(ctx: ModeContext, req: CallRequest): Promise<EipObservation> {
    const a = await this.describe(ctx, req);
    const held = a.NetworkInterfaceId === ctx.id.eniId && (this.privateIp === undefined || a.PrivateIpAddress === this.privateIp);
    const where = a.NetworkInterfaceId ? `${a.NetworkInterfaceId}${a.PrivateIpAddress ? ` (${a.PrivateIpAddress})` : ''}${a.InstanceId ? ` of ${a.InstanceId}` : ''}` : undefined;
    return {
      held,
      anyOurs: a.NetworkInterfaceId === ctx.id.eniId,
      detail: `${this.allocationId} (${a.PublicIp ?? '?'}) ${where ? `is associated with ${where}` : 'is not associated'}`,
      ...(where ? { holder: a.InstanceId ?? a.NetworkInterfaceId } : {}),
      fences: recordsFromTags(a.Tags, ctx.group),
      associationId: a.AssociationId,
    };
  }

  async take(ctx: ModeContext, req: ProviderRequest): Promise<void> {
    try {
      await ctx.session.send('AssociateAddress', this.subject(ctx.id), [this.allocationId, ctx.id.eniId], req, (c, signal) =>
        c.send(new (ec2().AssociateAddressCommand)(this.associateInput(ctx, false)), { abortSignal: signal }),
      );
    } catch (err) {
      // With AllowReassociation EC2 should never say this; if it does, the address may well be ours already.
      if (!(err instanceof ProviderError) || errorCode(err.cause) !== 'Resource.AlreadyAssociated') throw err;
      const now = await this.read(ctx, req);
      if (!now.held) throw err;
    }
  }

  async drop(ctx: ModeContext, req: ProviderRequest, obs: EipObservation): Promise<void> {
    if (!obs.anyOurs || !obs.associationId) return;
    const associationId = obs.associationId;
    try {
      await ctx.session.send('DisassociateAddress', `${this.allocationId} from ${ctx.id.eniId} (${associationId})`, [this.allocationId], req, (c, signal) =>
        c.send(new (ec2().DisassociateAddressCommand)({ AssociationId: associationId }), { abortSignal: signal }),
      );
    } catch (err) {
      // Moved since our read (a new association has a new id): not ours to drop any more.
      if (err instanceof ProviderError && errorCode(err.cause) === 'InvalidAssociationID.NotFound') return;
      throw err;
    }
  }

  async preflight(ctx: ModeContext, req: CallRequest): Promise<readonly DryRunCheck[]> {
    const a = await this.describe(ctx, req);
    const associationId = a.AssociationId ?? NO_ASSOCIATION;
    return [
      {
        action: 'AssociateAddress',
        resources: [this.allocationId, ctx.id.eniId],
        send: (session, r) => session.send('AssociateAddress', this.subject(ctx.id), [this.allocationId, ctx.id.eniId], r, (c, signal) =>
          c.send(new (ec2().AssociateAddressCommand)(this.associateInput(ctx, true)), { abortSignal: signal }).then(() => undefined, swallowDryRun)),
      },
      {
        action: 'DisassociateAddress',
        resources: [this.allocationId],
        send: (session, r) => session.send('DisassociateAddress', `${this.allocationId} (${associationId})`, [this.allocationId], r, (c, signal) =>
          c.send(new (ec2().DisassociateAddressCommand)({ AssociationId: associationId, DryRun: true }), { abortSignal: signal }).then(() => undefined, swallowDryRun)),
      },
    ];
  }

  private associateInput(ctx: ModeContext, dryRun: boolean) {
    return {
      AllocationId: this.allocationId,
      NetworkInterfaceId: ctx.id.eniId,
      ...(this.privateIp ? { PrivateIpAddress: this.privateIp } : {}),
      AllowReassociation: true,
      ...(dryRun ? { DryRun: true } : {}),
    };
  }

  private async describe(ctx: ModeContext, req: CallRequest): Promise<Address> {
    const out = await ctx.session.send('DescribeAddresses', this.allocationId, [this.allocationId], req, (c, signal) =>
      c.send(new (ec2().DescribeAddressesCommand)({ AllocationIds: [this.allocationId] }), { abortSignal: signal }),
    );
    const a = out.Addresses?.find((x) => x.AllocationId === this.allocationId);
    if (!a) {
      throw new ProviderError('DescribeAddresses', this.allocationId, 'not-found', {
        detail: `no Elastic IP allocation ${this.allocationId} in region ${ctx.id.region}`,
        hint: 'check allocation_id, and the region (set region / AWS_REGION)',
      });
    }
    return a;
  }
}
