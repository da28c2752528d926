/**
 * A group being imported: its parts with their keepalived positions, assembled into the `groups:`
 * entry only at the end, because sync groups still add trackers and hooks to their members.
 */
import type { Path } from '../findings.js';
import type { SourceRef } from './lexer.js';
import type { Hook, HookKind } from './notify.js';
import type { Report } from './report.js';
import type { TrackOut } from './tracks.js';
import { duration } from './values.js';
import type { VipEntry } from './vips.js';

export interface GroupDraft {
  /** keepalived's instance name. */
  readonly source: string;
  readonly name: string;
  readonly at: SourceRef;
  readonly vrid: number;
  readonly interface: string;
  readonly priority: number;
  readonly version: 2 | 3;
  readonly advertMs: number;
  readonly preempt: boolean;
  readonly preemptDelayMs?: number;
  vips: VipEntry[];
  readonly providers: Record<string, unknown>[];
  readonly authPass?: string;
  readonly tracks: TrackOut[];
  readonly hooks: Map<HookKind, Hook>;
  /** Relative path -> where keepalived said it. */
  readonly origins: [Path, SourceRef][];
  /** Extra comment lines (beyond the report's) before a relative path. */
  readonly comments: [Path, string][];
  /** Entries about this group, paths relative to it. */
  readonly report: Report;
}

/** The `groups:` entry, keys in the schema's order (src/config/schema.ts). */
export function buildGroup(g: GroupDraft): Record<string, unknown> {
  const notify: Record<string, unknown> = {};
  for (const kind of ['master', 'backup', 'fault', 'stop', 'script'] as const) {
    const hook = g.hooks.get(kind);
    if (hook) notify[kind] = hook.argv;
  }
  const [only] = g.providers;
  return {
    name: g.name,
    vrid: g.vrid,
    interface: g.interface,
    priority: g.priority,
    version: g.version,
    advert_interval: duration(g.advertMs),
    ...(!g.preempt && { preempt: false }),
    ...(g.preemptDelayMs !== undefined && { preempt_delay: duration(g.preemptDelayMs) }),
    vips: g.vips.map((v) => v.text),
    ...(g.providers.length === 1 ? { provider: only } : { providers: g.providers }),
    ...(g.authPass !== undefined && { auth_pass: g.authPass }),
    transport: 'multicast',
    ...(g.tracks.length > 0 && { track: g.tracks.map((t) => t.value) }),
    ...(Object.keys(notify).length > 0 && { notify }),
  };
}

/** Where each written part came from, relative to the group (for messages about the written file). */
export function groupOrigins(g: GroupDraft): [Path, SourceRef][] {
  const out: [Path, SourceRef][] = [[[], g.at], ...g.origins];
  g.vips.forEach((v, i) => out.push([['vips', i], v.at]));
  g.tracks.forEach((t, i) => out.push([['track', i], t.at]));
  for (const [kind, hook] of g.hooks) out.push([['notify', kind], hook.at]);
  return out;
}
