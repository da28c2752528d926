/** Fence records (providers/common/fence.ts) stored as EC2 tags: keys vipd:fence:GROUP[:NODE] (modes/mode.ts fenceTagKey). */
import type { Tag } from '@aws-sdk/client-ec2';
import { ec2 } from './sdk.js';
import { encodeFence, parseFence, type FenceRecord } from '../common/fence.js';
import { fenceTagKey } from './modes/mode.js';
import type { CallRequest } from '../common/cloud-call.js';
import type { Ec2Session } from './session.js';

/** Every record of `group` in a Describe response's tag set (malformed ones are skipped: a hand-edited tag must not throw). */
export function recordsFromTags(tags: readonly Tag[] | undefined, group: string): FenceRecord[] {
  const key = fenceTagKey(group);
  const out: FenceRecord[] = [];
  for (const t of tags ?? []) {
    if (t.Key !== key && !t.Key?.startsWith(`${key}:`)) continue;
    const r = parseFence(t.Value);
    if (r) out.push(r);
  }
  return out;
}

/** Writes the record on every resource (one CreateTags request: it takes several ids). */
export async function writeFence(session: Ec2Session, resources: readonly string[], key: string, record: FenceRecord, req: CallRequest): Promise<void> {
  const value = encodeFence(record);
  await session.send('CreateTags', `fence ${key}=${value} on ${resources.join(', ')}`, resources, req, (c, signal) =>
    c.send(new (ec2().CreateTagsCommand)({ Resources: [...resources], Tags: [{ Key: key, Value: value }] }), { abortSignal: signal }),
  );
}

/**
 * A DryRun request's answer: EC2 answers DryRunOperation ("would have succeeded") as an error;
 * this turns it into success and rethrows anything else (UnauthorizedOperation: the permission is missing).
 */
export function swallowDryRun(err: unknown): void {
  if ((err as { name?: unknown } | undefined)?.name !== 'DryRunOperation') throw err;
}

/** Preflight: may we write the fence tag? (CreateTags with DryRun; the IAM policy limits it to this key.) */
export async function dryRunTags(session: Ec2Session, resources: readonly string[], key: string, req: CallRequest): Promise<void> {
  await session.send('CreateTags', `tag ${key} on ${resources.join(', ')}`, resources, req, (c, signal) =>
    c.send(new (ec2().CreateTagsCommand)({ Resources: [...resources], Tags: [{ Key: key, Value: 'dry-run' }], DryRun: true }), { abortSignal: signal }).then(() => undefined, swallowDryRun),
  );
}
