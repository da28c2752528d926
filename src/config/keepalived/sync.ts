/**
 * `vrrp_sync_group NAME { group { A B ... } track_* notify_* }` as `sync_groups: [{name, groups}]`
 * (docs/sync-groups.md). The first group listed leads: the others follow it on this node, and a
 * follower failing moves the leader. keepalived has no leader (any member's change moves all),
 * so the order of the `group` block decides the leader here, and the import says so.
 *
 * - The sync group's track_* blocks apply to every member, in keepalived and here.
 * - Its notify_* hooks go to the leader group (which moves first, and where the followers
 *   follow), when the leader has no hook of that kind of its own. keepalived calls a sync
 *   group's generic `notify` with GROUP NAME STATE; vipd calls it with INSTANCE LEADER STATE
 *   PRIORITY (docs/notify.md).
 */
import type { CheckRegistry } from './checks.js';
import type { GroupDraft } from './group-draft.js';
import type { SourceRef } from './lexer.js';
import { HOOK_OF, readHook, relativeHookNotes } from './notify.js';
import { statement, type KNode } from './parser.js';
import { Report } from './report.js';
import { isTrackBlock, readTrackBlock } from './tracks.js';
import type { Names } from './values.js';

export interface SyncDraft {
  readonly source: string;
  readonly node: KNode;
  /** Member instance names, in order, with where each is listed. */
  readonly members: { readonly source: string; readonly at: SourceRef }[];
  readonly trackingWeight: boolean;
}

/** First pass: who is in which sync group (instances need it for keepalived's weight rule). */
export function readSyncGroup(node: KNode, report: Report): SyncDraft | undefined {
  const source = node.args[0]?.text;
  if (source === undefined) {
    report.unmapped(node.at, 'vrrp_sync_group', 'has no name: not imported');
    return undefined;
  }
  const members: { source: string; at: SourceRef }[] = [];
  let trackingWeight = false;
  for (const s of node.block ?? []) {
    if (s.name === 'group') {
      for (const line of s.block ?? []) for (const word of [line.name, ...line.args.map((t) => t.text)]) members.push({ source: word, at: line.at });
    } else if (s.name === 'sync_group_tracking_weight') trackingWeight = true;
  }
  return { source, node, members, trackingWeight };
}

const OTHER: Record<string, string> = {
  smtp_alert: 'vipd sends no mail; notify.webhooks POSTs each role change as JSON (docs/notify.md)',
  global_tracking: 'deprecated in keepalived; vipd tracks per group',
  notify_priority_changes: 'vipd has no notify FIFO',
  notify_deleted: 'vipd deletes no group on reload',
};

/** Second pass, once the groups exist: the sync_groups entry, or undefined when fewer than two members were imported. */
export function finishSyncGroup(sync: SyncDraft, groups: ReadonlyMap<string, GroupDraft>, names: Names, taken: Set<string>, checks: CheckRegistry, report: Report, index: number): { name: string; groups: string[] } | undefined {
  const r = new Report();
  const members: GroupDraft[] = [];
  for (const m of sync.members) {
    const g = groups.get(m.source);
    if (!g) r.unmapped(m.at, `group { ${m.source} }`, `no vrrp_instance ${m.source} was imported: left out of the sync group`);
    else if (taken.has(g.name)) r.unmapped(m.at, `group { ${m.source} }`, 'is in another vrrp_sync_group already; a group follows one leader: left out');
    else if (members.includes(g)) r.note(m.at, `group { ${m.source} }`, 'listed twice: once is enough');
    else members.push(g);
  }
  if (members.length < 2) {
    report.absorb(r, undefined);
    report.unmapped(sync.node.at, `vrrp_sync_group ${sync.source}`, `only ${members.length} of its instances ${members.length === 1 ? 'was' : 'were'} imported; a sync group needs two: not imported`);
    return undefined;
  }
  for (const g of members) taken.add(g.name);
  const leader = members[0] as GroupDraft;
  const name = names.claim(sync.source, 'sync');
  r.note(sync.node.at, `vrrp_sync_group ${sync.source}`, `${leader.name} (listed first) leads: the others follow it to the node where it is Master (docs/sync-groups.md); keepalived has no leader, so list first the group that should decide`);
  for (const s of sync.node.block ?? []) {
    if (s.name === 'group' || s.name === 'sync_group_tracking_weight') continue;
    if (isTrackBlock(s.name)) {
      // Applied to every member; its problems are reported once, with the first member.
      members.forEach((g, i) => readTrackBlock(s, { checks, report: i === 0 ? g.report : new Report(), tracked: g.tracks }));
    } else if (Object.hasOwn(HOOK_OF, s.name)) {
      const hook = readHook(s, r, []);
      if (!hook) continue;
      if (leader.hooks.has(hook.kind)) {
        r.unmapped(s.at, statement(s), `the leader ${leader.name} has a notify.${hook.kind} of its own; vipd has no sync-group hook: merge the two into one script`);
        continue;
      }
      leader.hooks.set(hook.kind, hook);
      relativeHookNotes(new Map([[hook.kind, hook]]), leader.report, ['notify']);
      const args = hook.kind === 'script' ? ' keepalived called it with GROUP NAME STATE, vipd calls it with INSTANCE, the leader\'s name, STATE and PRIORITY.' : '';
      r.note(s.at, s.name, `vipd has no sync-group hook: it runs as the leader ${leader.name}'s notify.${hook.kind}, which changes role first.${args}`);
    } else {
      r.unmapped(s.at, statement(s), OTHER[s.name] ?? 'not a vrrp_sync_group option the importer knows');
    }
  }
  report.absorb(r, ['sync_groups', index]);
  return { name, groups: members.map((g) => g.name) };
}
