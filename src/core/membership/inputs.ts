/**
 * vipd (issue 10): what this node's own transport and BFD sessions tell the failure detector.
 * Both inputs are local observations, never a peer's claim, and each ends in the ordinary SWIM
 * machinery (Das et al., 2002) with Lifeguard's confirmations (Dadgar et al., 2018, §IV):
 *
 * - MemberGone (crash verdict: our stream to the member was reset and a redial of its address
 *   refused) makes the member suspect at once, with us as the accuser, instead of waiting for
 *   the round robin to reach it (p99 ≈ 4.6 probe intervals in a large cluster). A second,
 *   independent accuser then ends the suspicion at the gone floor (suspicion.ts deadlineOf).
 *   We also probe it through helpers, so a member that still lives (a firewall rejecting only
 *   our path) hears of its suspicion from them (the buddy system) and refutes.
 * - BfdDown (RFC 5880 §6.8.4: our session's Detection Time ran out) only starts a probe at
 *   once, indirect from the start. One lossy path must not accuse anyone: the probe decides.
 *
 * What a peer gossips about these inputs does not exist: nothing on the wire says "gone".
 * docs/membership.md "Inputs" gives the numbers and the argument.
 */
import { type Ctx, broadcast, log, member, metric, setSuspicion } from './context.js';
import { observeGone } from './suspicion.js';
import { suspectReceived } from './members.js';
import { escalate, startIndirectProbe } from './probe.js';
import type { Member, MembershipInput } from './types.js';

const live = (m: Member): boolean => m.state === 'alive' || m.state === 'suspect';

/** The member a crash verdict is about: the one we know at `address` (and with `id`, when given). */
function goneMember(ctx: Ctx, address: string, id: string | undefined): Member | undefined {
  if (id !== undefined) {
    const m = member(ctx, id);
    return m?.address === address ? m : undefined;
  }
  for (const m of ctx.s.members.values()) if (m.address === address && live(m)) return m;
  return undefined;
}

function ignored(ctx: Ctx, input: MembershipInput, why: string): void {
  metric(ctx, 'vipd_membership_inputs_total', { input, result: 'ignored' });
  log(ctx, 'debug', `${input === 'gone' ? 'crash verdict' : 'BFD down'} ignored: ${why}`);
}

/** MemberGone: our own crash verdict about the member at `address`. */
export function memberGone(ctx: Ctx, address: string, id: string | undefined): void {
  if (ctx.s.leaving) return ignored(ctx, 'gone', 'we are leaving');
  const m = goneMember(ctx, address, id);
  if (!m || !live(m)) {
    const what = m ? `${m.id} is ${m.state}` : `no live member known at ${address}${id === undefined ? '' : ` as ${id}`}`;
    return ignored(ctx, 'gone', what);
  }
  metric(ctx, 'vipd_membership_inputs_total', { input: 'gone', result: 'used' });
  const self = ctx.p.self.id;
  if (m.state === 'alive') {
    suspectReceived(ctx, { id: m.id, incarnation: m.incarnation, from: self }, self, 'gone',
      `crash verdict: our stream to it was reset and ${address} refused a redial`);
  }
  const sus = ctx.s.suspicions.get(m.id);
  const floorMs = ctx.p.goneSuspicionMultiplier * ctx.p.probeIntervalMs;
  if (sus && floorMs > 0) {
    const next = observeGone(sus, self, ctx.now, floorMs);
    setSuspicion(ctx, m.id, next);
    // Our own confirmation of a suspicion someone else began is news for the others too.
    if (next.accusers.length !== sus.accusers.length) broadcast(ctx, m.id, { type: 'Suspect', id: m.id, incarnation: m.incarnation, from: self });
  }
  if (!ctx.s.probes.some((p) => p.target === m.id)) startIndirectProbe(ctx, m, 'gone');
}

/** BfdDown: our BFD session to `id` went Down. */
export function bfdDown(ctx: Ctx, id: string): void {
  if (ctx.s.leaving) return ignored(ctx, 'bfd-down', 'we are leaving');
  const m = member(ctx, id);
  if (!m || !live(m)) return ignored(ctx, 'bfd-down', `${id} is ${m ? m.state : 'not a member'}`);
  metric(ctx, 'vipd_membership_inputs_total', { input: 'bfd-down', result: 'used' });
  const running = ctx.s.probes.find((p) => p.target === id);
  if (!running) return startIndirectProbe(ctx, m, 'bfd-down');
  // A probe in its direct phase goes indirect now; one already indirect carries on.
  if (running.phase === 'direct') escalate(ctx, running, 'bfd-down');
}
