/**
 * The fake's IAM: actions (optionally only on named resources) a test denies. A denied request
 * gets UnauthorizedOperation (403) with the action and the resource ARN, the way EC2 words it,
 * and that check comes before DryRun and before the resources are looked up.
 */
import { ACCOUNT_ID, resourceType } from './world.js';
import { Ec2ApiError } from './xml.js';

export class Permissions {
  private readonly denied = new Map<string, Set<string> | 'all'>();

  constructor(private readonly region: string) {}

  deny(action: string, resource?: string): void {
    if (resource === undefined) {
      this.denied.set(action, 'all');
      return;
    }
    const cur = this.denied.get(action);
    if (cur === 'all') return;
    this.denied.set(action, (cur ?? new Set<string>()).add(resource));
  }

  allow(action: string): void {
    this.denied.delete(action);
  }

  /** The refusal for `action` on the resources a request names, or undefined when allowed. */
  refusal(action: string, touched: readonly string[]): Ec2ApiError | undefined {
    const rule = this.denied.get(action);
    if (rule === undefined) return undefined;
    const on = rule === 'all' ? (touched[0] ?? '*') : touched.find((r) => rule.has(r));
    if (on === undefined) return undefined;
    const arn = on === '*' ? '*' : `arn:aws:ec2:${this.region}:${ACCOUNT_ID}:${resourceType(on) ?? 'resource'}/${on}`;
    return new Ec2ApiError('UnauthorizedOperation', `You are not authorized to perform this operation. User: arn:aws:iam::${ACCOUNT_ID}:user/vipd-test is not authorized to perform: ec2:${action} on resource: ${arn} because no identity-based policy allows the ec2:${action} action`, 403);
  }
}
