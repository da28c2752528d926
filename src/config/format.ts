// One-line renderings for `vipd check` and start-up logs.
import type { ConfigIssue } from './load.js';
import type { GroupConfig, VipdConfig } from './types.js';

/** `FILE:LINE:COL: PATH: MESSAGE`, the shape editors and CI annotate; LINE:COL when known. */
export function formatIssue(issue: ConfigIssue, severity?: 'warning'): string {
  const where = issue.line === undefined ? issue.file : `${issue.file}:${issue.line}:${issue.column ?? 1}`;
  const label = severity === 'warning' ? 'warning: ' : '';
  // A message never spans lines: one issue, one line, so `wc -l` counts issues.
  return `${where}: ${issue.path}: ${label}${issue.message.replace(/\s*\n\s*/g, ' ')}`;
}

/**
 * e.g. `ok: node node-a, 2 groups (web vrid 51 priority 150 on eth0, 1 VIP; ...), timing lan;
 * member listening on 127.0.0.1:7946, 2 seeds`. The cluster part comes last so the line still
 * starts as it did before issue 3 for anything that reads it.
 */
export function summarize(config: VipdConfig): string {
  const groups = config.groups.length === 0 ? '' : ` (${config.groups.map(describeGroup).join('; ')})`;
  const { node } = config;
  // A LAN-only node (configuration allowed it without tls/auth) opens no peer links.
  if (!config.insecure && config.tls === undefined) {
    return `ok: node ${node.id}, ${plural(config.groups.length, 'group')}${groups}, timing ${config.timing}; LAN only (VRRP), no peer links`;
  }
  const cluster = [
    `${node.role} listening on ${node.listen}`,
    node.advertise === undefined ? undefined : `advertising ${node.advertise}`,
    plural(config.seeds.length, 'seed'),
    config.insecure ? 'insecure (no TLS, unsigned adverts)' : undefined,
  ].filter((part) => part !== undefined);
  return `ok: node ${node.id}, ${plural(config.groups.length, 'group')}${groups}, timing ${config.timing}; ${cluster.join(', ')}`;
}

function describeGroup(group: GroupConfig): string {
  const notes = [
    group.transport === 'unicast' ? undefined : group.transport === 'both' ? 'VRRP + unicast' : 'VRRP',
    group.priority === 255 ? 'address owner' : undefined,
    group.preempt ? undefined : 'no preempt',
  ].filter((note) => note !== undefined);
  const suffix = notes.length > 0 ? `, ${notes.join(', ')}` : '';
  return `${group.name} vrid ${group.vrid} priority ${group.priority} on ${group.interface}, ${plural(group.vips.length, 'VIP')}${suffix}`;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
