/** vipctl's tables and lines (plain text; `--json` prints the API's JSON instead). */
import type { EventView, GroupView, MemberView, StatusView } from '../api/control.js';
import { describe } from '../runtime/event-log.js';

/** Columns padded to their widest cell. */
export function table(head: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [line(head), ...rows.map(line)].join('\n');
}

export function groupsTable(groups: readonly GroupView[]): string {
  return table(['GROUP', 'ROLE', 'MASTER', 'PRIORITY', 'TERM', 'VIPS', 'NOTES'], groups.map((g) => [
    g.name, g.role.toUpperCase(), g.master ?? '-', g.priority === g.basePriority ? String(g.priority) : `${g.priority} (base ${g.basePriority})`,
    String(g.term), g.vips.join(','),
    [
      ...(g.maintenance ? ['maintenance'] : []),
      ...(g.promote ? [`promoted +${g.promote.by} until ${new Date(g.promote.until).toISOString()}`] : []),
      ...g.faults.filter((f) => f.resource !== 'maintenance').map((f) => f.reason),
    ].join('; '),
  ]));
}

export function membersTable(members: readonly MemberView[]): string {
  return table(['MEMBER', 'STATE', 'ADDRESS', 'INCARNATION', 'SINCE'], members.map((m) => [m.id, m.state, m.address, String(m.incarnation), new Date(m.since).toISOString()]));
}

export function statusText(s: StatusView): string {
  const n = s.node;
  const head = `node ${n.id} (${n.role}, vipd ${n.version}), up ${n.uptimeSeconds}s, ${s.ready ? 'ready' : 'NOT READY'}; ${n.address}`;
  const checks = s.checks.length === 0 ? [] : ['', table(['CHECK', 'TYPE', 'STATUS', 'LAST'], s.checks.map((c) => [c.name, c.type, c.status, c.history.at(-1)?.detail ?? '-']))];
  return [head, '', s.groups.length > 0 ? groupsTable(s.groups) : '(no groups: a witness)', ...(s.members.length > 0 ? ['', membersTable(s.members)] : []), ...checks].join('\n');
}

export function eventLine(e: EventView): string {
  return `${new Date(e.at).toISOString()} #${e.seq} ${e.type.padEnd(11)} ${describe(e)}`;
}
