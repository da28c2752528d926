/**
 * The fake's instances methods: get, list, aggregatedList, and the mutations a provider makes —
 * updateNetworkInterface (the interface fingerprint, 412 conditionNotMet when stale; alias ranges
 * another instance holds), addAccessConfig / deleteAccessConfig (one per interface; an address in
 * use elsewhere) and setMetadata (the metadata fingerprint; replaces all items). Body fields the
 * fake does not model are refused (400 naming them), never ignored.
 */
import { conditionNotMet, invalid } from './errors.js';
import {
  echoOnly,
  filtered,
  findInstance,
  instanceOperation,
  listOf,
  notBusy,
  operationError,
  requirePermission,
  required,
  requireProject,
  targetNic,
  type Handler,
} from './api-context.js';
import { cidrSpan, normaliseRange, regionOf, type AccessConfig, type AliasIpRange } from './world.js';

// --- instances ---------------------------------------------------------------------------

export const instancesGet: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.instances.get', `${project}/zones/${call.params.zone}/instances/${call.params.instance}`);
  return ctx.render.instance(findInstance(call, ctx, call.view));
};

export const instancesList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.instances.list', `${project}/zones/${call.params.zone}`);
  const all = [...call.view.instances.values()].filter((i) => i.zone === call.params.zone).map((i) => ctx.render.instance(i));
  return listOf(call, ctx, 'compute#instanceList', `${project}/zones/${call.params.zone}/instances`, all);
};

export const instancesAggregatedList: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  requirePermission(ctx, 'compute.instances.list', project);
  const byZone: Record<string, { instances: unknown[] }> = {};
  for (const i of call.view.instances.values()) {
    const r = ctx.render.instance(i);
    if (!filtered(call, [r]).length) continue;
    (byZone[`zones/${i.zone}`] ??= { instances: [] }).instances.push(r);
  }
  return { kind: 'compute#instanceAggregatedList', id: `${project}/aggregated/instances`, items: byZone, selfLink: ctx.render.link(`${project}/aggregated/instances`) };
};

export const updateNetworkInterface: Handler = (call, ctx) => {
  const { path, instance, nic } = targetNic(call, ctx, 'compute.instances.updateNetworkInterface');
  const body = (call.body ?? {}) as { fingerprint?: string; aliasIpRanges?: AliasIpRange[] } & Record<string, unknown>;
  const current = ctx.render.instance(instance).networkInterfaces as Record<string, unknown>[];
  echoOnly(body, current[instance.nics.indexOf(nic)] ?? {}, ['fingerprint', 'aliasIpRanges'], `network interface '${nic.name}'`);
  if (!body.fingerprint)
    throw invalid(`Invalid value for field 'resource.fingerprint': ''. Supply the network interface's current fingerprint (from instances.get).`);
  if (body.fingerprint !== nic.fingerprint)
    throw conditionNotMet(`Supplied fingerprint does not match current fingerprint of network interface '${nic.name}' of '${path}'.`);
  notBusy(instance, ctx);
  // PATCH semantics: no aliasIpRanges in the body leaves them as they are. The generated clients
  // drop an empty list when they serialise, so "remove the last range" through them is a no-op
  // that still ends DONE (googleapis/google-cloud-python#11931); only a raw `[]` clears them.
  const wanted = body.aliasIpRanges?.map((r, n) => {
    const span = cidrSpan(r.ipCidrRange ?? '');
    if (!span) throw invalid(`Invalid value for field 'resource.aliasIpRanges[${n}].ipCidrRange': '${r.ipCidrRange ?? ''}'. Must be an IPv4 address or CIDR range.`);
    return { ...r, ipCidrRange: normaliseRange(r.ipCidrRange) };
  });
  const conflict = (ranges: AliasIpRange[]): string | undefined => {
    for (const r of ranges) {
      const h = ctx.world.aliasHolder(r.ipCidrRange, { instance, nic });
      if (h) return `IP address range ${r.ipCidrRange} is already in use by '${ctx.world.instancePath(h.instance)}' (network interface ${h.nic.name}, ${h.range}).`;
    }
    return undefined;
  };
  if (wanted) {
    const seen = new Set<string>();
    for (const r of wanted) {
      if (seen.has(r.ipCidrRange)) throw invalid(`Invalid value for field 'resource.aliasIpRanges': '${r.ipCidrRange}' is listed twice.`);
      seen.add(r.ipCidrRange);
    }
    const c = conflict(wanted);
    if (c) throw invalid(`Invalid value for field 'resource.aliasIpRanges': ${c}`);
  }
  return instanceOperation(call, ctx, instance, 'updateNetworkInterface', () => {
    if (!wanted) return undefined;
    const c = conflict(wanted);
    if (c) return operationError('IP_IN_USE_BY_ANOTHER_RESOURCE', c);
    ctx.world.setAliases(nic, wanted);
    return undefined;
  });
};

export const addAccessConfig: Handler = (call, ctx) => {
  const { project, path, instance, nic } = targetNic(call, ctx, 'compute.instances.addAccessConfig');
  const body = (call.body ?? {}) as Partial<AccessConfig> & Record<string, unknown>;
  for (const k of Object.keys(body))
    if (!['kind', 'name', 'natIP', 'type', 'networkTier'].includes(k)) throw invalid(`Invalid value for field 'resource.${k}': the gcp fake does not support '${k}' on an access config.`);
  if (body.type !== undefined && body.type !== 'ONE_TO_ONE_NAT') throw invalid(`Invalid value for field 'resource.type': '${body.type}'. Must be ONE_TO_ONE_NAT.`);
  if (body.networkTier !== undefined && body.networkTier !== 'PREMIUM') throw invalid(`Invalid value for field 'resource.networkTier': '${body.networkTier}'. The fake's addresses are PREMIUM.`);
  const region = regionOf(instance.zone);
  let natIP = body.natIP;
  if (natIP !== undefined) {
    const a = ctx.world.addressByIp(natIP);
    if (!a || a.region !== region)
      throw invalid(`Invalid value for field 'resource.natIP': '${natIP}'. The specified external IP address '${natIP}' was not found in region '${region}'.`);
    requirePermission(ctx, 'compute.addresses.use', `${project}/regions/${a.region}/addresses/${a.name}`);
  }
  if (nic.accessConfigs.length > 0)
    throw invalid(`Invalid value for field 'resource': At most one access config currently supported (network interface ${nic.name} of '${path}' has '${nic.accessConfigs[0]?.name}').`);
  notBusy(instance, ctx);
  const inUse = (ip: string): string | undefined => {
    const h = ctx.world.natHolder(ip);
    return h ? `The IP address '${ip}' is already being used by another resource ('${ctx.world.instancePath(h.instance)}', access config '${h.accessConfig.name}').` : undefined;
  };
  if (natIP === undefined) natIP = ctx.world.freeEphemeralIp();
  if (natIP === undefined) throw invalid('The gcp fake ran out of ephemeral external addresses.');
  const held = inUse(natIP);
  if (held) throw invalid(`Invalid value for field 'resource.natIP': '${natIP}'. ${held}`);
  const ac: AccessConfig = { name: body.name ?? 'external-nat', natIP, type: 'ONE_TO_ONE_NAT', networkTier: 'PREMIUM' };
  return instanceOperation(call, ctx, instance, 'addAccessConfig', () => {
    const h = inUse(ac.natIP);
    if (h) return operationError('IP_IN_USE_BY_ANOTHER_RESOURCE', h);
    if (nic.accessConfigs.length > 0) return operationError('INVALID_USAGE', 'At most one access config currently supported.');
    ctx.world.addAccessConfig(nic, ac);
    return undefined;
  });
};

export const deleteAccessConfig: Handler = (call, ctx) => {
  const { path, instance, nic } = targetNic(call, ctx, 'compute.instances.deleteAccessConfig');
  const name = required(call, 'accessConfig');
  if (!nic.accessConfigs.some((ac) => ac.name === name))
    throw invalid(`Invalid value for field 'accessConfig': '${name}'. No access config with that name on network interface ${nic.name} of '${path}'.`);
  notBusy(instance, ctx);
  return instanceOperation(call, ctx, instance, 'deleteAccessConfig', () => {
    if (!nic.accessConfigs.some((ac) => ac.name === name)) return operationError('RESOURCE_NOT_FOUND', `The access config '${name}' was not found.`);
    ctx.world.removeAccessConfig(nic, name);
    return undefined;
  });
};

const METADATA_KEY = /^[a-zA-Z0-9_-]{1,128}$/;
const METADATA_VALUE_MAX = 256 * 1024;

/** setMetadata replaces ALL items (https://cloud.google.com/compute/docs/reference/rest/v1/instances/setMetadata). */
export const setMetadata: Handler = (call, ctx) => {
  const project = requireProject(call, ctx);
  const path = `${project}/zones/${call.params.zone}/instances/${call.params.instance}`;
  requirePermission(ctx, 'compute.instances.setMetadata', path);
  const instance = findInstance(call, ctx, ctx.world.state);
  const body = (call.body ?? {}) as { fingerprint?: string; items?: { key?: string; value?: string }[] };
  if (!body.fingerprint) throw invalid(`Invalid value for field 'resource.fingerprint': ''. Supply the instance's current metadata fingerprint (from instances.get).`);
  if (body.fingerprint !== instance.metadata.fingerprint)
    throw conditionNotMet(`Supplied fingerprint does not match current metadata fingerprint of '${path}'.`);
  const seen = new Set<string>();
  const items = (body.items ?? []).map((x, n) => {
    if (!x.key || !METADATA_KEY.test(x.key)) throw invalid(`Invalid value for field 'resource.items[${n}].key': '${x.key ?? ''}'. Must be a match of regex '[a-zA-Z0-9-_]{1,128}'.`);
    if (seen.has(x.key)) throw invalid(`Invalid value for field 'resource.items[${n}].key': '${x.key}'. Duplicate key.`);
    seen.add(x.key);
    const value = x.value ?? '';
    if (Buffer.byteLength(value) > METADATA_VALUE_MAX) throw invalid(`Invalid value for field 'resource.items[${n}].value': longer than 256 KB.`);
    return { key: x.key, value };
  });
  notBusy(instance, ctx);
  return instanceOperation(call, ctx, instance, 'setMetadata', () => {
    ctx.world.setMetadataItems(instance, items);
    return undefined;
  });
};

