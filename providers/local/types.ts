/** Configuration, components and reports of the `local` provider (see README.md). */
import type { VipConfig } from '../../src/config/types.js';
import type { Clock } from '../../src/ports/clock.js';
import type { Logger } from '../../src/ports/logger.js';
import type { CommandRunner } from './commands.js';

/**
 * When the provider tells the link that it holds the VIPs: gratuitous ARP for IPv4, unsolicited
 * Neighbor Advertisement for IPv6 (RFC 4861 §7.2.6). One "round" is one announcement per VIP.
 */
export interface AnnounceSchedule {
  /** Rounds in a burst (keepalived vrrp_garp_master_repeat: 5). */
  readonly burstCount: number;
  /** Between rounds of a burst. keepalived sends its 5 back to back; 200 ms spreads them over a switch hiccup. */
  readonly burstIntervalMs: number;
  /** A second burst this long after acquiring (keepalived vrrp_garp_master_delay: 5 s); 0 = none. */
  readonly secondBurstDelayMs: number;
  /**
   * One round (plus the address check and the conflict probe) this often after the second burst;
   * 0 = never. 60 s: well inside the 300 s MAC ageing time of IEEE 802.1D bridges, and a host
   * that missed both bursts (it booted later, a partition healed) is corrected within a minute,
   * at one frame per VIP per minute (kube-vip's 3 s costs 20 times as many).
   */
  readonly refreshIntervalMs: number;
}

export const DEFAULT_ANNOUNCE: AnnounceSchedule = {
  burstCount: 5,
  burstIntervalMs: 200,
  secondBurstDelayMs: 5_000,
  refreshIntervalMs: 60_000,
};

/** Another host answered for a VIP (ARP for IPv4, NDP for IPv6). Reported, never fought. */
export interface VipConflict {
  readonly address: string;
  readonly family: 4 | 6;
  readonly interface: string;
  /** MAC of the host that answered, lower case. */
  readonly mac: string;
  /** Which check found it: right after acquire, a periodic refresh, or an explicit probeConflicts(). */
  readonly found: 'acquire' | 'refresh' | 'probe';
}

export interface LocalProviderOptions {
  /** Interface that carries the VIPs, e.g. "eth0". */
  readonly interface: string;
  /** The addresses to hold, with the prefix length to add them with. */
  readonly vips: readonly VipConfig[];
  /**
   * Label for IPv4 VIPs (`ip addr … label`), keepalived style. Default "IF:vip" when that fits in
   * 15 characters, else none; false = none. IPv6 addresses have no labels.
   */
  readonly label?: string | false;
  /** Run every command inside this network namespace (keepalived's net_namespace). */
  readonly netns?: string;
  /**
   * When to announce; false = never (a cloud network that routes by its own table, such as an
   * AWS VPC for secondary private IPs, needs no ARP: providers/aws). Then arping and ndptool are
   * not needed either, and conflicts are not probed.
   */
  readonly announce?: Partial<AnnounceSchedule> | false;
  /** Probe for another host answering for a VIP after acquiring and at each refresh (default true). */
  readonly detectConflicts?: boolean;
  /** Called for every conflict found (wire it to a metric); must not throw. */
  readonly onConflict?: (conflict: VipConflict) => void;
  /** Limit for each command of the tools path (default 5 s). */
  readonly commandTimeoutMs?: number;
  /**
   * The native path (rtnetlink and sockets, nothing spawned: README.md "Native path"). Default:
   * on unless a `runner` is injected; without the built addon the tools run instead (logged,
   * counted in `toolFallbacks`). false: always the tools.
   */
  readonly native?: boolean;
}

/** What the provider needs from its host (js-libp2p style components). */
export interface LocalProviderComponents {
  readonly logger: Logger;
  readonly clock: Clock;
  /** Default: the real system (execFile). An injected runner also means the tools path. */
  readonly runner?: CommandRunner;
}

/** What `cleanup` (and every release) found on the interface. */
export interface CleanupReport {
  readonly interface: string;
  /** VIPs that carried the mark and were removed ("192.0.2.50/24"). */
  readonly removed: readonly string[];
  /** VIPs present without the mark: not added by vipd, left in place. */
  readonly notOurs: readonly string[];
  /** The interface does not exist: nothing to remove. */
  readonly interfaceMissing: boolean;
}

/** Running totals for metrics and tests. */
export interface LocalProviderCounters {
  /** Gratuitous ARPs and unsolicited NAs sent successfully. */
  announcements: number;
  announceFailures: number;
  conflicts: number;
  /** VIPs found missing while held and put back (someone flushed the interface). */
  readded: number;
  /** Failures in the background refresh (logged and survived). */
  backgroundErrors: number;
  /** 1 when this provider wanted the native path but its addon is unavailable, so it runs the tools (logged at construction). */
  toolFallbacks: number;
}

/**
 * The mark of an address the local provider added: its metric (IFA_RT_PRIORITY, `ip addr add …
 * metric 5798`). The kernel keeps it with the address, so a restarted vipd, or `vipd cleanup`
 * after a crash, recognises its own addresses and never an operator's identical one (which has
 * no metric unless someone chose exactly this one). A metric rather than a label: IPv6 addresses
 * have no labels, and an IPv4 label must be "IF:…" within 15 characters, which long interface
 * names leave no room for; iproute2 6.1 cannot set the kernel's address protocol (IFA_PROTO).
 * The metric also becomes that of the prefix route the kernel adds for the address, when it adds
 * one (IPv4 primaries, IPv6): 5798 is well above the kernel's defaults (0 for IPv4, 256 for
 * IPv6), so such a route never wins over another route to the same prefix. 5798 is RFC 5798.
 */
export const OWNERSHIP_METRIC = 5798;

/** Which tool does what, and the Debian package that ships it. */
export const TOOLS = {
  ip: { package: 'iproute2', purpose: 'adding and removing addresses' },
  arping: { package: 'iputils-arping', purpose: 'gratuitous ARP and IPv4 conflict probes' },
  ndptool: { package: 'libndp-tools', purpose: 'unsolicited IPv6 Neighbor Advertisements' },
  ndisc6: { package: 'ndisc6', purpose: 'IPv6 conflict probes' },
} as const;
export type Tool = keyof typeof TOOLS;
