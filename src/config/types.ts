// The normalized configuration that the rest of vipd consumes: camelCase, every default and
// timing preset applied, durations in milliseconds (advert interval in centiseconds, the
// unit RFC 5798 §5.2.7 puts on the wire). Produced only by load.ts; nothing else builds one.

export const TIMING_NAMES = ['lan', 'wan'] as const;
export type TimingName = (typeof TIMING_NAMES)[number];

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

export const LOG_FORMATS = ['auto', 'json', 'pretty'] as const;
export type LogFormat = (typeof LOG_FORMATS)[number];

/** 2 = RFC 3768 (IPv4 only, whole-second adverts), 3 = RFC 5798 (centisecond adverts). */
export type VrrpVersion = 2 | 3;

export interface VipConfig {
  /** Canonical text form (IPv6 compressed, lower case). */
  readonly address: string;
  readonly prefixLength: number;
  readonly family: 4 | 6;
}

/** Discriminated on `type` so local/aws/gcp providers can be added without reshaping. */
export type ProviderConfig = { readonly type: 'noop' };

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
  readonly provider: ProviderConfig;
  /** Node ids of the unicast members of this group; never contains our own node id. */
  readonly peers: readonly string[];
}

/** SWIM-style failure detector timing, consumed by the gossip layer. */
export interface MembershipConfig {
  readonly probeIntervalMs: number;
  readonly probeTimeoutMs: number;
  readonly indirectProbes: number;
  readonly suspicionMultiplier: number;
}

export interface VipdConfig {
  readonly clusterId: string;
  /** `address` is the primary address that breaks priority ties (RFC 5798 §6.4.3). */
  readonly node: { readonly id: string; readonly address?: string };
  readonly timing: TimingName;
  readonly log: { readonly level: LogLevel; readonly format: LogFormat };
  readonly membership: MembershipConfig;
  readonly groups: readonly GroupConfig[];
}
