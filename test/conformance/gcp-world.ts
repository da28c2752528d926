/**
 * A small GCP world on the strict fake (test/fakes/gcp) for the provider's tests: two member
 * instances (vipd-a, vipd-b) in one zone, each with its own metadata server, a static address,
 * and a builder for providers of each mode. Every client is pointed at 127.0.0.1 explicitly
 * (config `endpoint` and `metadata_host`), so nothing reaches GCP or the real metadata address.
 */
import { MetricsRegistry } from '../../src/adapters/metrics-registry.js';
import { systemClock } from '../../src/adapters/system-clock.js';
import type { Logger } from '../../src/ports/logger.js';
import { GcpProvider, type GcpProviderHooks } from '../../providers/gcp/provider.js';
import { gcpSchema, type GcpMode } from '../../providers/gcp/schema.js';
import type { ProviderGroup } from '../../providers/common/plugin.js';
import { startGcpFake, type GcpFake, type GcpFakeOptions } from '../fakes/gcp/index.js';
import { silentLogger } from '../fakes/silent-logger.js';

export const ZONE = 'us-central1-a';
export const VIP = '198.51.100.50';
export const RANGE = `${VIP}/32`;
export const ADDRESS_NAME = 'vipd-vip';
export const EXTERNAL_IP = '203.0.113.10';
export const MEMBERS = ['vipd-a', 'vipd-b'] as const;
export type Member = (typeof MEMBERS)[number];

export interface GcpWorld {
  readonly fake: GcpFake;
  /** The metadata host (127.0.0.1:port) of each member. */
  readonly metadataHost: Readonly<Record<Member, string>>;
  /** A provider for `member` in `mode`; extra raw config fields override the defaults. */
  provider(member: Member, mode: GcpMode, extra?: Record<string, unknown>, more?: ProviderExtras): GcpProvider;
  /** Who holds the mode's resource, from the fake. */
  holder(mode: GcpMode): Member | 'none';
  /** Requests among fake.requests that change state. */
  mutations(): number;
  close(): Promise<void>;
}

export interface ProviderExtras {
  readonly reassertIntervalMs?: number;
  readonly logger?: Logger;
  readonly metrics?: MetricsRegistry;
  readonly hooks?: GcpProviderHooks;
  readonly env?: Record<string, string | undefined>;
  /** Default node-a / node-b. */
  readonly nodeId?: string;
}

const READS = /\.(get|list|wait|testIamPermissions|aggregatedList)$/;

export async function startGcpWorld(opts: GcpFakeOptions = {}): Promise<GcpWorld> {
  const fake = await startGcpFake({ operationDelayMs: 5, ...opts });
  fake.addInstance({ name: 'vipd-a', zone: ZONE, nics: [{ networkIP: '198.51.100.11', accessConfigs: [{ name: 'External NAT', natIP: '203.0.113.201' }] }] });
  fake.addInstance({ name: 'vipd-b', zone: ZONE, nics: [{ networkIP: '198.51.100.12', accessConfigs: [{ name: 'External NAT', natIP: '203.0.113.202' }] }] });
  fake.addAddress({ name: ADDRESS_NAME, region: 'us-central1', address: EXTERNAL_IP });
  const servers = await Promise.all(MEMBERS.map((m) => fake.metadata(m)));
  const metadataHost = { 'vipd-a': servers[0]?.host ?? '', 'vipd-b': servers[1]?.host ?? '' };
  const built: GcpProvider[] = [];

  const world: GcpWorld = {
    fake,
    metadataHost,
    provider(member, mode, extra = {}, more = {}) {
      const other = member === 'vipd-a' ? 'vipd-b' : 'vipd-a';
      const modeFields: Record<string, unknown> =
        mode === 'alias-ip' ? { instances: [other] } : mode === 'external-ip' ? { address: ADDRESS_NAME, instances: [other] } : { instances: [other] };
      const options = gcpSchema.parse({ type: 'gcp', mode, endpoint: fake.endpoint, metadata_host: metadataHost[member], ...modeFields, ...extra });
      const group: ProviderGroup = {
        name: 'web',
        interface: 'eth0',
        vips: [{ address: VIP, prefixLength: 32, family: 4 }],
        fenced: true,
        reassertIntervalMs: more.reassertIntervalMs ?? 10_000,
        configDir: '/tmp',
      };
      const p = new GcpProvider(options, group, {
        nodeId: more.nodeId ?? (member === 'vipd-a' ? 'node-a' : 'node-b'),
        clock: systemClock,
        logger: more.logger ?? silentLogger,
        metrics: more.metrics ?? new MetricsRegistry(),
        env: more.env ?? {},
      }, more.hooks);
      built.push(p);
      return p;
    },
    holder(mode) {
      if (mode === 'alias-ip') return asMember(fake.aliasOwner(RANGE)?.instance);
      if (mode === 'external-ip') return asMember(fake.externalOwner(EXTERNAL_IP)?.instance);
      const routes = fake.routes().filter((r) => r.destRange === RANGE && r.description?.startsWith('vipd group=web '));
      if (routes.length === 0) return 'none';
      const top = Math.min(...routes.map((r) => r.priority));
      const hops = new Set(routes.filter((r) => r.priority === top).map((r) => r.nextHopInstance));
      return hops.size === 1 ? asMember([...hops][0]) : 'none';
    },
    mutations: () => fake.requests.filter((r) => !READS.test(r.method)).length,
    async close() {
      await Promise.all(built.map((p) => p.close()));
      await fake.close();
    },
  };
  return world;
}

function asMember(name: string | undefined): Member | 'none' {
  return name === 'vipd-a' || name === 'vipd-b' ? name : 'none';
}
