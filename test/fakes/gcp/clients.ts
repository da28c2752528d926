/**
 * The real @google-cloud/compute clients pointed at a GcpFake, with credentials from one of
 * its metadata servers — the options docs/testing.md "Cloud fakes: GCP" explains. Tests only.
 */
import {
  AddressesClient,
  GlobalOperationsClient,
  InstancesClient,
  NetworksClient,
  ProjectsClient,
  RegionOperationsClient,
  RoutesClient,
  ZoneOperationsClient,
} from '@google-cloud/compute';
import { Compute } from 'google-auth-library';
import type { GcpFake } from './index.js';

const KINDS = {
  instances: InstancesClient,
  addresses: AddressesClient,
  routes: RoutesClient,
  networks: NetworksClient,
  zoneOperations: ZoneOperationsClient,
  globalOperations: GlobalOperationsClient,
  regionOperations: RegionOperationsClient,
  projects: ProjectsClient,
};

export type FakeClients = { [K in keyof typeof KINDS]: InstanceType<(typeof KINDS)[K]> } & {
  auth: Compute;
  metadataHost: string;
  close(): Promise<void>;
};

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
  const c = {} as Record<keyof typeof KINDS, unknown>;
  for (const [name, Client] of Object.entries(KINDS)) {
    Object.defineProperty(c, name, {
      get: () => {
        let x = made.get(name);
        if (!x) made.set(name, (x = new Client(opts)));
        return x;
      },
    });
  }
  return Object.assign(c as { [K in keyof typeof KINDS]: InstanceType<(typeof KINDS)[K]> }, {
    auth,
    metadataHost: md.host,
    close: async () => {
      await Promise.all([...made.values()].map((x) => x.close()));
      await md.close();
    },
  });
}
