/**
 * Hitless reload (SIGHUP, `vipctl reload`; docs/api.md "Reload"): the file is read and validated
 * like at start, compared with the configuration in force, and the plan printed. What can change
 * in place is applied without touching any group's election: today the advert keys (keys, active
 * key, signing mode), so keys rotate without a restart. Any other change is listed with what
 * it needs, and then nothing is applied: a reload never resets a running group behind the
 * operator's back. An invalid file is refused with its errors; the running configuration stays.
 */
import type { AuthConfig, GroupConfig, VipdConfig } from '../config/types.js';

export interface ReloadPlan {
  /** One line per difference, in words. */
  readonly lines: readonly string[];
  /** Differences that only a restart applies; non-empty means nothing is applied. */
  readonly restart: readonly string[];
  /** The advert keys differ, and can be rotated in place. */
  readonly rotateKeys: boolean;
}

const same = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Ids and a digest-free fingerprint of the keys: a secret never appears in a line. */
function keysLine(a: AuthConfig | undefined): string {
  if (!a) return 'none';
  return `mode ${a.mode}, active ${a.activeKeyId ?? '(none)'}, keys [${a.keys.map((k) => k.id).join(', ')}]`;
}

function groupChanges(a: GroupConfig, b: GroupConfig): string[] {
  const keys = new Set([...Object.keys(a), ...Object.keys(b)]) as Set<keyof GroupConfig>;
  return [...keys].filter((k) => !same(a[k], b[k])).map(String).sort();
}

export function planReload(old: VipdConfig, next: VipdConfig): ReloadPlan {
  const lines: string[] = [];
  const restart: string[] = [];
  const oldGroups = new Map(old.groups.map((g) => [g.name, g]));
  const nextGroups = new Map(next.groups.map((g) => [g.name, g]));
  for (const [name] of nextGroups) if (!oldGroups.has(name)) restart.push(`group ${name} added`);
  for (const [name] of oldGroups) if (!nextGroups.has(name)) restart.push(`group ${name} removed`);
  for (const [name, g] of nextGroups) {
    const before = oldGroups.get(name);
    if (!before) continue;
    const fields = groupChanges(before, g);
    if (fields.length > 0) restart.push(`group ${name} changed: ${fields.join(', ')}`);
  }
  const rotateKeys = !same(old.auth, next.auth);
  if (rotateKeys) {
    lines.push(`advert keys: ${keysLine(old.auth)} -> ${keysLine(next.auth)} (rotated in place)`);
    if (next.bfd?.enabled || old.bfd?.enabled) restart.push('advert keys with bfd enabled: BFD keys are derived from them at start');
    if (!old.auth || !next.auth) restart.push('signing turned on or off (tls and auth added or removed)');
  }
  const sections: [string, unknown, unknown][] = [
    ['cluster_id', old.clusterId, next.clusterId], ['node', old.node, next.node], ['seeds', old.seeds, next.seeds],
    ['insecure', old.insecure, next.insecure], ['tls', old.tls, next.tls], ['timing', old.timing, next.timing],
    ['log', old.log, next.log], ['membership', old.membership, next.membership], ['bfd', old.bfd, next.bfd],
    ['checks', old.checks, next.checks], ['api', old.api, next.api], ['sync_groups', old.syncGroups, next.syncGroups],
  ];
  for (const [name, a, b] of sections) if (!same(a, b)) restart.push(`${name} changed`);
  for (const r of restart) lines.push(`${r}: needs a restart (systemctl restart vipd)`);
  return { lines, restart, rotateKeys };
}
