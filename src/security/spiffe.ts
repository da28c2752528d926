/**
 * vipd node identities as SPIFFE IDs: `spiffe://<clusterId>/node/<nodeId>`. The trust domain is
 * the cluster id, so a certificate from one cluster never names a node of another. Both ids
 * follow the config's name rule (src/config/schema.ts), which is also a valid SPIFFE trust
 * domain and path segment and a valid DNS label.
 */

const NAME = /^[a-z0-9-]{1,63}$/;
export const NAME_RULE = '1-63 characters of a-z, 0-9 and "-"';

/** Undefined when `id` is a valid cluster or node id; otherwise why not. */
export function nameProblem(kind: 'node id' | 'cluster id', id: string): string | undefined {
  return NAME.test(id) ? undefined : `${kind} ${JSON.stringify(id)} is invalid: it must be ${NAME_RULE}`;
}

export function spiffeId(clusterId: string, nodeId: string): string {
  return `spiffe://${clusterId}/node/${nodeId}`;
}

const SPIFFE_NODE = /^spiffe:\/\/([a-z0-9-]{1,63})\/node\/([a-z0-9-]{1,63})$/;

/** Splits a vipd SPIFFE ID; undefined when `uri` is not one. */
export function parseSpiffeId(uri: string): { clusterId: string; nodeId: string } | undefined {
  const m = SPIFFE_NODE.exec(uri);
  return m && m[1] !== undefined && m[2] !== undefined ? { clusterId: m[1], nodeId: m[2] } : undefined;
}
