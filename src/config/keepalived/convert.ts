/**
 * A parsed keepalived.conf as a vipd document (docs/keepalived-import.md). Three passes, because
 * keepalived lets blocks refer to each other in any order: definitions (global_defs, vrrp_script,
 * track_file, vrrp_track_process) and sync-group membership; then the instances; then the sync
 * groups, which add trackers and hooks to their members. The result is plain data plus, per path,
 * the keepalived position it came from and the comments it needs; emit.ts writes the YAML and
 * import.ts checks it with vipd's own loader.
 */
import { formatPath, type Path } from '../findings.js';
import { CheckRegistry } from './checks.js';
import { readGlobalDefs, type GlobalDefs } from './global-defs.js';
import { buildGroup, groupOrigins, type GroupDraft } from './group-draft.js';
import { convertInstance } from './instance.js';
import { where, type SourceRef } from './lexer.js';
import { statement, type KNode, type Parsed } from './parser.js';
import { Report } from './report.js';
import { finishSyncGroup, readSyncGroup, type SyncDraft } from './sync.js';
import { unmappedReason } from './unmapped.js';
import { Names, vipdName } from './values.js';

export interface ConvertOptions {
  /** keepalived's default router_id is the host name; so is the importer's node.id. */
  readonly hostName?: string | undefined;
}

export interface Conversion {
  readonly doc: Record<string, unknown>;
  /** formatPath of a path in `doc` -> where keepalived said it. */
  readonly origins: Map<string, SourceRef>;
  /** Comment lines before a path (the report's entries come on top, emit.ts). */
  readonly comments: [Path, string][];
  /** Lines of the header comment, after the summary. */
  readonly header: string[];
  readonly report: Report;
  readonly files: readonly string[];
  readonly counts: { readonly groups: number; readonly checks: number; readonly syncGroups: number };
}

/** Not a keepalived name: what the file's cluster is called is the user's choice. */
export const IMPORTED_CLUSTER_ID = 'keepalived';

export function convertKeepalived(parsed: Parsed, options: ConvertOptions = {}): Conversion {
  const report = new Report();
  for (const n of parsed.notes) report.note(n.at, n.option, n.reason);
  const checks = new CheckRegistry(report);
  let defs: GlobalDefs = { garp: {} };
  const instances: KNode[] = [];
  const syncs: SyncDraft[] = [];

  for (const node of parsed.nodes) {
    switch (node.name) {
      case 'global_defs': defs = readGlobalDefs(node, defs, report); break;
      case 'vrrp_script': checks.defineScript(node); break;
      case 'track_file': case 'vrrp_track_file': checks.defineFile(node); break;
      case 'vrrp_track_process': checks.defineProcess(node); break;
      case 'vrrp_sync_group': {
        const s = readSyncGroup(node, report);
        if (s) syncs.push(s);
        break;
      }
      case 'vrrp_instance': instances.push(node); break;
      default: report.unmapped(node.at, statement(node), unmappedReason('top', node.name));
    }
  }

  const syncOf = new Map<string, SyncDraft>();
  for (const s of syncs) for (const m of s.members) if (!syncOf.has(m.source)) syncOf.set(m.source, s);
  const groupNames = new Names();
  const groups: GroupDraft[] = [];
  const bySource = new Map<string, GroupDraft>();
  for (const node of instances) {
    const sync = syncOf.get(node.args[0]?.text ?? '');
    const draft = convertInstance(node, {
      ...(defs.version && { version: defs.version }), garp: defs.garp, checks, names: groupNames, report,
      ...(sync && { sync: { name: sync.source, trackingWeight: sync.trackingWeight } }),
    });
    if (draft && acceptAmong(draft, groups, report)) {
      groups.push(draft);
      if (!bySource.has(draft.source)) bySource.set(draft.source, draft);
    }
  }

  const syncNames = new Names();
  const taken = new Set<string>();
  const syncOut: { name: string; groups: string[]; at: SourceRef }[] = [];
  for (const s of syncs) {
    const out = finishSyncGroup(s, bySource, syncNames, taken, checks, report, syncOut.length);
    if (out) syncOut.push({ ...out, at: s.node.at });
  }

  const origins = new Map<string, SourceRef>();
  const comments: [Path, string][] = [];
  const header: string[] = [];
  const nodeId = nodeIdOf(defs, options.hostName, report, header);
  if (defs.routerId) origins.set(formatPath(['node', 'id']), defs.routerId.at);
  groups.forEach((g, i) => {
    const at: Path = ['groups', i];
    for (const [rel, ref] of groupOrigins(g)) origins.set(formatPath([...at, ...rel]), ref);
    comments.push([at, ` vrrp_instance ${g.source} (${where(g.at)})`]);
    for (const [rel, text] of g.comments) comments.push([[...at, ...rel], text]);
    report.absorb(g.report, at);
  });
  checks.defs.forEach((c, i) => {
    origins.set(formatPath(['checks', i]), c.at);
    for (const [field, ref] of c.origins) origins.set(formatPath(['checks', i, field]), ref);
  });
  syncOut.forEach((s, i) => origins.set(formatPath(['sync_groups', i]), s.at));

  report.sort(parsed.files);
  const doc: Record<string, unknown> = {
    cluster_id: IMPORTED_CLUSTER_ID,
    node: { id: nodeId },
    groups: groups.map(buildGroup),
    ...(checks.defs.length > 0 && { checks: checks.defs.map((c) => c.out) }),
    ...(syncOut.length > 0 && { sync_groups: syncOut.map((s) => ({ name: s.name, groups: s.groups })) }),
  };
  return {
    doc, origins, comments, header, report, files: parsed.files,
    counts: { groups: groups.length, checks: checks.defs.length, syncGroups: syncOut.length },
  };
}

/** vipd needs VRIDs and VIPs unique in the file; keepalived allows a VRID again on another interface. */
function acceptAmong(g: GroupDraft, groups: readonly GroupDraft[], report: Report): boolean {
  const same = groups.find((o) => o.vrid === g.vrid);
  if (same) {
    report.absorb(g.report, undefined);
    report.unmapped(g.at, `vrrp_instance ${g.source}`, `virtual_router_id ${g.vrid} is ${same.source}'s too (${where(same.at)}); vipd needs each VRID once per file, keepalived allows it again on another interface or family: not imported (run it in a second vipd)`);
    return false;
  }
  const kept = g.vips.filter((v) => {
    const other = groups.find((o) => o.vips.some((x) => x.vip.address === v.vip.address));
    if (other) g.report.unmapped(v.at, v.text, `is a VIP of ${other.source} too; a VIP belongs to one group in vipd: left out here`, ['vips']);
    return !other;
  });
  if (kept.length === 0) {
    report.absorb(g.report, undefined);
    report.unmapped(g.at, `vrrp_instance ${g.source}`, 'every VIP of it belongs to an earlier instance: not imported');
    return false;
  }
  g.vips = kept;
  return true;
}

function nodeIdOf(defs: GlobalDefs, hostName: string | undefined, report: Report, header: string[]): string {
  const router = defs.routerId;
  if (router) {
    const id = vipdName(router.value);
    if (id !== undefined) {
      if (id !== router.value) report.note(router.at, `router_id ${router.value}`, `node.id ${id} (vipd ids: a-z, 0-9, "-")`, ['node', 'id']);
      return id;
    }
    report.unmapped(router.at, `router_id ${router.value}`, 'makes no vipd id (a-z, 0-9, "-"): node.id comes from the host name');
  }
  const fromHost = hostName === undefined ? undefined : vipdName(hostName.split('.')[0] ?? '');
  if (fromHost !== undefined) {
    header.push(` node.id ${fromHost}: from the host name, as keepalived's router_id defaults to it`);
    return fromHost;
  }
  header.push(' node.id node-1: a placeholder (no router_id, no host name): give each node its own id');
  return 'node-1';
}
