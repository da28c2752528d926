/**
 * The real @google-cloud/compute clients pointed at a GcpFake, with credentials from one of
 * its metadata servers — the options docs/testing.md "Cloud fakes: GCP" explains. Tests only.
 */
import {
  AddressesClient,
  GlobalOperationsClient,
  InstancesClient,
  ProjectsClient,
  RegionOperationsClient,
  RoutesClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import { Compute } from 'google-auth-library';
import type { GcpFake } from './index.js';

export interface FakeClients {
  instances: InstancesClient;
  addresses: AddressesClient;
  routes: RoutesClient;
  zoneOperations: ZoneOperationsClient;
  globalOperations: GlobalOperationsClient;
  regionOperations: RegionOperationsClient;
  projects: ProjectsClient;
  auth: Compute;
  metadataHost: string;
  close(): Promise<void>;
}

/**
 * Point gcp-metadata at a metadata host (it reads these variables on every request;
 * GCE_METADATA_IP wins over GCE_METADATA_HOST, so it is removed) and never ping the real one.
 */
export function useMetadataHost(host: string): void {
  delete process.env.GCE_METADATA_IP;
  process.env.GCE_METADATA_HOST = host;
  process.env.METADATA_SERVER_DETECTION = 'assume-present';
}

/**
 * Clients for `instance`'s view of the fake. The token is fetched here, while the metadata
 * variables point at this instance's server, so several fakes can be used one after another.
 */
export async function fakeClients(fake: GcpFake, instance: string, o: { timeoutMs?: number } = {}): Promise<FakeClients> {
  const md = await fake.metadata(instance);
  useMetadataHost(md.host);
  const auth = new Compute({ transporterOptions: { timeout: o.timeoutMs ?? 5000 } });
  await auth.getAccessToken();
  const u = new URL(fake.endpoint);
  const opts = { apiEndpoint: u.hostname, port: Number(u.port), protocol: 'http', fallback: true, authClient: auth };
  // Each client hashes the 11 MB protos JSON when built (google-gax loadProtoJSON): build on first use.
  const made = new Map<string, { close(): Promise<void> }>();
  const lazy = <T extends { close(): Promise<void> }>(name: string, make: () => T): T => {
    let x = made.get(name) as T | undefined;
    if (!x) made.set(name, (x = make()));
    return x;
  };
  const c = {
    get instances() {
      return lazy('instances', () => new InstancesClient(opts));
    },
    get addresses() {
      return lazy('addresses', () => new AddressesClient(opts));
    },
    get routes() {
      return lazy('routes', () => new RoutesClient(opts));
    },
    get zoneOperations() {
      return lazy('zoneOperations', () => new ZoneOperationsClient(opts));
    },
    get globalOperations() {
      return lazy('globalOperations', () => new GlobalOperationsClient(opts));
    },
    get regionOperations() {
      return lazy('regionOperations', () => new RegionOperationsClient(opts));
    },
    get projects() {
      return lazy('projects', () => new ProjectsClient(opts));
    },
  };
  return Object.assign(c, {
    auth,
    metadataHost: md.host,
    close: async () => {
      await Promise.all([...made.values()].map((x) => x.close()));
      await md.close();
    },
  });
}
