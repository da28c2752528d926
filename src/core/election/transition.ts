/**
 * The one place where an instance changes role (FRR vrrpd's vrrp_change_state): no-op changes
 * are ignored, every real change is logged as `BACKUP -> MASTER (reason)` and counted.
 */
import type { ElectionAction, ElectionState, Role } from './types.js';

/** Uppercase role names as keepalived and FRR print them, so operators grep one word. */
export function roleLabel(role: Role): string {
  return role.toUpperCase();
}

export function transition(
  state: ElectionState,
  to: Role,
  reason: string,
): { state: ElectionState; actions: ElectionAction[] } {
  if (state.role === to) return { state, actions: [] };
  const from = state.role;
  const next: ElectionState = { ...state, role: to };
  const msg = `${roleLabel(from)} -> ${roleLabel(to)} (${reason})`;
  return {
    state: next,
    actions: [
      { type: 'Log', level: 'info', msg, fields: { from: roleLabel(from), to: roleLabel(to), reason, term: next.term } },
      { type: 'Metric', name: 'vipd_transitions_total', labels: { group: state.params.group, from: roleLabel(from), to: roleLabel(to) }, inc: 1 },
      { type: 'RoleChanged', from, to, reason, term: next.term },
    ],
  };
}
