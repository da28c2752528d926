/**
 * Who a VRRP advert comes from, in a `transport: both` group whose VRRP speakers are all vipd
 * nodes (`vrrp_peers: vipd`, docs/lan-mode.md). VRRP names its sender only by the packet's source
 * address and carries no term (RFC 5798 §5.1.1.1, §5.2), while the same master's gRPC adverts
 * name its node id and term. Seen under two identities, one master looks like two: a backup that
 * last heard the VRRP copy follows "192.0.2.10", so a crash verdict or a handoff from "node-a"
 * would not match it, and the old master's priority-0 VRRP advert after a handoff (RFC 5798
 * §6.4.3 Shutdown) would look like the resignation of the master it follows.
 *
 * So each authorised gRPC advert (refuseAdvert passed: the sender's certificate, a peer of the
 * group, an address it announced in its Hello) teaches "address A speaks for node N at term T",
 * and a VRRP advert from A is given to the election as N's, with N's latest gRPC term. It gains
 * nothing N did not send itself over its authenticated stream. An address that two node ids
 * claimed within CLAIM_TTL_MS (a readdressed node, or an insider announcing another's address)
 * maps to nobody: its VRRP adverts stay the address's, as in any VRRP group.
 *
 * VRRP itself is not authenticated (RFC 5798 §9): anyone on the LAN can send adverts from any
 * source address, in this mode as in keepalived's. This mapping makes that no worse: a forged
 * VRRP advert gets at most the identity and term its source address's owner already has.
 */
import type { Advert } from '../core/election/types.js';

/** How long a claim "address A is node N" counts without a fresh gRPC advert (ms). */
export const CLAIM_TTL_MS = 10_000;
/**
 * After start, VRRP adverts of a peer may arrive before its first gRPC advert: an unknown
 * speaker is reported only after this (or 3 × Master_Down_Interval, whichever is longer).
 */
export const START_GRACE_MS = 3_000;
/** The most addresses kept per group (a group has a handful of peers; this bounds an insider). */
export const MAX_CLAIMS_PER_GROUP = 64;

interface Claim {
  readonly nodeId: string;
  readonly term: number;
  readonly at: number;
}

export type VrrpSender =
  | { readonly kind: 'vipd'; readonly advert: Advert }
  /** No vipd node claims the address: a keepalived or FRR router, or a peer not heard over gRPC yet. */
  | { readonly kind: 'unknown'; readonly advert: Advert }
  /** Two node ids claim the address. */
  | { readonly kind: 'ambiguous'; readonly advert: Advert; readonly claimants: readonly string[] };

export class VrrpIdentities {
  /** Per group: address -> the node ids that claimed it, with their latest term. */
  private readonly claims = new Map<string, Map<string, Map<string, Claim>>>();

  /** An authorised gRPC advert of `group` from `nodeId`, sent from `address` (its tie-break address). */
  learn(group: string, address: string | undefined, nodeId: string, term: number, now: number): void {
    if (!address || !Number.isSafeInteger(term) || term < 0) return;
    let byAddress = this.claims.get(group);
    if (!byAddress) this.claims.set(group, (byAddress = new Map()));
    let ids = byAddress.get(address);
    if (!ids) {
      if (byAddress.size >= MAX_CLAIMS_PER_GROUP) this.expire(byAddress, now);
      if (byAddress.size >= MAX_CLAIMS_PER_GROUP) return;
      byAddress.set(address, (ids = new Map()));
    }
    ids.set(nodeId, { nodeId, term, at: now });
  }

  /** The advert as the election should see it: `advert.sender.address` is the VRRP source. */
  resolve(group: string, advert: Advert, now: number): VrrpSender {
    const address = advert.sender.address;
    const ids = address === undefined ? undefined : this.claims.get(group)?.get(address);
    const live = ids ? [...ids.values()].filter((c) => now - c.at <= CLAIM_TTL_MS) : [];
    if (live.length === 0) return { kind: 'unknown', advert };
    if (live.length > 1) return { kind: 'ambiguous', advert, claimants: live.map((c) => c.nodeId).sort() };
    const c = live[0] as Claim;
    return { kind: 'vipd', advert: { ...advert, sender: { nodeId: c.nodeId, address: address as string }, term: Math.max(advert.term, c.term) } };
  }

  private expire(byAddress: Map<string, Map<string, Claim>>, now: number): void {
    for (const [address, ids] of byAddress) {
      for (const [id, c] of ids) if (now - c.at > CLAIM_TTL_MS) ids.delete(id);
      if (ids.size === 0) byAddress.delete(address);
    }
  }
}
