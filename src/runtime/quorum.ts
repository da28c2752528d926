/**
 * Split-brain guard arithmetic (issue 3 §5): a group's voters are this node, its peers and its
 * witnesses; a voter counts while membership sees it alive (a suspect does not: suspicion means
 * our probes, direct and indirect, already failed). Quorum is a strict majority.
 */
import type { Member } from '../core/membership/types.js';

export interface Voters {
  readonly peers: readonly string[];
  readonly witnesses: readonly string[];
}

export function quorumOf(v: Voters, members: ReadonlyMap<string, Member>): { hasQuorum: boolean; detail: string } {
  const others = [...v.peers, ...v.witnesses];
  const total = 1 + others.length;
  const seen = 1 + others.filter((id) => members.get(id)?.state === 'alive').length;
  return { hasQuorum: seen * 2 > total, detail: `${seen}/${total} voters` };
}
