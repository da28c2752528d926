/**
 * What each aws mode implements; provider.ts does the rest (one call at a time, fencing,
 * preflight's common part, warm-up). A mode reads the resource's state with one Describe
 * request, takes it, and gives back only what is ours.
 */
import type { FenceRecord } from '../../common/fence.js';
import type { CallRequest } from '../../common/cloud-call.js';
import type { ProviderRequest, StatusReport } from '../../../src/ports/vip-provider.js';
import type { Ec2Action } from '../actions.js';
import type { Ec2Session, Identity } from '../session.js';

/**
 * The tag key of a group's fence records (providers/common/fence.ts). On a resource every node
 * may take (an allocation, a route table) each node keeps its own record under
 * `vipd:fence:GROUP:NODE`: a cut-off old master that refreshes after a stale read ("I hold it")
 * then rewrites only its own record and can never replace the newer master's (one shared record
 * could be). On a per-node resource (its own ENI) the key is `vipd:fence:GROUP`.
 */
export function fenceTagKey(group: string, node?: string): string {
  return node === undefined ? `vipd:fence:${group}` : `vipd:fence:${group}:${node}`;
}

/** What one read found. */
export interface Observation {
  /** Everything this mode moves points at this node. */
  readonly held: boolean;
  /** Something points at this node (release has work to do). */
  readonly anyOurs: boolean;
  readonly detail: string;
  readonly holder?: string;
  /** Every node's fence record found on the resource(s), ours included. */
  readonly fences: readonly FenceRecord[];
}

export interface ModeContext {
  readonly session: Ec2Session;
  readonly id: Identity;
  readonly group: string;
  /** The key this node writes its record under (fenceTagKey, per the mode's layout). */
  readonly fenceKey: string;
  /** This node's id, the holder in fence records. */
  readonly nodeId: string;
}

/** A permission the configuration needs, checked by DryRun: the request as it will be sent. */
export interface DryRunCheck {
  readonly action: Ec2Action;
  readonly resources: readonly string[];
  readonly send: (session: Ec2Session, req: CallRequest) => Promise<void>;
}

export interface AwsMode<O extends Observation = Observation> {
  /** "eipalloc-… to eni-…", for errors and logs. */
  subject(id: Identity): string;
  read(ctx: ModeContext, req: CallRequest): Promise<O>;
  /** Moves what is not ours yet to this node. */
  take(ctx: ModeContext, req: ProviderRequest, obs: O): Promise<void>;
  /** Gives back only what is still ours (never another node's). */
  drop(ctx: ModeContext, req: ProviderRequest, obs: O): Promise<void>;
  /**
   * Where this node writes its fence record: where it lives while we hold, and (given what a
   * read found) wherever the current holder's readers look for it, so our claim is seen there.
   */
  fenceResources(ctx: ModeContext, obs?: O): readonly string[];
  /** Record (and claim) also for unfenced groups: route's held/released state is in the record (README.md "route: release"). */
  readonly alwaysRecord: boolean;
  /** Records keyed per node (a shared resource), else one key on this node's own resource. */
  readonly perNodeKey: boolean;
  /** Preflight: the named resources exist (rejects not-found), and the DryRun checks to make. */
  preflight(ctx: ModeContext, req: CallRequest): Promise<readonly DryRunCheck[]>;
  /** Extra checks and warm-up outside EC2 (the local binding of secondary-ip). */
  validateLocal?(signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

export function report(obs: Observation): StatusReport {
  return { status: obs.held ? 'held' : 'not-held', detail: obs.detail, ...(obs.holder ? { holder: obs.holder } : {}) };
}
