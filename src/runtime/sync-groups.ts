/**
 * Sync groups (issue 11 §2, docs/sync-groups.md): groups listed together change role together,
 * keepalived's vrrp_sync_group, built so that it can never split them nor hold them nowhere.
 *
 * The first group listed leads. On this node:
 * - a follower is held in Fault (resource `sync:NAME`) while the leader is not Master here, so a
 *   follower can be Master only where its leader is, and the leader is Master on one node at
 *   most (its own election);
 * - the leader is held in Fault (`sync:NAME`) while a follower is in Fault for a reason of its
 *   own (a check, a link, maintenance), so the whole set moves to a node where all are healthy.
 * A follower's `sync:` fault never counts against the leader, so the two rules cannot feed each
 * other: the leader's election depends only on the followers' own faults. Holding only ever adds
 * faults, which only take claims away, so it cannot make a second holder of any VIP; each
 * group's own election still decides where it goes.
 *
 * The cost: a follower released when its leader becomes Master starts as a Backup and takes
 * over after its own Master_Down_Interval (or at once when the old master resigned).
 */
import type { Role } from '../core/election/types.js';
import type { Logger } from '../ports/logger.js';

/** What the coordinator needs of a group's runner (InstanceRunner). */
export interface SyncMember {
  readonly group: string;
  readonly state: { readonly role: Role; readonly faults: readonly string[] };
  raiseFault(resource: string, reason?: string): void;
  clearFault(resource: string): void;
}

export interface SyncGroupSpec {
  readonly name: string;
  readonly leader: string;
  readonly followers: readonly string[];
}

/** The fault resource of sync group `name`. */
export const syncResource = (name: string): string => `sync:${name}`;

/** A group's faults of its own: not the ones a sync group put there. */
export function ownFaults(faults: readonly string[]): string[] {
  return faults.filter((f) => !f.startsWith('sync:'));
}

/** Bound on the passes of one update (each pass can only add or remove one fault per group). */
const MAX_PASSES = 8;

export class SyncGroups {
  private updating = false;
  private again = false;

  constructor(
    private readonly specs: readonly SyncGroupSpec[],
    private readonly member: (group: string) => SyncMember | undefined,
    private readonly logger: Logger,
  ) {}

  /**
   * Brings every hold in line with the groups' roles and faults. Idempotent; called after every
   * role or fault change (InstanceRunnerOptions.onChange), and re-entered safely: a change it
   * causes runs another pass instead of recursing.
   */
  update(): void {
    if (this.updating) {
      this.again = true;
      return;
    }
    this.updating = true;
    try {
      for (let pass = 0; pass < MAX_PASSES; pass++) {
        this.again = false;
        for (const spec of this.specs) this.apply(spec);
        if (!this.again) return;
      }
      this.logger.warn({ component: 'sync-groups' }, `sync groups: still changing after ${MAX_PASSES} passes; the next change of role or fault goes on`);
    } finally {
      this.updating = false;
    }
  }

  private apply(spec: SyncGroupSpec): void {
    const leader = this.member(spec.leader);
    if (!leader) return;
    const resource = syncResource(spec.name);
    const followers = spec.followers.flatMap((f) => {
      const m = this.member(f);
      return m ? [m] : [];
    });
    const failing = followers.filter((f) => ownFaults(f.state.faults).length > 0);
    hold(leader, resource, failing.length > 0, () => `sync group ${spec.name}: ${failing.map((f) => `${f.group} is in Fault (${ownFaults(f.state.faults).join(', ')})`).join('; ')}`);
    const leading = leader.state.role === 'Master';
    for (const f of followers) hold(f, resource, !leading, () => `sync group ${spec.name}: its leader ${spec.leader} is ${leader.state.role} here, not Master`);
  }
}

/**
 * Raises or clears `resource` on `m`. Raising again only refreshes the reason status shows (the
 * core ignores a fault it has).
 */
function hold(m: SyncMember, resource: string, on: boolean, reason: () => string): void {
  if (on) m.raiseFault(resource, reason());
  else if (m.state.faults.includes(resource)) m.clearFault(resource);
}
