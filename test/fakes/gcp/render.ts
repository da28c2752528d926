/**
 * The fake's resources as Compute Engine v1 JSON (compute#instance, compute#address,
 * compute#route, compute#operation, compute#project): field names and kinds from the
 * reference (https://cloud.google.com/compute/docs/reference/rest/v1). Links are absolute URLs
 * on the fake's own endpoint, so anything that follows a selfLink stays on loopback.
 */
import type { Address, Instance, Operation, Route, State, World } from './world.js';

export class Renderer {
  constructor(
    private readonly world: World,
    private readonly endpoint: () => string,
  ) {}

  link(path: string): string {
    return `${this.endpoint()}/compute/v1/${path}`;
  }

  private projectPath(): string {
    return `projects/${this.world.project}`;
  }

  instance(i: Instance): Record<string, unknown> {
    const path = this.world.instancePath(i);
    return {
      kind: 'compute#instance',
      id: i.id,
      creationTimestamp: i.creationTimestamp,
      name: i.name,
      machineType: this.link(`${this.projectPath()}/zones/${i.zone}/machineTypes/e2-small`),
      status: 'RUNNING',
      zone: this.link(`${this.projectPath()}/zones/${i.zone}`),
      canIpForward: true,
      networkInterfaces: i.nics.map((n) => ({
        kind: 'compute#networkInterface',
        name: n.name,
        network: this.link(n.network),
        subnetwork: this.link(n.subnetwork),
        networkIP: n.networkIP,
        fingerprint: n.fingerprint,
        stackType: 'IPV4_ONLY',
        ...(n.aliasIpRanges.length > 0 ? { aliasIpRanges: n.aliasIpRanges.map((r) => ({ ...r })) } : {}),
        ...(n.accessConfigs.length > 0
          ? { accessConfigs: n.accessConfigs.map((ac) => ({ kind: 'compute#accessConfig', ...ac })) }
          : {}),
      })),
      metadata: {
        kind: 'compute#metadata',
        fingerprint: i.metadata.fingerprint,
        ...(i.metadata.items.length > 0 ? { items: i.metadata.items.map((x) => ({ ...x })) } : {}),
      },
      ...(i.serviceAccount !== null ? { serviceAccounts: [{ email: i.serviceAccount, scopes: ['https://www.googleapis.com/auth/cloud-platform'] }] } : {}),
      selfLink: this.link(path),
    };
  }

  address(a: Address, s: State): Record<string, unknown> {
    const users: string[] = [];
    for (const i of s.instances.values())
      for (const n of i.nics) if (n.accessConfigs.some((ac) => ac.natIP === a.address)) users.push(this.link(this.world.instancePath(i)));
    return {
      kind: 'compute#address',
      id: a.id,
      creationTimestamp: a.creationTimestamp,
      name: a.name,
      address: a.address,
      addressType: 'EXTERNAL',
      networkTier: 'PREMIUM',
      ipVersion: 'IPV4',
      status: users.length > 0 ? 'IN_USE' : 'RESERVED',
      region: this.link(`${this.projectPath()}/regions/${a.region}`),
      selfLink: this.link(`${this.projectPath()}/regions/${a.region}/addresses/${a.name}`),
      ...(users.length > 0 ? { users } : {}),
    };
  }

  route(r: Route): Record<string, unknown> {
    return {
      kind: 'compute#route',
      id: r.id,
      creationTimestamp: r.creationTimestamp,
      name: r.name,
      ...(r.description !== undefined ? { description: r.description } : {}),
      network: this.link(r.network),
      destRange: r.destRange,
      priority: r.priority,
      ...(r.nextHopInstance !== undefined ? { nextHopInstance: this.link(r.nextHopInstance) } : {}),
      ...(r.tags && r.tags.length > 0 ? { tags: r.tags } : {}),
      routeType: 'STATIC',
      selfLink: this.link(`${this.projectPath()}/global/routes/${r.name}`),
    };
  }

  /** A VPC network, with the subnetworks the instances' interfaces use. */
  network(path: string, subnetworks: string[], id: string): Record<string, unknown> {
    return {
      kind: 'compute#network',
      id,
      creationTimestamp: '2026-01-01T00:00:00.000-08:00',
      name: path.split('/').pop(),
      autoCreateSubnetworks: false,
      ...(subnetworks.length > 0 ? { subnetworks: subnetworks.map((s) => this.link(s)) } : {}),
      routingConfig: { routingMode: 'REGIONAL' },
      selfLink: this.link(path),
    };
  }

  operationPath(op: Pick<Operation, 'scope' | 'name'>): string {
    const s = op.scope;
    const where = s.kind === 'zone' ? `zones/${s.zone}` : s.kind === 'region' ? `regions/${s.region}` : 'global';
    return `${this.projectPath()}/${where}/operations/${op.name}`;
  }

  operation(op: Operation): Record<string, unknown> {
    const s = op.scope;
    return {
      kind: 'compute#operation',
      id: op.id,
      name: op.name,
      ...(s.kind === 'zone' ? { zone: this.link(`${this.projectPath()}/zones/${s.zone}`) } : {}),
      ...(s.kind === 'region' ? { region: this.link(`${this.projectPath()}/regions/${s.region}`) } : {}),
      operationType: op.operationType,
      targetLink: op.targetLink,
      ...(op.targetId !== undefined ? { targetId: op.targetId } : {}),
      status: op.status,
      user: op.user,
      progress: op.progress,
      insertTime: op.insertTime,
      startTime: op.startTime,
      ...(op.endTime !== undefined ? { endTime: op.endTime } : {}),
      ...(op.error ? { error: { errors: op.error.map((e) => ({ ...e })) } } : {}),
      ...(op.httpErrorStatusCode !== undefined ? { httpErrorStatusCode: op.httpErrorStatusCode, httpErrorMessage: op.httpErrorMessage } : {}),
      selfLink: this.link(this.operationPath(op)),
    };
  }

  project(defaultServiceAccount: string): Record<string, unknown> {
    return {
      kind: 'compute#project',
      id: this.world.projectNumber,
      name: this.world.project,
      creationTimestamp: '2026-01-01T00:00:00.000-08:00',
      defaultServiceAccount,
      defaultNetworkTier: 'PREMIUM',
      selfLink: this.link(this.projectPath()),
    };
  }
}
