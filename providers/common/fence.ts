/**
 * The cross-node fence (docs/providers.md "Fencing"). A cloud resource can be moved by any node
 * with the credentials, whenever it likes: a master that was cut off, or whose call hung and
 * lands late, would take the resource back from the new master (keepalived #100, #950). So each
 * cloud mode stores a fence record on its resource (EC2 tags, a GCP label or description): the
 * holder's term, its node id, and the wall-clock time it last asserted. Before taking the
 * resource, a provider reads the record and refuses (ErrorClass 'fenced', counted) when
 * another node holds it with a higher term that is still fresh.
 *
 * - Terms are compared only for unicast groups (ProviderRequest.fenced): their terms are
 *   ordered across the cluster (a node adopts the highest term it hears; leases keep one master
 *   per term, docs/leases.md). VRRP groups count terms per node.
 * - A live master rewrites the record at least every `reassert_interval` (the driver's
 *   reconcile loop calls acquire), so a record older than FENCE_TTL_FACTOR × reassert_interval
 *   belongs to a holder that is gone. That bounds the one case the fence could otherwise lock
 *   everyone out: the whole cluster restarted (terms start again from 0) while the last holder's
 *   host is down. A holder that releases marks the record released, which fences nobody.
 * - Reading and writing the record is not atomic (EC2 has no compare-and-set). The fence
 *   closes the window of stale calls that arrive seconds or minutes late; the election and the
 *   leases keep two masters from acting in the same instant, and the reconcile loop repairs.
 */

/** Why a provider call was not sent (label `reason` of vipd_provider_fenced_total). */
export const FENCE_REASONS = ['superseded', 'higher-term'] as const;
export type FenceReason = (typeof FENCE_REASONS)[number];

/** A record older than this many reassert intervals no longer fences. */
export const FENCE_TTL_FACTOR = 3;

export interface FenceRecord {
  readonly term: number;
  readonly node: string;
  /** Wall-clock milliseconds since the epoch when the holder last asserted. */
  readonly atMs: number;
  /** Set by a holder that released: fences nobody. */
  readonly released: boolean;
}

/**
 * One text value ("t=5;n=node-a;at=1764633600000" plus ";rel"), short enough for a tag or a
 * label. Node ids are config names (a-z, 0-9, "-"), so they never contain ";".
 */
export function encodeFence(r: FenceRecord): string {
  return `t=${r.term};n=${r.node};at=${r.atMs}${r.released ? ';rel' : ''}`;
}

/** Parses a record; undefined for anything malformed (a hand-edited tag must not throw). */
export function parseFence(text: string | undefined): FenceRecord | undefined {
  if (text === undefined || text.length > 512) return undefined;
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    fields.set(eq < 0 ? part : part.slice(0, eq), eq < 0 ? '' : part.slice(eq + 1));
  }
  const term = decimal(fields.get('t'));
  const atMs = decimal(fields.get('at'));
  const node = fields.get('n');
  if (term === undefined || atMs === undefined || !node) return undefined;
  return { term, node, atMs, released: fields.has('rel') };
}

/**
 * A non-negative safe integer written in decimal digits, as encodeFence writes it. Number()
 * alone would read "" as 0, " 7" as 7 and "0x7fffffff" as a term, so a damaged or hand-edited
 * record could fence (or unfence) by accident.
 */
function decimal(text: string | undefined): number | undefined {
  if (text === undefined || !/^[0-9]{1,16}$/.test(text)) return undefined;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : undefined;
}

export type FenceVerdict = { readonly take: true } | { readonly take: false; readonly detail: string };

/**
 * May `self`, deciding at `term`, take a resource whose fence record is `record`?
 * Only a fresh, unreleased record of another node with a higher term says no.
 */
export function fenceVerdict(
  record: FenceRecord | undefined,
  req: { readonly term: number; readonly fenced?: boolean },
  self: string,
  nowMs: number,
  ttlMs: number,
): FenceVerdict {
  if (!req.fenced || !record || record.released || record.node === self || record.term <= req.term) return { take: true };
  const ageMs = nowMs - record.atMs;
  // A record dated more than a TTL in the future comes from a clock that is far off: counting
  // it fresh would fence for as long as that clock is ahead, not for at most a TTL.
  if (Math.abs(ageMs) >= ttlMs) return { take: true };
  return {
    take: false,
    detail: `${record.node} holds it at term ${record.term} (ours is ${req.term}), asserted ${Math.max(0, Math.round(ageMs / 1000))} s ago; a newer master owns it`,
  };
}
