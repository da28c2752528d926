/**
 * How a reload changes a running node's groups (docs/api.md "Reload"): the boot (boot.ts)
 * attaches what its node can do; run.ts asks. A node that cannot (none attached) needs a restart.
 */
import type { GroupConfig, VipdConfig } from '../config/types.js';

/** Stops the groups named in `remove`, then starts those in `add` (a changed group is in both). */
export type ApplyGroups = (config: VipdConfig, add: readonly GroupConfig[], remove: readonly string[]) => Promise<void>;

export class GroupReloader {
  private fn: ApplyGroups | undefined;
  /** Which transports the node can add groups of (unicast: gRPC; multicast: its VRRP sockets). */
  private kinds = new Set<GroupConfig['transport']>();

  attach(fn: ApplyGroups, transports: readonly GroupConfig['transport'][]): void {
    this.fn = fn;
    this.kinds = new Set(transports);
  }

  /** Whether a group of this transport can be added, removed or changed in place. */
  supports(transport: GroupConfig['transport']): boolean {
    return this.fn !== undefined && this.kinds.has(transport);
  }

  async apply(config: VipdConfig, add: readonly GroupConfig[], remove: readonly string[]): Promise<void> {
    if (!this.fn) throw new Error('this node cannot change its groups in place: restart it');
    await this.fn(config, add, remove);
  }
}
