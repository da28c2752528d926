/**
 * Who a VRRP advert comes from, in a `transport: both` group whose VRRP speakers are all vipd
 * nodes (`vrrp_peers: vipd`, docs/lan-mode.md). VRRP names its sender only by the packet's source
 * address and carries no term (RFC 5798 §5.1.1.1, §5.2), while the same master's gRPC adverts
 * name its node id and term. Seen under two identities, one master looks like two: a backup that
 * last heard the VRRP copy follows "192.0.2.10", so a crash verdict or a handoff from "node-a"
 * would not match it, and the old master's priority-0 VRRP advert after a handoff (RFC 5798
 * §6.4.3 Shutdown) would look like the resignation of the master it follows.
 *
 * So each node's Hello (its standing: the group's tie-break address, on its own authenticated
 * stream, before it can be master) and each authorised gRPC advert (refuseAdvert passed: the
 * sender's certificate, a peer of the group, an address it announced) teaches "address A speaks
 * for node N", with N's latest gRPC term, and a VRRP advert from A is given to the election as
 * N's with that term. It gains nothing N did not send itself over its authenticated stream. A
 * claim counts while N is live in membership (or for CLAIM_TTL_MS after it was made). An address
 * that two live node ids claim (a readdressed node, or an insider announcing another's address)
 * maps to nobody. An advert that maps to nobody stays the address's, as in any VRRP group, and is
 * marked `addressOnly`: the election never hands off to such a sender (a name that is no node:
 * the Handoff could reach nobody, and our voter's promise would move to it; step.ts
 * masterHearsAdvert).
 *
 * VRRP itself is not authenticated (RFC 5798 §9): anyone on the LAN can send adverts from any
 * source address, in this mode as in keepalived's. This mapping makes that no worse: a forged
 * VRRP advert gets at most the identity and term its source address's owner already has.
 */
import type { Advert } from '../core/election/types.js';

/**
 * How long a claim counts without the claimant live in membership (ms): a peer heard over gRPC a
 * moment ago whose membership entry is not alive yet (a restart) still owns its address.
 */
export const CLAIM_TTL_MS = 10_000;
/**
 * After start, VRRP adverts of a peer may arrive before its first gRPC advert: an unknown
 * speaker is reported only after this (or 3 × Master_Down_Interval, whichever is longer).
 */
export const START_GRACE_MS = 3_000;
/** The most nodes whose claims are kept per group (a group has a handful of peers; this bounds an insider). */
export const MAX_CLAIMS_PER_GROUP = 64;

interface Claim {
  readonly address: string;
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
  /** Per group: node id -> the address it last claimed for the group, with its latest gRPC term. */
  private readonly claims = new Map<string, Map<string, Claim>>();

  /**
   * `nodeId` said, on its own authenticated stream, that its VRRP adverts for `group` come from
   * `address`: an authorised gRPC advert (with its `term`), or its Hello's standing (no term: the
   * last one heard stays). A node claims one address per group; a new one replaces the old.
   */
  learn(group: string, address: string | undefined, nodeId: string, term: number | undefined, now: number): void {
    if (!address || (term !== undefined && (!Number.isSafeInteger(term) || term < 0))) return;
    let byNode = this.claims.get(group);
    if (!byNode) this.claims.set(group, (byNode = new Map()));
    const old = byNode.get(nodeId);
    if (!old && byNode.size >= MAX_CLAIMS_PER_GROUP) return;
    const kept = old?.address === address ? old.term : 0;
    byNode.set(nodeId, { address, term: term ?? kept, at: now });
  }

  /**
   * The advert as the election should see it (`advert.sender.address` is the VRRP source). A
   * claim counts while its node is `live` in membership, or for CLAIM_TTL_MS after it was made.
   * An advert no single claim accounts for stays the address's and is marked `addressOnly`.
   */
  resolve(group: string, advert: Advert, now: number, live: (nodeId: string) => boolean): VrrpSender {
    const address = advert.sender.address;
    const claimants: Array<[string, Claim]> = [];
    for (const [id, c] of this.claims.get(group) ?? []) {
      if (c.address === address && (live(id) || now - c.at <= CLAIM_TTL_MS)) claimants.push([id, c]);
    }
    const anonymous: Advert = { ...advert, addressOnly: true };
    if (claimants.length === 0) return { kind: 'unknown', advert: anonymous };
    if (claimants.length > 1) return { kind: 'ambiguous', advert: anonymous, claimants: claimants.map(([id]) => id).sort() };
    const [id, c] = claimants[0] as [string, Claim];
    const { addressOnly: _dropped, ...named } = advert;
    return { kind: 'vipd', advert: { ...named, sender: { nodeId: id, address: c.address }, term: Math.max(advert.term, c.term) } };
  }
}
