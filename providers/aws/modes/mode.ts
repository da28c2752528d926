/**
 * What each aws mode implements; provider.ts does the rest (one call at a time, fencing,
 * preflight's common part, warm-up). A mode reads the resource's state with one Describe
 * request, takes it, and gives back only what is ours.
 */
import type { FenceRecord } from '../../shared/fence.js';
import type { CallRequest } from '../../shared/cloud-call.js';
import type { ProviderRequest, StatusReport } from '../../../src/ports/vip-provider.js';
import type { Ec2Action } from '../actions.js';
import type { Ec2Session, Identity } from '../session.js';

/** The tag key of a group's fence record (providers/shared/fence.ts). */
export function fenceTagKey(group: string): string {
  return `vipd:fence:${group}`;
}

/** What one read found. */
export interface Observation {
  /** Everything this mode moves points at this node. */
  readonly held: boolean;
  /** Something points at this node (release has work to do). */
  readonly anyOurs: boolean;
  readonly detail: string;
  readonly holder?: string;
  /** The fence record on the resource as it is held now (the holder's), if any. */
  readonly fence: FenceRecord | undefined;
}

export interface ModeContext {
  readonly session: Ec2Session;
  readonly id: Identity;
  readonly group: string;
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
  /** Record (and claim) also for unfenced groups: route's release reads the claims (README.md "route: release"). */
  readonly alwaysRecord: boolean;
  /** Preflight: the named resources exist (rejects not-found), and the DryRun checks to make. */
  preflight(ctx: ModeContext, req: CallRequest): Promise<readonly DryRunCheck[]>;
  /** Extra checks and warm-up outside EC2 (the local binding of secondary-ip). */
  validateLocal?(signal: AbortSignal): Promise<void>;
  close?(): Promise<void>;
}

export function report(obs: Observation): StatusReport {
  return { status: obs.held ? 'held' : 'not-held', detail: obs.detail, ...(obs.holder ? { holder: obs.holder } : {}) };
}
