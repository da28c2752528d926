/** Fence records (providers/shared/fence.ts) stored as EC2 tags: key vipd:fence:GROUP. */
import type { Tag } from '@aws-sdk/client-ec2';
import { ec2 } from './sdk.js';
import { encodeFence, parseFence, type FenceRecord } from '../shared/fence.js';
import type { CallRequest } from '../shared/cloud-call.js';
import type { Ec2Session } from './session.js';

/** The record in a Describe response's tag set, undefined when absent or malformed. */
export function fenceFromTags(tags: readonly Tag[] | undefined, key: string): FenceRecord | undefined {
  return parseFence(tags?.find((t) => t.Key === key)?.Value);
}

/**
 * The record that guards a resource whose record is kept on several (route tables, ENIs): the
 * highest term, the latest among equals. They are written together, so they differ only after
 * a write that reached some and not others; the highest term is the cautious choice.
 */
export function guardingRecord(records: Iterable<FenceRecord | undefined>): FenceRecord | undefined {
  let best: FenceRecord | undefined;
  for (const r of records) {
    if (r && (!best || r.term > best.term || (r.term === best.term && r.atMs > best.atMs))) best = r;
  }
  return best;
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
