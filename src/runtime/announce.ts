/**
 * What a node's Hello announces about its groups (issue 8 finding 5): the unicast groups it runs,
 * the primary addresses their adverts carry (config node.address; groups that also speak VRRP,
 * their interface's), and where it stands in each (crash-verdict ranking, crash-verdict.ts).
 * Built at start (src/app/cluster.ts) and again after a reload changed the groups
 * (ClusterNode.reconfigure, MembershipTransport.reannounce).
 */
import type { Announcement } from '../ports/membership-transport.js';
import type { ClusterGroup } from './cluster-node.js';

export function announcementOf(groups: readonly Pick<ClusterGroup, 'params' | 'transport'>[]): Announcement {
  const unicast = groups.filter((g) => (g.transport ?? 'unicast') !== 'multicast');
  const addresses = unicast.map((g) => g.params.self.address).filter((a): a is string => a !== undefined && a !== '');
  const standing = unicast.map((g) => ({ group: g.params.group, priority: g.params.basePriority, address: g.params.self.address ?? '' }));
  return { primaryAddresses: [...new Set(addresses)], groups: unicast.map((g) => g.params.group), standing };
}
