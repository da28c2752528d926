/**
 * Where the GCP modes keep the fence record (providers/common/fence.ts): in the metadata of the
 * instance that takes the resource, key `vipd-fence-<group>`. Alias ranges and access configs
 * have no field of their own to carry it, and routes cannot be changed once made (a refresh
 * would mean a new route every reassert interval), so all three modes use the same place: the
 * taker writes its record on itself BEFORE it moves anything, and a node reads the records of
 * the holder and of the other members before it takes. A stale master that reads after the
 * new master's write sees the higher term whether or not the move has finished.
 * Race window: the record is read, then the move is made (no compare-and-set across
 * instances); two nodes that read within the same few hundred ms can both go ahead. The
 * election and leases keep that from happening between live masters; the reconcile loop
 * repairs what a late call did (docs/providers.md "Fencing").
 */
import { encodeFence, fenceVerdict, FENCE_TTL_FACTOR, parseFence, type FenceRecord } from '../common/fence.js';
import { fenced as countFenced, type CallRequest } from '../common/cloud-call.js';
import type { ProviderRequest } from '../../src/ports/vip-provider.js';
import type { Instance } from './compute.js';
import { isStaleFingerprint } from './classify.js';
import { wait, type ModeContext } from './context.js';

/** Metadata keys: [a-zA-Z0-9-_]{1,128}; group names are [a-z0-9-]{1,63} (src/config/schema.ts). */
export function fenceKey(group: string): string {
  return `vipd-fence-${group}`;
}

/** The record an instance carries for the group, if any (malformed text reads as none). */
export function readFence(instance: Instance | undefined, group: string): FenceRecord | undefined {
  const item = instance?.metadata?.items?.find((i) => i.key === fenceKey(group));
  return parseFence(item?.value ?? undefined);
}

/** Refuses (counted, class fenced) when any record belongs to a fresh, higher-term other holder. */
export function checkFences(m: ModeContext, records: readonly (FenceRecord | undefined)[], req: ProviderRequest, action: string, subject: string): void {
  const ttlMs = FENCE_TTL_FACTOR * m.group.reassertIntervalMs;
  for (const record of records) {
    const verdict = fenceVerdict(record, req, m.nodeId, m.wallNow(), ttlMs);
    if (!verdict.take) throw countFenced({ ...m.callCtx, classify: () => ({ errorClass: 'fenced', detail: '' }) }, 'higher-term', action, subject, `not taken: ${verdict.detail}`);
  }
}

/** Stale fingerprints are re-read and retried this many times before giving up. */
export const FINGERPRINT_RETRIES = 5;

/**
 * Writes our record on this instance (read-modify-write of the metadata with its fingerprint;
 * a 412 re-reads). `self` is a fresh read, saving one request in the common case.
 */
export async function writeFence(m: ModeContext, self: Instance, record: FenceRecord, req: CallRequest): Promise<void> {
  const key = fenceKey(m.group.name);
  let current = self;
  for (let n = 1; ; n++) {
    const items = (current.metadata?.items ?? []).filter((i) => i.key !== key).map((i) => ({ key: i.key ?? '', value: i.value ?? '' }));
    items.push({ key, value: encodeFence(record) });
    try {
      const op = await m.api.setMetadata(m.self, { fingerprint: current.metadata?.fingerprint ?? null, items }, req);
      await wait(m, op, 'compute.instances.setMetadata', `the metadata of ${m.api.instanceName(m.self)}`, req);
      return;
    } catch (err) {
      if (!isStaleFingerprint(err) || n >= FINGERPRINT_RETRIES) throw err;
      current = await m.api.getInstance(m.self, req);
    }
  }
}

/**
 * Asserts our record for a fenced request (before a take, and on a refresh while held).
 * Returns when the record says it was written (undefined: not fenced, nothing written).
 */
export async function assertFence(m: ModeContext, self: Instance, req: ProviderRequest): Promise<number | undefined> {
  if (!req.fenced) return undefined;
  const atMs = m.wallNow();
  await writeFence(m, self, { term: req.term, node: m.nodeId, atMs, released: false }, req);
  return atMs;
}

/**
 * After a move: when it took longer than a reassert interval, the record written before it is
 * already that old, and the next refresh is a whole interval away: the record could lapse
 * (FENCE_TTL_FACTOR × interval) before it, and a cut-off master would take the resource back.
 * Then write it again now. A quick move writes nothing more.
 */
export async function refreshAfterMove(m: ModeContext, req: ProviderRequest, writtenAtMs: number | undefined): Promise<void> {
  if (writtenAtMs === undefined || m.wallNow() - writtenAtMs <= m.group.reassertIntervalMs) return;
  await assertFence(m, await m.api.getInstance(m.self, req), req);
}

/** Marks our record released, when this instance carries an unreleased one of ours. */
export async function releaseFence(m: ModeContext, self: Instance, req: ProviderRequest): Promise<void> {
  const record = readFence(self, m.group.name);
  if (!record || record.released || record.node !== m.nodeId) return;
  await writeFence(m, self, { ...record, atMs: m.wallNow(), released: true }, req);
}
