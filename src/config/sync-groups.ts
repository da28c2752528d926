/**
 * `sync_groups:` (issue 11 §2, docs/sync-groups.md): groups listed together change role
 * together, keepalived's vrrp_sync_group. The first group listed leads: the others follow it on
 * this node (src/runtime/sync-groups.ts says how, and why that cannot split them).
 */
import { z } from 'zod';
import { documentDefault, name, section } from './fields.js';
import { duplicates, type Finding } from './findings.js';
import { listError } from './messages.js';
import type { SyncGroupConfig } from './types.js';

const MAX_MEMBERS = 64;

export const syncGroupSchema = section(
  {
    name: name('the sync group\'s name (its fault resource is sync:NAME)'),
    groups: z.array(name('the name of a group in `groups`'), { error: listError('a list of group names', 'the groups that change role together, the leader first') })
      .min(2, { error: (iss) => `needs at least 2 groups, a leader and a follower; got ${Array.isArray(iss.input) ? iss.input.length : 0}` })
      .max(MAX_MEMBERS, { error: `at most ${MAX_MEMBERS} groups` })
      .describe('the groups that change role together; the first one leads: the others are held out of the election here while it is not Master here, and any of them failing on its own moves the leader (docs/sync-groups.md)'),
  },
  'a sync group: name and groups (leader first)',
);

export const syncGroupsSchema = documentDefault(
  z.array(syncGroupSchema, { error: listError('a list of sync groups', 'groups that change role together (docs/sync-groups.md)') }).max(256).default([])
    .describe('groups that change role together, keepalived\'s vrrp_sync_group (docs/sync-groups.md); a group is in at most one'),
  [],
);

export type RawSyncGroup = z.output<typeof syncGroupSchema>;

/** The sync groups, checked against the groups the file defines. */
export function normalizeSyncGroups(raw: readonly RawSyncGroup[], groupNames: readonly string[]): { syncGroups: SyncGroupConfig[]; errors: Finding[] } {
  const known = new Set(groupNames);
  const errors: Finding[] = [
    ...duplicates(raw.map((s, i) => ({ key: s.name, path: ['sync_groups', i, 'name'] })), (k, first) => `sync group "${k}" is defined twice (first at ${first})`),
    // One group in two sync groups would be led by two leaders, which may sit on different nodes.
    ...duplicates(raw.flatMap((s, i) => s.groups.map((g, j) => ({ key: g, path: ['sync_groups', i, 'groups', j] }))), (k, first) => `group "${k}" is already in a sync group (at ${first}); a group can follow only one leader`),
  ];
  raw.forEach((s, i) => s.groups.forEach((g, j) => {
    if (!known.has(g)) errors.push({ path: ['sync_groups', i, 'groups', j], message: `no group named "${g}" in groups (${groupNames.length > 0 ? `there are: ${groupNames.join(', ')}` : 'there are none'})` });
  }));
  const syncGroups = raw.map((s) => ({ name: s.name, leader: s.groups[0] ?? '', followers: s.groups.slice(1) }));
  return { syncGroups, errors };
}
