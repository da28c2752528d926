/**
 * Mode `external-ip`: moves a static external IPv4 address between the members through access
 * configs (https://cloud.google.com/compute/docs/ip-addresses/configure-static-external-ip-address).
 * addresses.get tells the address and who uses it; the move is deleteAccessConfig on the
 * holder (wait), then on this interface: delete an ephemeral access config (an interface has at
 * most one IPv4 access config), addAccessConfig with natIP (wait).
 */
import type { ProviderRequest, StatusReport } from '../../src/ports/vip-provider.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { CallRequest } from '../common/cloud-call.js';
import type { Address, Instance, InstanceRef, NetworkInterface } from './compute.js';
import { instanceFromUrl, interfaceOf, sameInstance, wait, type ModeContext } from './context.js';
import { assertFence, checkFences, readFence, refreshAfterMove, releaseFence } from './fencing.js';
import type { GcpMode } from './mode.js';
import type { ExternalIpOptions } from './schema.js';

export class ExternalIpMode implements GcpMode {
  constructor(
    private readonly m: ModeContext,
    private readonly options: ExternalIpOptions,
  ) {}

  describe(): string {
    return `${this.m.api.addressName(this.m.identity.region, this.options.address)} on ${this.m.nic} of ${this.m.self.name}`;
  }

  async preflight(req: CallRequest): Promise<void> {
    const [address, self] = await Promise.all([this.readAddress(req), this.m.api.getInstance(this.m.self, req)]);
    interfaceOf(this.m, self, this.m.self);
    void address;
    for (const ref of this.others()) await this.m.api.getInstance(ref, req);
  }

  async status(req: CallRequest): Promise<StatusReport> {
    const [address, self] = await Promise.all([this.readAddress(req), this.m.api.getInstance(this.m.self, req)]);
    const ip = address.address ?? '';
    if (this.configsWith(interfaceOf(this.m, self, this.m.self), ip).length > 0) return { status: 'held', detail: `${ip} (${this.describe()})`, holder: this.m.self.name };
    const user = instanceFromUrl(address.users?.[0]);
    return { status: 'not-held', detail: `${ip} (${this.options.address}) is ${user ? `on ${user.name} in ${user.zone}` : 'not attached to any instance'}`, ...(user ? { holder: user.name } : {}) };
  }

  async acquire(req: ProviderRequest): Promise<void> {
    const [address, self] = await Promise.all([this.readAddress(req), this.m.api.getInstance(this.m.self, req)]);
    const ip = address.address ?? '';
    const nic = interfaceOf(this.m, self, this.m.self);
    const held = this.configsWith(nic, ip).length > 0;
    if (held && !req.fenced) return;
    const users = (address.users ?? []).map(instanceFromUrl).filter((r): r is InstanceRef => r !== undefined && !sameInstance(r, this.m.self));
    const refs = [...users, ...this.others().filter((o) => !users.some((u) => sameInstance(u, o)))];
    const others = await Promise.all(refs.map((ref) => this.m.api.getInstance(ref, req).then((instance) => ({ ref, instance }), (err: unknown) => {
      if (err instanceof ProviderError && err.errorClass === 'not-found') return undefined;
      throw err;
    })));
    const found = others.filter((o): o is { ref: InstanceRef; instance: Instance } => o !== undefined);
    // Also when held: a fresh higher term elsewhere refuses before we write anything.
    checkFences(this.m, found.map((o) => readFence(o.instance, this.m.group.name)), req, 'taking', this.describe());
    const fencedAt = await assertFence(this.m, self, req);
    if (held) return; // the record is refreshed; nothing to move
    for (const { ref, instance } of found) {
      for (const holderNic of instance.networkInterfaces ?? []) {
        for (const config of this.configsWith(holderNic, ip)) await this.deleteConfig(ref, holderNic.name ?? '', config.name ?? '', req);
      }
    }
    // One IPv4 access config per interface: an ephemeral one here must go first. Never one with
    // our name: deletes go by name, and on a stale read our static config could look ephemeral.
    for (const config of nic.accessConfigs ?? []) {
      if (config.natIP !== ip && config.name !== this.options.accessConfigName && (config.type ?? 'ONE_TO_ONE_NAT') === 'ONE_TO_ONE_NAT') {
        await this.deleteConfig(this.m.self, this.m.nic, config.name ?? '', req);
      }
    }
    const op = await this.m.api.addAccessConfig(this.m.self, this.m.nic, { name: this.options.accessConfigName, type: 'ONE_TO_ONE_NAT', natIP: ip }, req);
    await wait(this.m, op, 'compute.instances.addAccessConfig', `${this.m.nic} of ${this.m.api.instanceName(this.m.self)}`, req);
    await refreshAfterMove(this.m, req, fencedAt);
  }

  async release(req: ProviderRequest): Promise<void> {
    const [address, self] = await Promise.all([this.readAddress(req), this.m.api.getInstance(this.m.self, req)]);
    for (const config of this.configsWith(interfaceOf(this.m, self, this.m.self), address.address ?? '')) await this.deleteConfig(this.m.self, this.m.nic, config.name ?? '', req);
    await releaseFence(this.m, self, req);
  }

  private async readAddress(req: CallRequest): Promise<Address> {
    const address = await this.m.api.getAddress(this.m.identity.region, this.options.address, req);
    if (!address.address) {
      throw new ProviderError('reading', this.m.api.addressName(this.m.identity.region, this.options.address), 'invalid', { detail: 'it has no IP address', hint: 'address must name a reserved static external address' });
    }
    return address;
  }

  private async deleteConfig(ref: InstanceRef, nic: string, name: string, req: CallRequest): Promise<void> {
    const op = await this.m.api.deleteAccessConfig(ref, nic, name, req);
    await wait(this.m, op, 'compute.instances.deleteAccessConfig', `${nic} of ${this.m.api.instanceName(ref)}`, req);
  }

  private others(): readonly InstanceRef[] {
    return this.m.members.filter((r) => !sameInstance(r, this.m.self));
  }


  private configsWith(nic: NetworkInterface, ip: string): NonNullable<NetworkInterface['accessConfigs']> {
    return (nic.accessConfigs ?? []).filter((c) => c.natIP === ip);
  }
}
