/**
 * Mode `alias-ip`: moves alias IP ranges between the interfaces of the members
 * (https://cloud.google.com/vpc/docs/alias-ip). An interface's alias ranges change only through
 * instances.updateNetworkInterface with the interface's current fingerprint (a stale one is
 * refused with 412 and re-read here), and a range can be on one interface of the subnet at a
 * time, so a move is: remove it from the holder, wait for that zonal operation, add it here,
 * wait. The holder is found among `instances` (or every instance of this zone).
 */
import type { ProviderRequest, StatusReport } from '../../src/ports/vip-provider.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { CallRequest } from '../common/cloud-call.js';
import { isStaleFingerprint } from './classify.js';
import type { Instance, InstanceRef, NetworkInterface } from './compute.js';
import { interfaceOf, sameInstance, wait, type ModeContext } from './context.js';
import { assertFence, checkFences, FINGERPRINT_RETRIES, readFence, refreshAfterMove, releaseFence } from './fencing.js';
import type { GcpMode } from './mode.js';
import type { AliasIpOptions } from './schema.js';

type AliasRange = NonNullable<NetworkInterface['aliasIpRanges']>[number];

/** Compute reports "198.51.100.10/32"; a bare address means /32. */
function canonicalRange(range: string | null | undefined): string {
  const r = range ?? '';
  return r.includes('/') ? r : `${r}/32`;
}

export class AliasIpMode implements GcpMode {
  private readonly ranges: readonly string[];

  constructor(
    private readonly m: ModeContext,
    private readonly options: AliasIpOptions,
  ) {
    this.ranges = options.aliasRanges ?? m.group.vips.map((v) => `${v.address}/32`);
  }

  describe(): string {
    return `alias range ${this.ranges.join(', ')} on ${this.m.nic} of ${this.m.self.name}`;
  }

  async preflight(req: CallRequest): Promise<void> {
    const self = await this.m.api.getInstance(this.m.self, req);
    interfaceOf(this.m, self, this.m.self);
    for (const ref of this.members()) await this.m.api.getInstance(ref, req);
    if (this.members().length === 0) await this.m.api.listInstances(this.m.self.zone, req);
  }

  async status(req: CallRequest): Promise<StatusReport> {
    const self = await this.m.api.getInstance(this.m.self, req);
    const carried = this.carried(interfaceOf(this.m, self, this.m.self));
    if (carried.length === this.ranges.length) return { status: 'held', detail: `${this.describe()}`, holder: this.m.self.name };
    const detail = carried.length === 0 ? `${this.ranges.join(', ')} not on ${this.m.nic} of ${this.m.self.name}` : `only ${carried.join(', ')} of ${this.ranges.join(', ')} on ${this.m.nic} of ${this.m.self.name}`;
    return { status: 'not-held', detail };
  }

  async acquire(req: ProviderRequest): Promise<void> {
    const self = await this.m.api.getInstance(this.m.self, req);
    const held = this.carried(interfaceOf(this.m, self, this.m.self)).length === this.ranges.length;
    if (held && !req.fenced) return;
    const others = await this.readOthers(req);
    // Also when held (an operator may have handed it to a cut-off old master): a fresh higher
    // term elsewhere refuses before we write anything.
    checkFences(this.m, others.map((o) => readFence(o.instance, this.m.group.name)), req, 'taking', this.describe());
    const fencedAt = await assertFence(this.m, self, req);
    if (held) return; // the record is refreshed; nothing to move
    for (const other of others) {
      if (this.carriedBy(other.instance).length > 0) await this.removeFrom(other.ref, other.instance, req);
    }
    await this.addHere(req, self);
    await refreshAfterMove(this.m, req, fencedAt);
  }

  async release(req: ProviderRequest): Promise<void> {
    const self = await this.m.api.getInstance(this.m.self, req);
    if (this.carried(interfaceOf(this.m, self, this.m.self)).length > 0) await this.removeFrom(this.m.self, self, req);
    // updateNetworkInterface leaves the metadata fingerprint alone; a 412 would re-read anyway.
    await releaseFence(this.m, self, req);
  }

  /** The other members, or every other instance of this zone when none are configured. */
  private members(): readonly InstanceRef[] {
    return this.m.members.filter((r) => !sameInstance(r, this.m.self));
  }

  private async readOthers(req: CallRequest): Promise<{ ref: InstanceRef; instance: Instance }[]> {
    if (this.members().length === 0) {
      const all = await this.m.api.listInstances(this.m.self.zone, req);
      return all.filter((i) => i.name !== this.m.self.name).map((instance) => ({ ref: { zone: this.m.self.zone, name: instance.name ?? '' }, instance }));
    }
    const read = await Promise.all(this.members().map(async (ref) => {
      try {
        return { ref, instance: await this.m.api.getInstance(ref, req) };
      } catch (err) {
        // A member deleted or not yet created holds nothing; anything else stops the move.
        if (err instanceof ProviderError && err.errorClass === 'not-found') return undefined;
        throw err;
      }
    }));
    return read.filter((r): r is { ref: InstanceRef; instance: Instance } => r !== undefined);
  }

  /** Removes our ranges from the instance's interfaces that carry them; 412 re-reads. */
  private async removeFrom(ref: InstanceRef, first: Instance, req: ProviderRequest): Promise<void> {
    let instance = first;
    for (let n = 1; ; n++) {
      const nics = (instance.networkInterfaces ?? []).filter((nic) => this.carried(nic).length > 0);
      if (nics.length === 0) return;
      try {
        for (const nic of nics) {
          const keep = (nic.aliasIpRanges ?? []).filter((r) => !this.ranges.includes(canonicalRange(r.ipCidrRange)));
          const op = await this.m.api.updateNetworkInterface(ref, nic.name ?? '', { aliasIpRanges: keep, fingerprint: nic.fingerprint ?? null }, `removing ${this.ranges.join(', ')} from ${ref.name}`, req);
          await wait(this.m, op, 'compute.instances.updateNetworkInterface', `${nic.name ?? ''} of ${this.m.api.instanceName(ref)}`, req);
        }
        return;
      } catch (err) {
        if (!isStaleFingerprint(err) || n >= FINGERPRINT_RETRIES) throw err;
        instance = await this.m.api.getInstance(ref, req);
        // The first read was stale: judge the holder's record again on the fresh one.
        checkFences(this.m, [readFence(instance, this.m.group.name)], req, 'taking', this.describe());
      }
    }
  }

  /** Adds the missing ranges to our interface; 412 re-reads. */
  private async addHere(req: CallRequest, first: Instance): Promise<void> {
    for (let n = 1; ; n++) {
      // The interface's fingerprint from the first read is current unless someone changed it (412).
      const self = n === 1 ? first : await this.m.api.getInstance(this.m.self, req);
      const nic = interfaceOf(this.m, self, this.m.self);
      const have = new Set(this.carried(nic));
      const missing = this.ranges.filter((r) => !have.has(r));
      if (missing.length === 0) return;
      const add: AliasRange[] = missing.map((ipCidrRange) => ({ ipCidrRange, ...(this.options.subnetworkRangeName ? { subnetworkRangeName: this.options.subnetworkRangeName } : {}) }));
      try {
        const op = await this.m.api.updateNetworkInterface(this.m.self, this.m.nic, { aliasIpRanges: [...(nic.aliasIpRanges ?? []), ...add], fingerprint: nic.fingerprint ?? null }, `adding ${missing.join(', ')} to ${this.m.self.name}`, req);
        await wait(this.m, op, 'compute.instances.updateNetworkInterface', `${this.m.nic} of ${this.m.api.instanceName(this.m.self)}`, req);
        return;
      } catch (err) {
        if (!isStaleFingerprint(err) || n >= FINGERPRINT_RETRIES) throw err;
      }
    }
  }


  /** Which of our ranges this interface carries. */
  private carried(nic: NetworkInterface): string[] {
    const on = new Set((nic.aliasIpRanges ?? []).map((r) => canonicalRange(r.ipCidrRange)));
    return this.ranges.filter((r) => on.has(r));
  }

  private carriedBy(instance: Instance): string[] {
    return (instance.networkInterfaces ?? []).flatMap((nic) => this.carried(nic));
  }
}
