// Rules inside one group that relate its fields, and its normalized form.
import { linkLocalVipProblem, parseVip } from './address.js';
import { formatDuration, parseDuration } from './duration.js';
import type { Finding, Path } from './findings.js';
import type { RawGroup } from './schema.js';
import { placeProviders, providerFindings, providerGroup, type ProviderCatalogue } from './provider-schema.js';
import { normalizeTracks } from './checks.js';
import type { RawNotify } from './notify-schema.js';
import type { CheckConfig, GroupConfig, NotifyConfig, ProviderConfig, VipConfig, VrrpVersion } from './types.js';

export interface GroupResult {
  readonly group: GroupConfig;
  readonly errors: Finding[];
  readonly warnings: Finding[];
}

/** Advertisement interval limits per version, from each RFC's field width. */
const ADVERT_RULES: Record<VrrpVersion, { stepMs: number; minMs: number; maxMs: number; rule: string }> = {
  // RFC 3768 §5.3.7: Adver Int is 8 bits of whole seconds.
  2: { stepMs: 1000, minMs: 1000, maxMs: 255_000, rule: 'whole seconds 1s-255s for version 2 (RFC 3768 §5.3.7)' },
  // RFC 5798 §5.2.7: Max Adver Int is 12 bits of centiseconds.
  3: { stepMs: 10, minMs: 10, maxMs: 40_950, rule: 'a multiple of 10ms, 10ms-40.95s, for version 3 (RFC 5798 §5.2.7)' },
};

export interface GroupContext {
  /** Default Advertisement_Interval from the timing preset. */
  readonly presetAdvertMs: number;
  /** Default lease_stall_tolerance from the timing preset. */
  readonly presetLeaseStallMs?: number;
  /** The file lists seeds: `transport: auto` then means unicast even without peers. */
  readonly hasSeeds: boolean;
  /** The providers a file may name, and the one a group that names none gets. */
  readonly catalogue: ProviderCatalogue;
  readonly defaultProvider: () => ProviderConfig;
  /** Directory of the configuration file (ProviderGroup.configDir). */
  readonly configDir: string;
  /** The valid health checks, and the names of every check the file defines (valid or not). */
  readonly checks: readonly CheckConfig[];
  readonly checkNames: readonly string[];
}

/** reassert_interval's default: a moved VIP is noticed within 10 s, at one read per interval. */
const DEFAULT_REASSERT_MS = 10_000;

/** `raw` has passed groupSchema, so every field is individually valid. */
export function normalizeGroup(raw: RawGroup, at: Path, context: GroupContext): GroupResult {
  const { presetAdvertMs, presetLeaseStallMs = 250, hasSeeds } = context;
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const version = raw.version;
  const rules = ADVERT_RULES[version];

  let advertMs: number;
  if (raw.advert_interval === undefined) {
    // A v2 group cannot use the lan preset's 100ms: round up to v2's smallest, 1s, rather
    // than reject a value the user never wrote.
    advertMs = Math.max(rules.minMs, Math.ceil(presetAdvertMs / rules.stepMs) * rules.stepMs);
  } else {
    const parsed = parseDuration(raw.advert_interval);
    advertMs = parsed.ok ? parsed.ms : rules.minMs;
    if (parsed.ok && (advertMs % rules.stepMs !== 0 || advertMs < rules.minMs || advertMs > rules.maxMs)) {
      errors.push({ path: [...at, 'advert_interval'], message: `must be ${rules.rule}; got ${formatDuration(advertMs)}` });
    }
  }

  const transport = resolveTransport(raw, hasSeeds);
  const vips: VipConfig[] = [];
  raw.vips.forEach((text, index) => {
    const parsed = parseVip(text);
    if (parsed.ok) vips.push(parsed.vip);
    const problem = parsed.ok ? linkLocalVipProblem(parsed.vip, transport !== 'unicast') : undefined;
    if (problem !== undefined) errors.push({ path: [...at, 'vips', index], message: problem });
    const first = vips[0];
    if (parsed.ok && first && parsed.vip.family !== first.family) {
      // An advertisement carries addresses of one family only (RFC 5798 §5.2.9 IPvX Addresses).
      errors.push({
        path: [...at, 'vips', index],
        message: `IPv${parsed.vip.family} ${parsed.vip.address} mixed with IPv${first.family} ${first.address}; all VIPs of a group must be one family (use a second group)`,
      });
    }
  });
  const ipv6 = vips.find((vip) => vip.family === 6);
  if (version === 2 && ipv6) {
    errors.push({ path: [...at, 'version'], message: `version 2 (RFC 3768) carries IPv4 only, but VIP ${ipv6.address} is IPv6; use version 3` });
  }

  if (!raw.preempt && raw.preempt_delay !== undefined) {
    warnings.push({ path: [...at, 'preempt_delay'], message: 'has no effect with preempt: false' });
  }
  if (!raw.preempt && raw.priority === 255) {
    warnings.push({ path: [...at, 'preempt'], message: 'ignored: the address owner (priority 255) always preempts (RFC 5798 §6.1)' });
  }

  if (raw.auth_pass !== undefined && (version !== 2 || transport === 'unicast')) {
    errors.push({ path: [...at, 'auth_pass'], message: 'only for VRRPv2 on the LAN (version 2 with transport multicast or both); VRRPv3 has no authentication field' });
  } else if (raw.auth_pass !== undefined) {
    warnings.push({ path: [...at, 'auth_pass'], message: 'PASS authentication is cleartext on the wire and protects nothing; use it only to match existing keepalived nodes' });
  }
  const quorumRule = raw.quorum ?? (transport === 'multicast' ? 'none' : 'majority');
  errors.push(...transportFindings(raw, at, transport, quorumRule));
  const quorum = quorumFindings({ ...raw, quorum: quorumRule }, at, hasSeeds, transport);
  errors.push(...quorum.errors);
  warnings.push(...quorum.warnings);

  const delay = raw.preempt_delay === undefined ? undefined : parseDuration(raw.preempt_delay);
  const stall = raw.lease_stall_tolerance === undefined ? undefined : parseDuration(raw.lease_stall_tolerance);
  const reassert = raw.reassert_interval === undefined ? undefined : parseDuration(raw.reassert_interval);
  const overlap = raw.handoff_overlap_max === undefined ? undefined : parseDuration(raw.handoff_overlap_max);
  const hold = raw.startup_hold === undefined ? undefined : parseDuration(raw.startup_hold);
  const providers = placeProviders(raw, at, context.defaultProvider);
  const tracked = normalizeTracks(raw.track, [...at, 'track'], context.checks, context.checkNames);
  errors.push(...tracked.errors);
  errors.push(...providers.errors);
  const group: GroupConfig = {
    name: raw.name,
    vrid: raw.vrid,
    interface: raw.interface,
    priority: raw.priority,
    version,
    advertIntervalCs: Math.round(advertMs / 10),
    preempt: raw.preempt,
    preemptDelayMs: delay?.ok ? delay.ms : 0,
    vips,
    providers: providers.placed.map((entry) => entry.config),
    reassertIntervalMs: reassert?.ok ? reassert.ms : DEFAULT_REASSERT_MS,
    ...(raw.auth_pass !== undefined && { authPass: raw.auth_pass }),
    transport,
    peers: raw.peers,
    witnesses: raw.witnesses,
    quorum: quorumRule,
    leaseStallToleranceMs: stall?.ok ? stall.ms : presetLeaseStallMs,
    ...(transport === 'both' ? { vrrpPeers: raw.vrrp_peers ?? 'any' } : {}),
    crashVerdict: raw.crash_verdict,
    handoff: raw.handoff ?? true,
    // Defaults (200 ms; max(2 × Master_Down_Interval, 3 s)) come from the runtime (boot.ts).
    ...(overlap?.ok ? { handoffOverlapMaxMs: overlap.ms } : {}),
    ...(hold?.ok ? { startupHoldMs: hold.ms } : {}),
    tracks: tracked.tracks,
    ...(raw.notify ? { notify: notifyConfig(raw.notify) } : {}),
  };
  errors.push(...providerFindings(providers.placed, providerGroup(group, context.configDir), context.catalogue));
  return { group, errors, warnings };
}

/** `auto`: unicast when the group has peers or the file has seeds, else VRRP multicast. */
function resolveTransport(raw: RawGroup, hasSeeds: boolean): 'unicast' | 'multicast' | 'both' {
  if (raw.transport !== 'auto') return raw.transport;
  return raw.peers.length > 0 || hasSeeds ? 'unicast' : 'multicast';
}

function transportFindings(raw: RawGroup, at: Path, transport: 'unicast' | 'multicast' | 'both', quorum: 'majority' | 'none'): Finding[] {
  if (raw.vrrp_peers !== undefined && transport !== 'both') {
    return [{
      path: [...at, 'vrrp_peers'],
      message: `only for transport both (this group's transport is ${transport}): it says who else speaks VRRP beside the gRPC peers`,
    }];
  }
  if (transport === 'multicast' && quorum === 'majority') {
    return [{
      path: [...at, 'quorum'],
      message: 'quorum majority needs unicast membership to count voters, and VRRP multicast has none; use transport both (VRRP beside gRPC) or quorum none',
    }];
  }
  return [];
}

/**
 * A quorum is a strict majority of the voters: this node, its peers and its witnesses. With
 * an even count a partition can split them in equal halves, and then neither half may elect a
 * master, so the VIP goes dark; an odd count has no such split (issue 3).
 */
function quorumFindings(raw: RawGroup & { quorum: 'majority' | 'none' }, at: Path, hasSeeds: boolean, transport: 'unicast' | 'multicast' | 'both'): { errors: Finding[]; warnings: Finding[] } {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  // Overlaps and duplicates are reported by semantic.ts; count each node once here.
  const peers = new Set(raw.peers);
  const witnesses = new Set(raw.witnesses.filter((id) => !peers.has(id)));
  const voters = 1 + peers.size + witnesses.size;
  const alone = `this node will be master alone (split brain if another node runs this VIP)`;
  if (raw.quorum === 'majority' && voters % 2 === 0) {
    if (witnesses.size === 0) {
      const split = voters === 2 ? 'a partition leaves' : 'a partition into two halves leaves';
      errors.push({ path: [...at, 'peers'], message: `${voters} voters and no witness: ${split} neither side a majority; add a witness or set quorum: none` });
    } else {
      const count = `this node, ${plural(peers.size, 'peer')} and ${plural(witnesses.size, 'witness')}`;
      errors.push({
        path: [...at, 'witnesses'],
        message: `${voters} voters (${count}): with an even number a partition into two halves leaves neither side a majority, and it tolerates no more failures than ${voters - 1} voters; add or remove a witness to make the count odd`,
      });
    }
  }
  // On a LAN the VRRP peers find each other by multicast: no peer list is expected.
  if (raw.quorum === 'none' && peers.size === 0 && !hasSeeds && transport !== 'multicast') {
    warnings.push({ path: [...at, 'quorum'], message: `group ${raw.name} has no peers and quorum none: ${alone}` });
  }
  // One voter is its own majority: the same risk as quorum none, which the user did not choose.
  // Not repeated when transport auto already failed for want of peers and seeds.
  if (raw.quorum === 'majority' && voters === 1 && transport !== 'multicast') {
    warnings.push({ path: [...at, 'peers'], message: `group ${raw.name} has no peers or witnesses: this node is its only voter, so ${alone}` });
  }
  return { errors, warnings };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : noun.endsWith('s') ? 'es' : 's'}`;
}

/** `notify:` with its defaults: commands killed after 30 s, webhooks 5 s per attempt. */
function notifyConfig(raw: NonNullable<RawNotify>): NotifyConfig {
  return {
    ...(raw.master ? { master: raw.master } : {}), ...(raw.backup ? { backup: raw.backup } : {}),
    ...(raw.fault ? { fault: raw.fault } : {}), ...(raw.stop ? { stop: raw.stop } : {}), ...(raw.script ? { script: raw.script } : {}),
    timeoutMs: raw.timeout ?? 30_000,
    webhooks: raw.webhooks.map((w) => ({ url: w.url, timeoutMs: w.timeout ?? 5_000, attempts: w.attempts })),
  };
}
