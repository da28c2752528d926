/**
 * Reading what the system tools print. Pure functions: tested with captured output, and they
 * never throw on odd input (an unparsable answer is "nothing found", and the caller decides).
 */
import { isIPv4, isIPv6 } from 'node:net';

export interface LinkState {
  /** The interface's MAC address, lower case, when it has one. */
  readonly mac: string | undefined;
  /** Canonical addresses on the interface (IPv6 compressed, lower case). */
  readonly addresses: ReadonlySet<string>;
  /** The metric (IFA_RT_PRIORITY) of each address that has one: the local provider's mark of ownership. */
  readonly metrics: ReadonlyMap<string, number>;
}

/** The output of `ip -j addr show dev IF`. */
export function parseAddrShow(json: string): LinkState | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    return undefined;
  }
  if (!Array.isArray(parsed) || parsed.length === 0) return undefined;
  const link = parsed[0] as { address?: unknown; addr_info?: unknown };
  const addresses = new Set<string>();
  const metrics = new Map<string, number>();
  if (Array.isArray(link.addr_info)) {
    for (const a of link.addr_info as Array<{ local?: unknown; metric?: unknown }>) {
      if (typeof a.local === 'string') {
        const canonical = canonicalAddress(a.local);
        if (!canonical) continue;
        addresses.add(canonical);
        if (typeof a.metric === 'number' && Number.isInteger(a.metric)) metrics.set(canonical, a.metric);
      }
    }
  }
  return { mac: typeof link.address === 'string' ? link.address.toLowerCase() : undefined, addresses, metrics };
}

/** RFC 5952 text for IPv6 (WHATWG URL parsing compresses and lower-cases), IPv4 as is. */
export function canonicalAddress(text: string): string | undefined {
  if (isIPv4(text)) return text;
  if (isIPv6(text) && !text.includes('%')) return new URL(`http://[${text}]/`).hostname.slice(1, -1);
  return undefined;
}

const MAC = '([0-9a-f]{2}(?::[0-9a-f]{2}){5})';

/** MACs that answered `arping -D` (iputils): "Unicast reply from 192.0.2.50 [6A:70:4D:42:DF:B2]  0.530ms". */
export function parseArpingReplies(stdout: string): string[] {
  const re = new RegExp(`reply from \\S+ \\[${MAC}\\]`, 'gi');
  return unique([...stdout.matchAll(re)].map((m) => (m[1] ?? '').toLowerCase()));
}

/** MACs that answered `ndisc6` (a neighbour solicitation): "Target link-layer address: 6A:70:4D:42:DF:B2". */
export function parseNdisc6Replies(stdout: string): string[] {
  const re = new RegExp(`Target link-layer address: ${MAC}`, 'gi');
  return unique([...stdout.matchAll(re)].map((m) => (m[1] ?? '').toLowerCase()));
}

/** iproute2 wording differs across versions; these cover 5.x ("RTNETLINK answers: …") and 6.x ("Error: ipv4: …"). */
export const ipMessages = {
  notPermitted: (stderr: string) => /Operation not permitted/i.test(stderr),
  noSuchDevice: (stderr: string) => /Cannot find device|does not exist|No such device/i.test(stderr),
  alreadyAssigned: (stderr: string) => /already assigned|File exists/i.test(stderr),
  addressNotFound: (stderr: string) => /address not found|Cannot assign requested address/i.test(stderr),
  /** `ip route del` of a route that is not there (RTNETLINK ESRCH). */
  noSuchRoute: (stderr: string) => /No such process/i.test(stderr),
};

function unique(values: string[]): string[] {
  return [...new Set(values.filter(Boolean))];
}
