/**
 * Mode `route`: a static route per destination range with this instance as next hop
 * (https://cloud.google.com/vpc/docs/routes#static_routes). Routes cannot be changed, so a move
 * is make-before-break: create ours (global operation, wait), then delete the previous
 * holder's vipd routes for the same range (wait). Between the two, both routes exist with the
 * same priority and GCP spreads traffic over both next hops (ECMP) for that moment.
 *
 * vipd's routes are named `vipd-<group, ≤24 chars>-<hash of range>-<hash of instance>-<term>`
 * (route names are 1-63 characters, [a-z]([-a-z0-9]*[a-z0-9])?) and described
 * `vipd group=<group> dest=<range> <fence record>`; the description is what identifies them
 * (a name prefix could be shared by two long group names). held = every best-priority vipd
 * route for each range points at this instance.
 */
import { createHash } from 'node:crypto';
import type { ProviderRequest, StatusReport } from '../../src/ports/vip-provider.js';
import { ProviderError } from '../../src/ports/vip-provider.js';
import type { CallRequest } from '../common/cloud-call.js';
import { encodeFence, parseFence, type FenceRecord } from '../common/fence.js';
import type { Instance, InstanceRef, Route } from './compute.js';
import { instanceFromUrl, instanceUrl, interfaceOf, sameInstance, wait, type ModeContext } from './context.js';
import { assertFence, checkFences, readFence, refreshAfterMove, releaseFence } from './fencing.js';
import type { GcpMode } from './mode.js';
import type { RouteOptions } from './schema.js';

function hex(text: string, chars: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, chars);
}

export class RouteMode implements GcpMode {
  private readonly ranges: readonly string[];
  private network: string | undefined;

  constructor(
    private readonly m: ModeContext,
    private readonly options: RouteOptions,
  ) {
    this.ranges = options.destRanges ?? m.group.vips.map((v) => `${v.address}/32`);
    this.network = options.network;
  }

  describe(): string {
    return `route${this.ranges.length > 1 ? 's' : ''} for ${this.ranges.join(', ')} via ${this.m.self.name}`;
  }

  async preflight(req: CallRequest): Promise<void> {
    await this.networkName(req);
    await this.m.api.getNetwork(this.network ?? '', req);
    for (const ref of this.others()) await this.m.api.getInstance(ref, req);
    await this.listOurs(req);
  }

  async status(req: CallRequest): Promise<StatusReport> {
    const routes = await this.listOurs(req);
    const lacking = this.ranges.filter((r) => !this.heldFor(routes, r));
    if (lacking.length === 0) return { status: 'held', detail: this.describe(), holder: this.m.self.name };
    const best = this.best(routes, lacking[0] ?? '');
    const holder = instanceFromUrl(best[0]?.nextHopInstance);
    return {
      status: 'not-held',
      detail: `${lacking.join(', ')}: ${best.length === 0 ? 'no vipd route' : `best vipd route ${best.map((r) => r.name).join(', ')} via ${holder?.name ?? 'another next hop'}`}`,
      ...(holder ? { holder: holder.name } : {}),
    };
  }

  async acquire(req: ProviderRequest): Promise<void> {
    const [routes, self] = await Promise.all([this.listOurs(req), this.m.api.getInstance(this.m.self, req)]);
    const held = this.ranges.every((r) => this.heldFor(routes, r));
    if (held && !req.fenced) return;
    const theirs = routes.filter((r) => !this.isMine(r));
    const holders = uniqueRefs([...theirs.map((r) => instanceFromUrl(r.nextHopInstance)), ...this.others()]).filter((r) => !sameInstance(r, this.m.self));
    const records: (FenceRecord | undefined)[] = theirs.map((r) => parseFence(this.fenceText(r)));
    for (const instance of await this.readAll(holders, req)) records.push(readFence(instance, this.m.group.name));
    // Also when held: a fresh higher term elsewhere refuses before we write anything.
    checkFences(this.m, records, req, 'taking', this.describe());
    const fencedAt = await assertFence(this.m, self, req);
    if (held) return; // the record is refreshed; nothing to move
    const network = await this.networkName(req);
    await Promise.all(this.ranges.filter((range) => !routes.some((r) => this.isMine(r) && r.destRange === range)).map(async (range) => {
      const route = this.routeFor(range, network, req);
      try {
        const op = await this.m.api.insertRoute(route, req);
        await wait(this.m, op, 'compute.routes.create', `route ${route.name ?? ''}`, req);
      } catch (err) {
        if (!alreadyExists(err)) throw err; // a retry of a create whose answer was lost
      }
    }));
    await this.deleteRoutes(theirs, req);
    await refreshAfterMove(this.m, req, fencedAt);
  }

  async release(req: ProviderRequest): Promise<void> {
    const [routes, self] = await Promise.all([this.listOurs(req), this.m.api.getInstance(this.m.self, req)]);
    await this.deleteRoutes(routes.filter((r) => this.isMine(r)), req);
    await releaseFence(this.m, self, req);
  }

  /** The network: configured, else the one of this instance's interface. */
  private async networkName(req: CallRequest): Promise<string> {
    if (this.network !== undefined) return this.network;
    const self = await this.m.api.getInstance(this.m.self, req);
    const url = interfaceOf(this.m, self, this.m.self).network ?? '';
    this.network = url.slice(url.lastIndexOf('/') + 1);
    return this.network;
  }

  private routeFor(range: string, network: string, req: ProviderRequest): Route {
    const name = `vipd-${this.m.group.name.slice(0, 24)}-${hex(range, 8)}-${hex(`${this.m.self.zone}/${this.m.self.name}`, 6)}-${req.term}`;
    return {
      name,
      network: `projects/${this.m.api.project}/global/networks/${network}`,
      destRange: range,
      priority: this.options.priority,
      nextHopInstance: instanceUrl(this.m.api.project, this.m.self),
      description: `${this.prefix(range)}${encodeFence({ term: req.term, node: this.m.nodeId, atMs: this.m.wallNow(), released: false })}`,
    };
  }

  private prefix(range: string): string {
    return `vipd group=${this.m.group.name} dest=${range} `;
  }

  private fenceText(route: Route): string | undefined {
    const d = route.description ?? '';
    const p = this.prefix(route.destRange ?? '');
    return d.startsWith(p) ? d.slice(p.length) : undefined;
  }

  /** This group's vipd routes for our ranges (identified by their description). */
  private async listOurs(req: CallRequest): Promise<Route[]> {
    const routes = await this.m.api.listRoutes(`name eq "vipd-${this.m.group.name.slice(0, 24)}-.*"`, req);
    return routes.filter((r) => this.ranges.includes(r.destRange ?? '') && this.fenceText(r) !== undefined && (this.network === undefined || (r.network ?? '').endsWith(`/networks/${this.network}`)));
  }

  private isMine(route: Route): boolean {
    const hop = instanceFromUrl(route.nextHopInstance);
    return hop !== undefined && sameInstance(hop, this.m.self);
  }

  /** The best-priority (lowest number) vipd routes for a range. */
  private best(routes: readonly Route[], range: string): Route[] {
    const forRange = routes.filter((r) => r.destRange === range);
    const top = Math.min(...forRange.map((r) => r.priority ?? 1000));
    return forRange.filter((r) => (r.priority ?? 1000) === top);
  }

  private heldFor(routes: readonly Route[], range: string): boolean {
    const best = this.best(routes, range);
    return best.length > 0 && best.every((r) => this.isMine(r));
  }

  private async deleteRoutes(routes: readonly Route[], req: CallRequest): Promise<void> {
    await Promise.all(routes.map(async (route) => {
      try {
        const op = await this.m.api.deleteRoute(route.name ?? '', req);
        await wait(this.m, op, 'compute.routes.delete', `route ${route.name ?? ''}`, req);
      } catch (err) {
        if (!(err instanceof ProviderError && err.errorClass === 'not-found')) throw err; // gone already
      }
    }));
  }

  private async readAll(refs: readonly InstanceRef[], req: CallRequest): Promise<Instance[]> {
    const read = await Promise.all(refs.map((ref) => this.m.api.getInstance(ref, req).catch((err: unknown) => {
      if (err instanceof ProviderError && err.errorClass === 'not-found') return undefined;
      throw err;
    })));
    return read.filter((i): i is Instance => i !== undefined);
  }

  private others(): readonly InstanceRef[] {
    return this.m.members.filter((r) => !sameInstance(r, this.m.self));
  }
}

function uniqueRefs(refs: readonly (InstanceRef | undefined)[]): InstanceRef[] {
  const out: InstanceRef[] = [];
  for (const r of refs) if (r && !out.some((o) => sameInstance(o, r))) out.push(r);
  return out;
}

/** routes.insert of a name that exists: HTTP 409 alreadyExists. */
function alreadyExists(err: unknown): boolean {
  return err instanceof ProviderError && err.errorClass === 'invalid' && /\b409\b|alreadyExists/.test(err.message);
}
