// Whole-document validation: the schema's per-field findings, then the rules that relate
// fields. Relations are checked on every part that passed the schema on its own, so one bad
// group does not hide a duplicate VRID between two good ones: the user sees ALL errors.
import { parseAddress } from './address.js';
import { asRecord, clusterFindings } from './cluster.js';
import { TIMING_PRESETS } from './presets.js';
import { parseDuration, formatDuration } from './duration.js';
import { duplicates, type Finding } from './findings.js';
import { normalizeChecks } from './checks.js';
import { checkSchema } from './checks-schema.js';
import { normalizeSyncGroups, syncGroupsSchema } from './sync-groups.js';
import { normalizeGroup } from './group.js';
import { normalizeApi } from './api.js';
import { apiSchema } from './api-schema.js';
import { fallbackError } from './messages.js';
import { DEFAULT_PROVIDER, type ProviderCatalogue } from './provider-schema.js';
import { membershipSchema, nodeSchema, schemasFor, timingSchema, type RawBfd, type RawMembership, type Schemas as ProviderSchemas } from './schema.js';
import { trustFindings } from './trust.js';
import type { BfdConfig, GroupConfig, MembershipConfig, NodeConfig, ProviderConfig, VipdConfig } from './types.js';
import type { z } from 'zod';

export interface Validation {
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** Present exactly when `errors` is empty. */
  readonly config?: VipdConfig;
}

export interface DocumentContext {
  /** The directory of the configuration file; the files it names are relative to it. */
  readonly baseDir: string;
  /** Why the configuration file itself may be read by others (inline secrets warn). */
  readonly looseMode?: string | undefined;
  /** The providers a group may name (the registry, src/app/providers.ts). */
  readonly providers: ProviderCatalogue;
}

export function validateDocument(raw: unknown, { baseDir, looseMode, providers }: DocumentContext): Validation {
  const schemas = schemasFor(providers);
  const full = schemas.config.safeParse(raw, { error: fallbackError });
  const errors: Finding[] = full.success ? [] : full.error.issues.flatMap(fromZodIssue);
  const warnings: Finding[] = [];

  const doc = asRecord(raw);
  const timing = timingSchema.safeParse(doc.timing);
  const preset = TIMING_PRESETS[timing.success ? timing.data : 'lan'];
  const node = nodeSchema.safeParse(doc.node);
  const nodeId = nodeSchema.shape.id.safeParse(asRecord(doc.node).id);
  // As written: a seed that is itself invalid still shows the intent to join a cluster.
  const hasSeeds = Array.isArray(doc.seeds) && doc.seeds.length > 0;

  // Checks first: groups track them by name.
  const rawChecks: unknown[] = Array.isArray(doc.checks) ? doc.checks : [];
  const parsedChecks = rawChecks.flatMap((c, i) => {
    const p = checkSchema.safeParse(c);
    return p.success ? [{ i, c: p.data }] : [];
  });
  const checked = normalizeChecks(parsedChecks.map((x) => x.c), parsedChecks.map((x) => rawChecks[x.i]), parsedChecks.map((x) => x.i));
  errors.push(...checked.errors);
  const checkNames = rawChecks.map((c) => asRecord(c).name).filter((n): n is string => typeof n === 'string');

  const groups: { index: number; group: GroupConfig }[] = [];
  const rawGroups: unknown[] = Array.isArray(doc.groups) ? doc.groups : [];
  rawGroups.forEach((item, index) => {
    const parsed = schemas.group.safeParse(item);
    if (!parsed.success) return;
    const result = normalizeGroup(parsed.data, ['groups', index], {
      presetAdvertMs: preset.advertIntervalMs,
      presetLeaseStallMs: preset.leaseStallToleranceMs,
      hasSeeds,
      catalogue: providers,
      defaultProvider: () => defaultProvider(schemas.provider),
      configDir: baseDir,
      checks: checked.checks,
      checkNames,
    });
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    groups.push({ index, group: result.group });
  });
  const nodeAddress = nodeSchema.shape.address.safeParse(asRecord(doc.node).address);
  errors.push(...crossGroupFindings(groups, nodeId.success ? nodeId.data : undefined, nodeAddress.success && nodeAddress.data !== undefined ? canonicalAddress(nodeAddress.data) : undefined));

  // A document that is not a mapping has one error, said by the schema; "required" for each
  // of its sections would only repeat it.
  const isMapping = typeof raw === 'object' && raw !== null && !Array.isArray(raw);
  const cluster = isMapping ? clusterFindings(doc) : { errors: [], seeds: [], endpoints: [] };
  errors.push(...cluster.errors);
  const trust = isMapping
    ? trustFindings(doc, {
        baseDir,
        ...(looseMode !== undefined && { looseMode }),
        ...(nodeId.success && { nodeId: nodeId.data }),
        hasSeeds,
        endpoints: cluster.endpoints,
        groups,
        allGroupsValid: groups.length === rawGroups.length && (doc.groups === undefined || Array.isArray(doc.groups)),
        ...(cluster.role !== undefined && { role: cluster.role }),
      })
    : { errors: [], warnings: [] };
  errors.push(...trust.errors);
  warnings.push(...trust.warnings);


  const overrides = doc.membership === undefined ? undefined : membershipSchema.safeParse(doc.membership);
  let membership: MembershipConfig = preset.membership;
  if (overrides?.success) {
    membership = mergeMembership(membership, overrides.data);
    // Only a problem the user wrote: with an invalid timing preset we cannot know the defaults.
    if (timing.success) errors.push(...membershipFindings(membership, overrides.data));
  }

  const rawSync = syncGroupsSchema.safeParse(doc.sync_groups);
  const sync = rawSync.success ? normalizeSyncGroups(rawSync.data, rawGroups.map((g) => asRecord(g).name).filter((n): n is string => typeof n === 'string')) : { syncGroups: [], errors: [] };
  errors.push(...sync.errors);

  const rawApi = apiSchema.safeParse(doc.api);
  const api = rawApi.success ? normalizeApi(rawApi.data, baseDir) : { errors: [] };
  errors.push(...api.errors);

  if (!full.success || errors.length > 0 || api.api === undefined || !node.success || !timing.success) return { errors, warnings };
  // Implied by a document without errors; spelled out so the types narrow.
  if (cluster.listen === undefined || cluster.role === undefined || trust.insecure === undefined) return { errors, warnings };
  // tls and auth are both present, or both absent for a LAN-only node (trust.ts said which).
  if (!trust.insecure && (trust.tls === undefined) !== (trust.auth === undefined)) return { errors, warnings };
  const data = full.data;
  const nodeConfig: NodeConfig = {
    id: node.data.id,
    ...(node.data.address !== undefined && { address: canonicalAddress(node.data.address) }),
    role: cluster.role,
    listen: cluster.listen,
    ...(cluster.advertise !== undefined && { advertise: cluster.advertise }),
  };
  const config: VipdConfig = {
    clusterId: data.cluster_id,
    node: nodeConfig,
    seeds: cluster.seeds,
    insecure: trust.insecure,
    ...(trust.tls && { tls: trust.tls }),
    ...(trust.auth && { auth: trust.auth }),
    timing: timing.data,
    log: { level: data.log.level, format: data.log.format },
    membership,
    ...(data.bfd && { bfd: bfdConfig(data.bfd) }),
    checks: checked.checks,
    api: api.api,
    groups: groups.map((entry) => entry.group),
    syncGroups: sync.syncGroups,
    configDir: baseDir,
  };
  return { errors, warnings, config };
}

/** `bfd:` with its defaults (20 ms; the RFC 5881 / RFC 5883 port of the mode). */
function bfdConfig(raw: RawBfd): BfdConfig {
  const interval = raw.interval === undefined ? undefined : parseDuration(raw.interval);
  return {
    enabled: raw.enabled,
    intervalMs: interval?.ok ? interval.ms : 20,
    multiplier: raw.multiplier,
    adaptive: raw.adaptive,
    mode: raw.mode,
    port: raw.port ?? (raw.mode === 'single-hop' ? 3784 : 4784),
  };
}

/** DEFAULT_PROVIDER through the catalogue's own schema, so its options are what that provider parses. */
function defaultProvider(schema: ProviderSchemas['provider']): ProviderConfig {
  const parsed = schema.safeParse(DEFAULT_PROVIDER);
  // A registry without the default provider is a programming error, not a problem of the file.
  if (!parsed.success) throw new Error(`the provider registry has no "${DEFAULT_PROVIDER.type}" provider for groups that name none`);
  return parsed.data;
}

/** Zod reports all unknown keys of a mapping in one issue; we want one finding per key. */
function fromZodIssue(issue: z.core.$ZodIssue): Finding[] {
  const path = issue.path.filter((segment): segment is string | number => typeof segment !== 'symbol');
  if (issue.code !== 'unrecognized_keys') return [{ path, message: issue.message }];
  const lines = issue.message.split('\n');
  return issue.keys.map((key, i) => ({ path: [...path, key], message: lines[i] ?? `unknown key ${JSON.stringify(key)}`, at: 'key' as const }));
}

function crossGroupFindings(groups: readonly { index: number; group: GroupConfig }[], nodeId: string | undefined, nodeAddress: string | undefined): Finding[] {
  const at = (index: number, ...rest: (string | number)[]) => ['groups', index, ...rest];
  const found = [
    ...duplicates(
      groups.map(({ index, group }) => ({ key: group.name, path: at(index, 'name') })),
      (name, first) => `duplicate group name "${name}" (also at ${first}); group names must be unique`,
    ),
    ...duplicates(
      groups.map(({ index, group }) => ({ key: String(group.vrid), path: at(index, 'vrid') })),
      (vrid, first) => `duplicate vrid ${vrid} (also at ${first}); each group needs its own VRID`,
    ),
    // Two groups claiming one address would fight over it; so would one group listing it twice.
    ...duplicates(
      groups.flatMap(({ index, group }) => group.vips.map((vip, j) => ({ key: vip.address, path: at(index, 'vips', j) }))),
      (address, first) => `duplicate VIP ${address} (also at ${first}); a VIP belongs to one group, once`,
    ),
  ];
  for (const { index, group } of groups) {
    // The provider removes a VIP whenever this node is not master: that would take the node's
    // own address away, and vipd has no address-owner mode that keeps it (RFC 5798 §3, §6.1).
    group.vips.forEach((vip, j) => {
      if (vip.address === nodeAddress) {
        found.push({ path: at(index, 'vips', j), message: `${vip.address} is node.address, this node's own address: the VIP is removed whenever this node is not master, and the node would lose its address with it; use another address` });
      }
    });
    const peers = group.peers.map((peer, j) => ({ key: peer, path: at(index, 'peers', j) }));
    const witnesses = group.witnesses.map((witness, j) => ({ key: witness, path: at(index, 'witnesses', j) }));
    found.push(...duplicates(peers, (peer, first) => `duplicate peer "${peer}" (also at ${first})`));
    found.push(...duplicates(witnesses, (witness, first) => `duplicate witness "${witness}" (also at ${first})`));
    for (const { key, path } of [...peers, ...witnesses]) {
      if (key === nodeId) found.push({ path, message: `"${key}" is this node's own id (node.id); list only the other members` });
    }
    for (const { key, path } of witnesses) {
      if (group.peers.includes(key)) found.push({ path, message: `"${key}" is also in peers; a node either holds VIPs and votes (peers) or only votes (witnesses)` });
    }
  }
  return found;
}

function mergeMembership(preset: MembershipConfig, raw: RawMembership): MembershipConfig {
  const ms = (value: string | number | undefined, fallback: number) => {
    const parsed = value === undefined ? undefined : parseDuration(value);
    return parsed?.ok ? parsed.ms : fallback;
  };
  return {
    probeIntervalMs: ms(raw.probe_interval, preset.probeIntervalMs),
    probeTimeoutMs: ms(raw.probe_timeout, preset.probeTimeoutMs),
    indirectProbes: raw.indirect_probes ?? preset.indirectProbes,
    suspicionMultiplier: raw.suspicion_multiplier ?? preset.suspicionMultiplier,
    ...(raw.crash_verdict_window === undefined ? {} : { crashVerdictWindowMs: ms(raw.crash_verdict_window, 0) }),
  };
}

/** A probe that may outlive its interval would overlap the next one (SWIM's protocol period). */
function membershipFindings(merged: MembershipConfig, raw: RawMembership): Finding[] {
  if (merged.probeTimeoutMs < merged.probeIntervalMs) return [];
  const key = raw.probe_timeout === undefined ? 'probe_interval' : 'probe_timeout';
  const message = `probe_timeout (${formatDuration(merged.probeTimeoutMs)}) must be shorter than probe_interval (${formatDuration(merged.probeIntervalMs)})`;
  return [{ path: ['membership', key], message }];
}

function canonicalAddress(text: string): string {
  const parsed = parseAddress(text);
  return parsed.ok ? parsed.address : text;
}
