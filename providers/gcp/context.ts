/**
 * What every mode works with once identity is known: the API, this instance, the group, and
 * the fence (providers/gcp/README.md "Fencing").
 */
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { CallContext, CallRequest } from '../common/cloud-call.js';
import type { ProviderGroup } from '../common/plugin.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { ComputeApi, Instance, InstanceRef, NetworkInterface, PendingOperation } from './compute.js';
import { waitOperation } from './operations.js';

export interface Identity {
  readonly project: string;
  readonly zone: string;
  /** The zone's region ("europe-west1-b" → "europe-west1"). */
  readonly region: string;
  readonly instance: string;
  /** Service account email, for hints; undefined when the metadata server did not say. */
  readonly serviceAccount: string | undefined;
}

export interface ModeContext {
  readonly api: ComputeApi;
  readonly identity: Identity;
  readonly self: InstanceRef;
  /** The interface name, e.g. nic0. */
  readonly nic: string;
  readonly group: ProviderGroup;
  /** The holder's name in fence records (ProviderDeps.nodeId). */
  readonly nodeId: string;
  readonly clock: Clock;
  /** Wall-clock ms for fence records. */
  readonly wallNow: () => number;
  readonly logger: Logger;
  /** For fenced() counts (providers/common/cloud-call.ts). */
  readonly callCtx: Omit<CallContext, 'classify'>;
  /** Other members from the config's `instances` ("name" or "zone/name"). */
  readonly members: readonly InstanceRef[];
}

/** The zone's region: everything before the last "-". */
export function regionOf(zone: string): string {
  return zone.slice(0, zone.lastIndexOf('-'));
}

/** "name" → this zone; "zone/name" → that zone. */
export function memberRef(text: string, zone: string): InstanceRef {
  const slash = text.indexOf('/');
  return slash < 0 ? { zone, name: text } : { zone: text.slice(0, slash), name: text.slice(slash + 1) };
}

/** The instance named by a Compute URL or partial URL (…/zones/Z/instances/N). */
export function instanceFromUrl(url: string | null | undefined): InstanceRef | undefined {
  const m = /zones\/([^/]+)\/instances\/([^/?]+)/.exec(url ?? '');
  return m ? { zone: m[1] ?? '', name: m[2] ?? '' } : undefined;
}

export function sameInstance(a: InstanceRef, b: InstanceRef): boolean {
  return a.zone === b.zone && a.name === b.name;
}

/** The partial URL Compute accepts for references (projects/P/zones/Z/instances/N). */
export function instanceUrl(project: string, ref: InstanceRef): string {
  return `projects/${project}/zones/${ref.zone}/instances/${ref.name}`;
}

/** Waits for an operation with the hint of the action that started it. */
export function wait(m: ModeContext, op: PendingOperation, permission: string, resource: string, req: CallRequest): Promise<unknown> {
  return waitOperation(m.api, m.clock, op, { permission, resource, ...(m.identity.serviceAccount !== undefined ? { principal: m.identity.serviceAccount } : {}) }, req);
}

/** The configured interface (network_interface) of an instance; a clear error when it has none. */
export function interfaceOf(m: ModeContext, instance: Instance, ref: InstanceRef): NetworkInterface {
  const nic = instance.networkInterfaces?.find((i) => i.name === m.nic);
  if (!nic) {
    throw new ProviderError('reading', m.api.instanceName(ref), 'invalid', {
      detail: `it has no interface ${m.nic} (it has ${(instance.networkInterfaces ?? []).map((i) => i.name).join(', ') || 'none'})`,
      hint: 'set network_interface to one of its interfaces',
    });
  }
  return nic;
}
