/**
 * Who may speak for a group (issue 8 finding 5). Before, any allow-listed node could send
 * adverts for any group: a witness sending priority 255 made every member Backup, and the
 * tie-breaking address (RFC 5798 §6.4.3) was whatever the advert said.
 *
 * An advert that arrived over an authenticated transport (gRPC: the stream's certificate and
 * Hello) is accepted only from a node that runs the group: one of its configured peers, or, for
 * a group without a peer list, a node whose Hello announces the group. Never from one of the
 * group's witnesses. Its `address` must be one of the tie-break addresses the sender announced. Pure; the
 * runtime counts and logs the refusal.
 */
import type { Advert } from './types.js';

/** What the authenticated transport knows of the sender (gRPC: its Hello on this stream). */
export interface AdvertOrigin {
  readonly nodeId: string;
  /** The tie-break addresses it announced (absent: none). */
  readonly primaryAddresses?: readonly string[];
  /** The groups it announced running. */
  readonly groups?: readonly string[];
  /** Where it serves peers, by its own word on its authenticated stream (gRPC Hello.address). */
  readonly address?: string;
}

/** A group's configured voters besides this node (config peers and witnesses). */
export interface GroupMembers {
  readonly peers: readonly string[];
  readonly witnesses: readonly string[];
}

export const ADVERT_REFUSALS = ['identity-mismatch', 'from-witness', 'not-a-peer', 'group-not-announced', 'address-mismatch'] as const;
export type AdvertRefusal = (typeof ADVERT_REFUSALS)[number];

/**
 * Why `advert` for `group` from `origin` must be dropped, or undefined when it may be heard.
 * `members` is the group's configuration on this node; undefined for a group this node does not
 * run (a witness voting in it), which then relies on the sender's announcement alone.
 */
export function refuseAdvert(group: string, members: GroupMembers | undefined, advert: Advert, origin: AdvertOrigin): AdvertRefusal | undefined {
  const sender = advert.sender.nodeId;
  if (sender !== origin.nodeId) return 'identity-mismatch';
  if (members?.witnesses.includes(sender)) return 'from-witness';
  if (members && members.peers.length > 0) {
    if (!members.peers.includes(sender)) return 'not-a-peer';
  } else if (!origin.groups?.includes(group)) {
    return 'group-not-announced';
  }
  // No address (ties fall to the node id, identity.ts) only from a sender that announced none.
  const address = advert.sender.address ?? '';
  const announced = origin.primaryAddresses ?? [];
  if (address === '' ? announced.length > 0 : !announced.includes(address)) return 'address-mismatch';
  return undefined;
}
