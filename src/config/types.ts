// The normalized configuration that the rest of vipd consumes: camelCase, every default and
// timing preset applied, durations in milliseconds (advert interval in centiseconds, the
// unit RFC 5798 §5.2.7 puts on the wire), addresses canonical, file paths absolute and signing
// secrets decoded. Produced only by load.ts; nothing else builds one.

export const TIMING_NAMES = ['lan', 'wan'] as const;
export type TimingName = (typeof TIMING_NAMES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

export const NODE_ROLES = ['member', 'witness'] as const;
/** A member runs groups and votes; a witness only votes, so it holds no VIPs (issue 3). */
export type NodeRole = (typeof NODE_ROLES)[number];

/** As written; `auto` is resolved before GroupConfig. */
export const TRANSPORT_NAMES = ['unicast', 'multicast', 'both', 'auto'] as const;

export const QUORUM_RULES = ['majority', 'none'] as const;
/** `vrrp_peers` of a `transport: both` group: who else may speak VRRP in its VRID. */
export const VRRP_PEER_KINDS = ['any', 'vipd'] as const;
export type VrrpPeerKind = (typeof VRRP_PEER_KINDS)[number];

/**
 * Whether every speaker of the group is a vipd node of this cluster, so its terms are ordered
 * across the cluster and it runs the unicast machinery (leases, crash verdict, handoff, BFD):
 * `transport: unicast`, and `transport: both` with `vrrp_peers: vipd`.
 */
export function electsAsUnicast(g: { readonly transport: 'unicast' | 'multicast' | 'both'; readonly vrrpPeers?: VrrpPeerKind }): boolean {
  return g.transport === 'unicast' || (g.transport === 'both' && g.vrrpPeers === 'vipd');
}
export type QuorumRule = (typeof QUORUM_RULES)[number];

/** keepalived's staged rollout of advert signing: receive-only -> permissive -> enforce. */
export const SIGNING_MODES = ['receive-only', 'permissive', 'enforce'] as const;
export type SigningMode = (typeof SIGNING_MODES)[number];

export const DEFAULT_LISTEN = '127.0.0.1:7946';

/** 2 = RFC 3768 (IPv4 only, whole-second adverts), 3 = RFC 5798 (centisecond adverts). */
export type VrrpVersion = 2 | 3;

export interface VipConfig {
  /** Canonical text form (IPv6 compressed, lower case). */
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
}

/**
 * One provider of a group: its `type` and its options, the parsed output of that provider's
 * schema (providers/NAME/schema.ts, found through the registry in src/app/providers.ts). The
 * config layer knows no provider's fields: each provider reads its own options.
 */
export interface ProviderConfig {
  readonly type: string;
  readonly options: unknown;
}

/** What a provider knows of the group it serves (built from GroupConfig: providerGroup() in provider-schema.ts). */
export interface ProviderGroup {
  readonly name: string;
  readonly interface: string;
  /** The group's VIPs: canonical address text ("192.0.2.50"), prefix length and family. */
  readonly vips: readonly VipConfig[];
  /** Whether the group's terms are ordered cluster-wide (unicast groups): ProviderRequest.fenced. */
  readonly fenced: boolean;
  /** How often the driver re-reads and re-asserts while master (the fence's freshness, providers/common/fence.ts). */
  readonly reassertIntervalMs: number;
  /** Directory of the configuration file, for relative paths. */
  readonly configDir: string;
}

/** A problem a provider's schema cannot see (a field against the group): path inside the provider's mapping. */
export interface ProviderConfigIssue {
  readonly path: readonly (string | number)[];
  readonly message: string;
}

export interface GroupConfig {
  readonly name: string;
  readonly vrid: number;
  readonly interface: string;
  /** 1-255; 255 means this node owns the addresses (RFC 5798 §6.1). */
  readonly priority: number;
  readonly version: VrrpVersion;
  /** Advertisement_Interval in centiseconds, an integer (RFC 5798 §6.1). */
  readonly advertIntervalCs: number;
  readonly preempt: boolean;
  readonly preemptDelayMs: number;
  readonly vips: readonly VipConfig[];
  /** At least one; acquired in this order and released in reverse (`provider:` is a list of one). */
  readonly providers: readonly ProviderConfig[];
  /** While master, the provider driver re-reads and re-asserts this often (reassert_interval). */
  readonly reassertIntervalMs: number;
  /** VRRPv2 PASS password (keepalived auth_type PASS); only with version 2 and VRRP. */
  readonly authPass?: string;
  /** unicast: gRPC; multicast: standard VRRP on `interface`; both: the two side by side. */
  readonly transport: 'unicast' | 'multicast' | 'both';
  /** Node ids of the other voting members of this group; never contains our own node id. */
  readonly peers: readonly string[];
  /** Node ids that vote but hold no VIPs; disjoint from `peers`, never our own node id. */
  readonly witnesses: readonly string[];
  /** majority: voters are this node + peers + witnesses, always an odd number. */
  readonly quorum: QuorumRule;
  /** S of docs/leases.md (quorum majority, unicast), ms. */
  readonly leaseStallToleranceMs: number;
  /**
   * `vrrp_peers` (transport both): `any` (default), keepalived or FRR may speak in the VRID, so
   * the group keeps RFC 5798 timing; `vipd`, every VRRP speaker is a vipd node of this cluster,
   * so the group runs as a unicast one (leases, crash verdict, handoff, BFD) with VRRP beside it.
   */
  readonly vrrpPeers?: VrrpPeerKind;
  /** crash_verdict (unicast groups; default true): the top backup takes over at once from a gone master. */
  readonly crashVerdict?: boolean;
  /** `handoff` (issue 10): a stopping, maintained or preempted master hands off to a named successor. */
  readonly handoff?: boolean;
  /** `handoff_overlap_max`, ms (docs/leases.md, "Handoff"). */
  readonly handoffOverlapMaxMs?: number;
  /** `startup_hold`, ms; 0 = none; absent = the default (src/runtime/startup-hold.ts). */
  readonly startupHoldMs?: number;
  /** `track`: the health checks that move this group's priority or put it in Fault. */
  readonly tracks: readonly TrackConfig[];
  /** `notify:`, when the group has one. */
  readonly notify?: NotifyConfig;
}

export interface NodeConfig {
  readonly id: string;
  /** The primary address that breaks priority ties (RFC 5798 §6.4.3). */
  readonly address?: string;
  readonly role: NodeRole;
  /** host:port of the gRPC peer service, canonical form; port 0 = the system picks one. */
  readonly listen: string;
  /** host:port peers dial, when it differs from `listen`; absent = the address actually bound. */
  readonly advertise?: string;
}

/** Absolute paths; the files existed at load. The transport reads and verifies them. */
export interface TlsConfig {
  readonly ca: string;
  readonly cert: string;
  readonly key: string;
  /** Node ids allowed to connect, by certificate identity; never empty when seeds are set. */
  readonly allow: readonly string[];
}

/** Advert signing keys, decoded at load; each secret is at least 16 bytes. */
export interface AuthConfig {
  readonly mode: SigningMode;
  /** The key adverts are signed with; one of `keys`. Absent only in receive-only mode. */
  readonly activeKeyId?: string;
  readonly keys: readonly { readonly id: string; readonly secret: Buffer }[];
}

/** SWIM-style failure detector timing, consumed by the gossip layer. */
export interface MembershipConfig {
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectProbes: number;
  readonly suspicionMultiplier: number;
  /** crash_verdict_window (docs/leases.md "Crash verdict"), ms; undefined: 0. */
  readonly crashVerdictWindowMs?: number;
}

/** BFD liveness (docs/bfd.md); `bfd:` in the file. */
export interface BfdConfig {
  readonly enabled: boolean;
  /** Desired Min TX / Required Min RX Interval while Up, ms (default 20). */
  readonly intervalMs: number;
  /** Detect Mult (default 3). */
  readonly multiplier: number;
  /** Raise the multiplier waited for under loss (src/core/bfd/adaptive.ts). */
  readonly adaptive: boolean;
  readonly mode: 'single-hop' | 'multihop';
  /** UDP port, default 3784 single-hop, 4784 multihop. */
  readonly port: number;
}

/** What one health check runs (docs/health-checks.md). */
export type CheckProbeConfig =
  | { readonly type: 'exec'; readonly command: readonly [string, ...string[]] }
  | { readonly type: 'http' | 'https'; readonly url: string; readonly expectStatus?: readonly number[]; readonly bodyMatch?: string; readonly tlsVerify: boolean }
  | { readonly type: 'tcp'; readonly host: string; readonly port: number }
  | { readonly type: 'interface'; readonly interface: string }
  | { readonly type: 'file'; readonly path: string }
  | { readonly type: 'process'; readonly process: string; readonly args?: string };

/** A health check (top-level `checks`), with its defaults applied. */
export interface CheckConfig {
  readonly name: string;
  readonly intervalMs: number;
  readonly timeoutMs: number;
  readonly rise: number;
  readonly fall: number;
  /** The weight a group uses when its `track` entry gives none (default 0; file checks 1). */
  readonly weight: number;
  readonly initFail: boolean;
  readonly probe: CheckProbeConfig;
}

/** A group's `notify:` with its defaults (docs/notify.md). */
export interface NotifyConfig {
  readonly master?: readonly string[];
  readonly backup?: readonly string[];
  readonly fault?: readonly string[];
  readonly stop?: readonly string[];
  readonly script?: readonly string[];
  readonly timeoutMs: number;
  readonly webhooks: readonly { readonly url: string; readonly timeoutMs: number; readonly attempts: number }[];
}

/** A group's tracked check with the weight that applies. */
export interface TrackConfig {
  readonly check: string;
  readonly weight: number;
  /** A file check: its value is the weight (times `weight`). */
  readonly file: boolean;
}

export interface VipdConfig {
  readonly clusterId: string;
  readonly node: NodeConfig;
  /** host:port of nodes to join the cluster through, canonical form, none of them our own. */
  readonly seeds: readonly string[];
  /** true: no TLS and unsigned adverts (demo only); then `tls` and `auth` are absent. */
  readonly insecure: boolean;
  /** Present exactly when `insecure` is false. */
  readonly tls?: TlsConfig;
  /** Present exactly when `insecure` is false. */
  readonly auth?: AuthConfig;
  readonly timing: TimingName;
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly membership: MembershipConfig;
  /** `bfd:` as written, with its defaults; absent when the file has no `bfd:` section. */
  readonly bfd?: BfdConfig;
  /** Health checks (`checks:`), which groups track. */
  readonly checks: readonly CheckConfig[];
  /** The local API (`api:`, docs/api.md), with its defaults. */
  readonly api: ApiConfig;
  /** At least one for a member, none for a witness. */
  readonly groups: readonly GroupConfig[];
  /** `sync_groups:` (docs/sync-groups.md): groups that change role together. */
  readonly syncGroups: readonly SyncGroupConfig[];
  /** Absolute directory of the configuration file: providers resolve relative paths against it. */
  readonly configDir: string;
}

/** A sync group: `leader` is the first group listed; the followers change role with it. */
export interface SyncGroupConfig {
  readonly name: string;
  readonly leader: string;
  readonly followers: readonly string[];
}

/** `api:` (docs/api.md): absent listeners are off. Paths are absolute. */
export interface ApiConfig {
  readonly socket?: { readonly path: string; readonly mode: number; readonly owner?: string | number; readonly group?: string | number };
  readonly http?: {
    readonly host: string;
    readonly port: number;
    readonly tokenFile?: string;
    readonly tls?: { readonly cert: string; readonly key: string; readonly clientCa: string };
  };
}
