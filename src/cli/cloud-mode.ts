/**
 * What a cloud run of real vipd processes against a fake needs to know about one provider mode:
 * the fake's starting world, each member's environment and provider configuration, and how to
 * read from the fake's truth which instance holds the resource. `vipd demo --cloud` uses the
 * AWS `eip` and GCP `alias-ip` modes (src/cli/cloud-demo-modes.ts); the multi-process tests add
 * the others (test/cluster/cloud-modes.ts).
 */
import type { CloudFake, FakeKind } from './cloud-fake.js';

export interface CloudMember {
  /** vipd node id. */
  readonly id: string;
  readonly priority: number;
  /** The instance this member pretends to be: an EC2 instance id, a GCE instance name. */
  readonly instance: string;
  /** The group's interface on this member (default lo). */
  readonly interface?: string;
}

/** Members for a mode: each gets the instance the mode names for its position. */
export function cloudMembers(mode: CloudMode, specs: readonly { id: string; priority: number; interface?: string }[]): CloudMember[] {
  return specs.map((s, i) => ({ ...s, instance: mode.instanceFor(i, s.id) }));
}

export interface CloudMode {
  /** "aws eip", "gcp alias-ip". */
  readonly name: string;
  readonly fake: FakeKind;
  /** What moves, for people: "Elastic IP 203.0.113.10 (eipalloc-…)". */
  readonly resource: string;
  /** The group's VIPs, e.g. ['192.0.2.50/32']. */
  readonly vips: readonly string[];
  /** The instance the `index`-th member (0-based) pretends to be: an EC2 instance id, a GCE instance name. */
  instanceFor(index: number, id: string): string;
  /** Whether acquiring also binds the VIPs on the member's interface (needs root: a namespace). */
  readonly bindsLocally: boolean;
  /**
   * Set when a release leaves the resource where it is and only marks the fence record released
   * (AWS route: DeleteRoute is unconditional, so deleting could remove a newer master's route;
   * providers/aws/README.md). The text says why.
   */
  readonly releaseLeavesIt?: string;
  /** The world file the fake starts from (JSON). */
  world(members: readonly CloudMember[]): unknown;
  /**
   * The member's own environment variables: its own metadata server, its own credentials, the
   * fake's endpoint and region/project. The caller clears every other cloud variable.
   */
  env(fake: CloudFake, member: CloudMember, dir: string): Record<string, string>;
  /** The group's provider lines (YAML, indented 4 spaces). */
  groupLines(fake: CloudFake, member: CloudMember, members: readonly CloudMember[]): string[];
  /** The instances that hold the resource now, per the fake's truth (exactly one when all is well). */
  holders(fake: CloudFake, members: readonly CloudMember[]): Promise<string[]>;
  /** Moves the resource behind vipd's back: to `to`, or to nobody. */
  moveBehindVipd(fake: CloudFake, to: CloudMember | undefined, members: readonly CloudMember[]): Promise<void>;
  /** Who sent a logged request, as the instance of the member (undefined when not a member). */
  caller(fake: CloudFake, callerField: string | undefined, members: readonly CloudMember[]): string | undefined;
}
