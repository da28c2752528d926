// Rules between this node's role and addresses, its groups and the seeds it joins through
// (issue 3: the unicast cluster). Each part is read on its own, so one bad field does not hide
// the relations between the others.
import { formatHostPort, isUnspecifiedHost, parseHostPort, type HostPort } from './address.js';
import { duplicates, type Finding, type Path } from './findings.js';
import { nodeSchema, seedSchema } from './schema.js';
import type { NodeRole } from './types.js';

export interface ClusterResult {
  readonly errors: Finding[];
  /** Every seed that is valid on its own, canonical form, in document order. */
  readonly seeds: string[];
  /** Canonical forms; undefined when the field is invalid (advertise: also when absent). */
  readonly listen?: string;
  readonly advertise?: string;
  /** undefined when node.role is invalid. */
  readonly role?: NodeRole;
  /** Every valid listen, advertise and seed endpoint with its path (listen: also its default). */
  readonly endpoints: readonly { readonly path: Path; readonly endpoint: HostPort }[];
}

const GROUPS_HINT = 'the virtual routers this node takes part in';

export function clusterFindings(doc: Record<string, unknown>): ClusterResult {
  const errors: Finding[] = [];
  const node = asRecord(doc.node);
  const role = nodeSchema.shape.role.safeParse(node.role);
  const listen = endpoint(nodeSchema.shape.listen.safeParse(node.listen));
  const advertise = node.advertise === undefined ? undefined : endpoint(nodeSchema.shape.advertise.safeParse(node.advertise));

  if (role.success) errors.push(...roleFindings(role.data, doc.groups));

  // A peer handed "0.0.0.0:7946" would dial itself; say which address to publish instead.
  if (listen && isUnspecifiedHost(listen) && node.advertise === undefined) {
    const listenText = formatHostPort(listen);
    errors.push({
      path: ['node', 'advertise'],
      message: `required when listen is ${listenText} (every address): peers cannot dial "any"; give the address they should dial, e.g. 198.51.100.7:${listen.port || 7946}`,
    });
  }

  const seeds: { text: string; path: (string | number)[]; endpoint: HostPort }[] = [];
  (Array.isArray(doc.seeds) ? doc.seeds : []).forEach((item: unknown, index) => {
    const parsed = endpoint(seedSchema.safeParse(item));
    if (parsed) seeds.push({ text: formatHostPort(parsed), path: ['seeds', index], endpoint: parsed });
  });
  errors.push(...duplicates(seeds.map(({ text, path }) => ({ key: text, path })), (seed, first) => `duplicate seed ${seed} (also at ${first})`));
  const own = [
    { text: listen && formatHostPort(listen), field: 'node.listen' },
    { text: advertise && formatHostPort(advertise), field: 'node.advertise' },
  ];
  for (const seed of seeds) {
    const self = own.find((entry) => entry.text === seed.text);
    if (self) errors.push({ path: seed.path, message: `${seed.text} is this node's own address (${self.field}); list other nodes` });
  }

  const endpoints = [
    ...(listen ? [{ path: ['node', 'listen'], endpoint: listen }] : []),
    ...(advertise ? [{ path: ['node', 'advertise'], endpoint: advertise }] : []),
    ...seeds.map((seed) => ({ path: seed.path, endpoint: seed.endpoint })),
  ];
  return {
    errors,
    endpoints,
    seeds: seeds.map((seed) => seed.text),
    ...(listen && { listen: formatHostPort(listen) }),
    ...(advertise && { advertise: formatHostPort(advertise) }),
    ...(role.success && { role: role.data }),
  };
}

/** A witness votes but holds no VIPs (issue 3), so groups would never run; a member without one does nothing. */
function roleFindings(role: NodeRole, groups: unknown): Finding[] {
  if (role === 'witness' && Array.isArray(groups) && groups.length > 0) {
    return [{ path: ['groups'], message: 'must be absent or empty for a witness (node.role: witness votes but holds no VIPs); remove the groups or set role: member' }];
  }
  if (role === 'member' && groups === undefined) {
    return [{ path: ['groups'], message: `required (${GROUPS_HINT}; a member needs at least one, only a witness has none)` }];
  }
  if (role === 'member' && Array.isArray(groups) && groups.length === 0) {
    return [{ path: ['groups'], message: 'must be a list of at least one group for a member; got an empty list (a node without groups is role: witness)' }];
  }
  return [];
}

function endpoint(parsed: { success: boolean; data?: string | undefined }) {
  if (!parsed.success || parsed.data === undefined) return undefined;
  const result = parseHostPort(parsed.data);
  return result.ok ? result : undefined;
}

export function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}
