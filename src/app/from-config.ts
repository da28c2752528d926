/** Maps validated configuration onto the election core's parameters. */
import type { ElectionParams } from '../core/election/types.js';
import type { GroupConfig, VipdConfig } from '../config/types.js';

export function electionParams(config: VipdConfig, group: GroupConfig): ElectionParams {
  return {
    group: group.name,
    vrid: group.vrid,
    self: config.node.address ? { nodeId: config.node.id, address: config.node.address } : { nodeId: config.node.id },
    basePriority: group.priority,
    advertIntervalCs: group.advertIntervalCs,
    version: group.version,
    preempt: group.preempt,
    preemptDelayMs: group.preemptDelayMs,
  };
}

export function vipText(group: GroupConfig): string[] {
  return group.vips.map((v) => `${v.address}/${v.prefixLength}`);
}
