/**
 * Hitless reload (SIGHUP, `vipctl reload`; docs/api.md "Reload"): the file is read and validated
 * like at start, compared with the configuration in force, and the plan printed. What can change
 * in place is applied without touching the groups that did not change: the advert keys (keys,
 * active key, signing mode) and the certificates (the TLS files' contents, run.ts reads them)
 * rotate, and unicast and VRRP (multicast) groups are added, removed or changed (a changed
 * group stops, handing off if it is master, and starts again with its new settings). Anything
 * else is listed with what it needs, and then nothing is applied: a reload never resets a
 * running group behind the operator's back. An invalid file is refused with its errors; the
 * running configuration stays.
 */
import type { AuthConfig, GroupConfig, VipdConfig } from '../config/types.js';

export interface ReloadPlan {
  /** One line per difference, in words. */
  readonly lines: readonly string[];
  /** Differences that only a restart applies; non-empty means nothing is applied. */
  readonly restart: readonly string[];
  /** The advert keys differ, and can be rotated in place. */
  readonly rotateKeys: boolean;
  /** Groups to start, new or changed (in the new file's order). */
  readonly add: readonly GroupConfig[];
  /** Groups to stop, removed or changed. */
  readonly remove: readonly string[];
}

export interface ReloadContext {
  /** Whether the running node can add and remove groups of this transport (src/app/group-reload.ts). */
  readonly inPlace: (transport: GroupConfig['transport']) => boolean;
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

/** Why group `g` (as it was, `before`, and as it will be) cannot change in place; none: it can. */
function groupBlockers(old: VipdConfig, next: VipdConfig, g: GroupConfig | undefined, before: GroupConfig | undefined, ctx: ReloadContext): string[] {
  const why: string[] = [];
  for (const t of new Set([before?.transport, g?.transport])) {
    if (t !== undefined && !ctx.inPlace(t)) {
      why.push(t === 'both' ? 'it speaks VRRP beside gRPC (transport both), whose identities are set up at start'
        : t === 'multicast' ? 'this node has no VRRP transport yet (its sockets are set up at start)'
          : 'this node speaks only VRRP (no gRPC peer links)');
    }
  }
  if ((old.bfd?.enabled || next.bfd?.enabled) && [before, g].some((x) => x && x.transport !== 'multicast')) why.push('bfd is enabled: BFD sessions to the groups\' peers are set up at start');
  if (g) {
    // Checks run from the start for the groups that track them; a new one starts with a restart.
    const running = new Set(old.groups.flatMap((x) => x.tracks.map((t) => t.check)));
    const missing = g.tracks.map((t) => t.check).filter((c) => !running.has(c));
    if (missing.length > 0) why.push(`it tracks ${missing.join(', ')}, which no running group tracks (checks start at start)`);
    if (g.notify && !same(g.notify, before?.notify)) why.push('its notify hooks are new (hooks are set up at start)');
    // A provider's SDK is loaded at start, never while elections run (ProviderPlugin.load).
    const used = new Set(old.groups.flatMap((x) => x.providers.map((p) => p.type)));
    const fresh = g.providers.map((p) => p.type).filter((t) => !used.has(t));
    if (fresh.length > 0) why.push(`provider ${fresh.join(', ')} is not loaded (its SDK loads at start)`);
  }
  return why;
}

const UNICAST_AND_MULTICAST: ReloadContext = { inPlace: (t) => t !== 'both' };

export function planReload(old: VipdConfig, next: VipdConfig, ctx: ReloadContext = UNICAST_AND_MULTICAST): ReloadPlan {
  const lines: string[] = [];
  const restart: string[] = [];
  const add: GroupConfig[] = [];
  const remove: string[] = [];
  const oldGroups = new Map(old.groups.map((g) => [g.name, g]));
  const nextGroups = new Map(next.groups.map((g) => [g.name, g]));
  const plan = (what: string, g: GroupConfig | undefined, before: GroupConfig | undefined) => {
    const why = groupBlockers(old, next, g, before, ctx);
    if (why.length > 0) {
      restart.push(`${what} (${why.join('; ')})`);
      return;
    }
    lines.push(`${what}: ${g && before ? 'restarted in place (a master hands off first)' : g ? 'started' : 'stopped (a master hands off first)'}`);
    if (before) remove.push(before.name);
    if (g) add.push(g);
  };
  for (const [name, g] of nextGroups) {
    const before = oldGroups.get(name);
    if (!before) plan(`group ${name} added`, g, undefined);
    else {
      const fields = groupChanges(before, g);
      if (fields.length > 0) plan(`group ${name} changed: ${fields.join(', ')}`, g, before);
    }
  }
  for (const [name, before] of oldGroups) if (!nextGroups.has(name)) plan(`group ${name} removed`, undefined, before);
  // A node's role follows from having groups: a member left with none would be a witness.
  if (old.groups.length > 0 && next.groups.length === 0) restart.push('every group removed (a member without groups: restart as a witness)');
  const rotateKeys = !same(old.auth, next.auth);
  if (rotateKeys) {
    lines.push(`advert keys: ${keysLine(old.auth)} -> ${keysLine(next.auth)} (rotated in place)`);
    if (next.bfd?.enabled || old.bfd?.enabled) restart.push('advert keys with bfd enabled: BFD keys are derived from them at start');
    if (!old.auth || !next.auth) restart.push('signing turned on or off (tls and auth added or removed)');
  }
  const sections: [string, unknown, unknown][] = [
    ['cluster_id', old.clusterId, next.clusterId], ['node', old.node, next.node], ['seeds', old.seeds, next.seeds],
    // The TLS files' paths may change; their contents rotate in place (src/app/cert-rotation.ts).
    ['insecure', old.insecure, next.insecure], ['tls.allow', old.tls?.allow, next.tls?.allow], ['tls', old.tls === undefined, next.tls === undefined], ['timing', old.timing, next.timing],
    ['log', old.log, next.log], ['membership', old.membership, next.membership], ['bfd', old.bfd, next.bfd],
    ['checks', old.checks, next.checks], ['api', old.api, next.api], ['sync_groups', old.syncGroups, next.syncGroups],
  ];
  for (const [name, a, b] of sections) if (!same(a, b)) restart.push(`${name} changed`);
  for (const r of restart) lines.push(`${r}: needs a restart (systemctl restart vipd)`);
  return { lines, restart, rotateKeys, add, remove };
}
