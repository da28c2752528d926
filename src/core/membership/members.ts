/**
 * The member table and its rules (memberlist state.go aliveNode / suspectNode / deadNode /
 * mergeState / refute). Every state change goes through transition(), which ignores no-op
 * changes, logs `alive -> suspect (reason)`, counts it and emits MemberChanged.
 */
import { REFUTE_DELTA, applyAwarenessDelta } from './awareness.js';
import {
  type Ctx, addToProbeOrder, admitted, broadcast, clusterSize, deleteMember, dropItems, log, member, metric, putMember,
  removeFromProbeOrder, setSuspicion,
} from './context.js';
import { incarnationsAhead, newerIncarnation, nextIncarnation } from './incarnation.js';
import { MAX_INCARNATION_JUMP, MAX_MEMBERS, MAX_PROBE_FIRST, MAX_RECORDS_PER_MESSAGE, MAX_SELF_INCARNATION_JUMP } from './limits.js';
import { type GossipItem, type MemberRecord, validMemberRecord } from './messages.js';
import { confirm, confirmations, newSuspicion } from './suspicion.js';
import { expectedConfirmations, suspicionMaxMs, suspicionMinMs } from './timers.js';
import type { Member, MemberState, MemberStateOrUnknown } from './types.js';

const isLive = (s: MemberStateOrUnknown): boolean => s === 'alive' || s === 'suspect';

/**
 * Moves a member from `prev` to `next` (undefined = not in the table). Keeps the live count,
 * the probe order, the reap deadline and the suspicion table in step with the member table.
 */
export function transition(ctx: Ctx, prev: Member | undefined, next: Member | undefined, reason: string, confirmedByProbe = false): void {
  const id = (next ?? prev)?.id;
  if (id === undefined) return;
  const s = ctx.s;
  if (next) putMember(ctx, next);
  else deleteMember(ctx, id);
  const from: MemberStateOrUnknown = prev?.state ?? 'unknown';
  const to: MemberStateOrUnknown = next?.state ?? 'unknown';
  if (to !== 'suspect') setSuspicion(ctx, id, undefined);
  if (isLive(from) !== isLive(to)) s.liveOthers += isLive(to) ? 1 : -1;
  if (!prev) addToProbeOrder(ctx, id);
  if (!next) removeFromProbeOrder(ctx, id);
  if ((to === 'dead' || to === 'left') && from !== to) {
    const due = ctx.now + ctx.p.reapAfterMs;
    s.reapAt = s.reapAt === undefined ? due : Math.min(s.reapAt, due);
  }
  if (from === to) return;
  const address = (next ?? prev)?.address ?? '';
  const incarnation = (next ?? prev)?.incarnation ?? 0;
  log(ctx, to === 'suspect' || to === 'dead' ? 'warn' : 'info', `member ${id} ${from} -> ${to} (${reason})`,
    { member: id, address, from, to, incarnation, reason, confirmedByProbe }, `member ${id} -> ${to}`);
  metric(ctx, 'vipd_member_transitions_total', { from, to });
  ctx.out.push({ type: 'MemberChanged', id, address, from, to, incarnation, reason, confirmedByProbe });
}

/**
 * memberlist refute: someone believes an older or worse version of us. Raise our incarnation
 * past theirs and gossip `alive`. Having to refute counts against our health (Lifeguard LHA).
 */
export function refute(ctx: Ctx, accusedIncarnation: number, why: string): void {
  const s = ctx.s;
  // RFC 1982: one past the claim is newer than it, whatever the claim (incarnation.ts).
  s.incarnation = nextIncarnation(newerIncarnation(accusedIncarnation, s.incarnation) ? accusedIncarnation : s.incarnation);
  broadcast(ctx, ctx.p.self.id, aliveSelf(ctx));
  s.awareness = applyAwarenessDelta(s.awareness, REFUTE_DELTA, ctx.p.awarenessMax);
  metric(ctx, 'vipd_membership_refutations_total');
  log(ctx, 'info', `refuting: ${why}; incarnation now ${s.incarnation}`, { incarnation: s.incarnation, awareness: s.awareness }, 'refute');
}

/** News about ourselves: refute anything worse than what we are, unless we are leaving. */
function aboutSelf(ctx: Ctx, item: GossipItem, sender: string): void {
  const s = ctx.s;
  if (s.leaving) return;
  if (incarnationsAhead(item.incarnation, s.incarnation) > MAX_SELF_INCARNATION_JUMP && newerIncarnation(item.incarnation, s.incarnation)) {
    // Nobody can know us that far ahead (limits.ts): forged. Answer with what we are instead.
    dropItems(ctx, 'incarnation-jump');
    ctx.staleNewsOfSelf = true;
    return;
  }
  if (item.type === 'Alive') {
    // memberlist aliveNode for the local node: an alive claim at a higher incarnation (a previous
    // life of ours) or at ours with another address must be overridden.
    if (newerIncarnation(item.incarnation, s.incarnation) || (item.incarnation === s.incarnation && item.address !== ctx.p.self.address)) {
      refute(ctx, item.incarnation, `${sender} says we are alive at incarnation ${item.incarnation} (${item.address})`);
    }
    return;
  }
  if (newerIncarnation(s.incarnation, item.incarnation)) {
    ctx.staleNewsOfSelf = true;
    return;
  }
  const what = item.type === 'Left' ? 'left' : item.type === 'Dead' ? 'dead' : 'suspect';
  const by = item.type === 'Left' ? sender : item.from;
  refute(ctx, item.incarnation, `${by} says we are ${what} at incarnation ${item.incarnation}`);
}

/** memberlist aliveNode. `via` is the member we heard it from, for the reason. */
export function aliveReceived(ctx: Ctx, a: { readonly id: string; readonly address: string; readonly incarnation: number }, via: string): void {
  if (a.id === ctx.p.self.id) return aboutSelf(ctx, { type: 'Alive', ...a }, via);
  const m = member(ctx, a.id);
  if (!m) {
    if (ctx.s.members.size >= MAX_MEMBERS) return dropItems(ctx, 'table-full');
    broadcast(ctx, a.id, { type: 'Alive', id: a.id, address: a.address, incarnation: a.incarnation });
    const next: Member = { id: a.id, address: a.address, incarnation: a.incarnation, state: 'alive', since: ctx.now };
    return transition(ctx, undefined, next, `joined at incarnation ${a.incarnation}, heard from ${via}`);
  }
  if (a.address !== m.address && via === a.id) {
    // The member's own word on its authenticated stream (`via` is the stream's node id) sets its
    // address, whatever a third party claimed before (issue 8: an allow-listed node that gossiped
    // `Alive{a, its own address}` first kept a unreachable and its lease acks misrouted). The
    // incarnation never goes back: a refutes the inflated one at its next suspicion.
    const incarnation = newerIncarnation(a.incarnation, m.incarnation) ? a.incarnation : m.incarnation;
    metric(ctx, 'vipd_membership_address_conflicts_total');
    log(ctx, 'warn', `member ${a.id} says it is at ${a.address}, not ${m.address}: taking its word`,
      { member: a.id, known: m.address, claimed: a.address }, `address-conflict ${a.id}`);
    broadcast(ctx, a.id, { type: 'Alive', id: a.id, address: a.address, incarnation });
    return transition(ctx, m, { ...m, address: a.address, incarnation, state: 'alive', since: m.state === 'alive' ? m.since : ctx.now }, `address corrected by the member itself`);
  }
  if (a.address !== m.address && isLive(m.state)) {
    // memberlist: a live member keeps its address; another node claiming the id is a conflict.
    metric(ctx, 'vipd_membership_address_conflicts_total');
    log(ctx, 'warn', `address conflict for member ${a.id}: known at ${m.address}, ${via} says ${a.address}`,
      { member: a.id, known: m.address, claimed: a.address }, `address-conflict ${a.id}`);
    return;
  }
  if (!newerIncarnation(a.incarnation, m.incarnation) || jumpsTooFar(ctx, m, a.incarnation, via)) return;
  broadcast(ctx, a.id, { type: 'Alive', id: a.id, address: a.address, incarnation: a.incarnation });
  const next: Member = { ...m, address: a.address, incarnation: a.incarnation, state: 'alive', since: m.state === 'alive' ? m.since : ctx.now };
  const reason = m.state === 'suspect'
    ? `refuted suspicion at incarnation ${a.incarnation}`
    : `alive again at incarnation ${a.incarnation}, heard from ${via}`;
  transition(ctx, m, next, reason);
}

/**
 * memberlist suspectNode with Lifeguard's confirmations. `via` is the member we heard it from.
 * `own`: our own evidence, when `from` and `via` are us and `why` says how: `probe`, our direct
 * and indirect probes failed; `gone`, our own crash verdict (inputs.ts memberGone), which is no
 * probe result (MemberChanged.confirmedByProbe stays false) and needs no suspect-first probe.
 */
export function suspectReceived(
  ctx: Ctx, sus: { readonly id: string; readonly incarnation: number; readonly from: string }, via: string, own?: 'probe' | 'gone', why?: string,
): void {
  if (sus.id === ctx.p.self.id) return aboutSelf(ctx, { type: 'Suspect', ...sus }, sus.from);
  if (staleAccuser(ctx, sus.from)) return;
  const m = member(ctx, sus.id);
  if (!m || newerIncarnation(m.incarnation, sus.incarnation) || jumpsTooFar(ctx, m, sus.incarnation, via)) return;
  const ownProbe = own === 'probe';
  const current = ctx.s.suspicions.get(sus.id);
  if (m.state === 'suspect' && current) {
    const confirmed = confirm(current, sus.from, ownProbe);
    if (!confirmed) return;
    setSuspicion(ctx, sus.id, confirmed);
    if (confirmed.accusers.length !== current.accusers.length) {
      // New information: pass the confirmation on (memberlist re-broadcasts on a new Confirm).
      broadcast(ctx, sus.id, { type: 'Suspect', id: sus.id, incarnation: sus.incarnation, from: sus.from });
    }
    return;
  }
  if (m.state !== 'alive') return;
  broadcast(ctx, sus.id, { type: 'Suspect', id: sus.id, incarnation: sus.incarnation, from: sus.from });
  const n = clusterSize(ctx);
  const p = ctx.p;
  const minMs = suspicionMinMs(p.suspicionMultiplier, n, p.probeIntervalMs);
  const k = expectedConfirmations(p.expectedConfirmations, n);
  const next: Member = { ...m, incarnation: sus.incarnation, state: 'suspect', since: ctx.now };
  transition(ctx, m, next, why ?? `suspected by ${sus.from}`, ownProbe);
  if (own === undefined && p.probeSuspectsFirst && ctx.s.probeFirst.length < MAX_PROBE_FIRST) ctx.s.probeFirst = [...ctx.s.probeFirst, sus.id];
  setSuspicion(ctx, sus.id, newSuspicion(sus.from, sus.incarnation, k, minMs, suspicionMaxMs(minMs, p.suspicionMaxMultiplier), ctx.now, ownProbe));
}

/**
 * memberlist deadNode. A dead message a member sends about itself is a leave: only when it is
 * the sender (`via`), since anyone can write `from`.
 */
export function deadReceived(
  ctx: Ctx, d: { readonly id: string; readonly incarnation: number; readonly from: string }, via: string, why?: string, gossip = true,
): void {
  if (d.id === d.from && d.id !== ctx.p.self.id) return leftReceived(ctx, d, via);
  if (d.id === ctx.p.self.id) return aboutSelf(ctx, { type: 'Dead', ...d }, d.from);
  if (staleAccuser(ctx, d.from)) return;
  const m = member(ctx, d.id);
  if (!m || newerIncarnation(m.incarnation, d.incarnation) || m.state === 'dead' || m.state === 'left') return;
  if (jumpsTooFar(ctx, m, d.incarnation, via)) return;
  const sus = ctx.s.suspicions.get(d.id);
  if (gossip) broadcast(ctx, d.id, { type: 'Dead', id: d.id, incarnation: d.incarnation, from: d.from });
  const next: Member = { ...m, incarnation: d.incarnation, state: 'dead', since: ctx.now };
  transition(ctx, m, next, why ?? `declared dead by ${d.from}`, sus?.failedOwnProbe ?? false);
}

/**
 * A graceful leave: the member is `left`, never `dead`, and is not probed or suspected again.
 * Believed only from the member itself (`via` is the authenticated sender): nobody else can
 * prove it, and a forged `left` took the member's vote away (issue 8 finding 6). The leaver
 * tells every member directly (step.ts onLeave), so nobody needs to relay it; whoever missed it
 * finds out by probing. Not relayed, for the same reason.
 */
export function leftReceived(ctx: Ctx, l: { readonly id: string; readonly incarnation: number }, via: string): void {
  // News that we left, from someone else: a previous life of ours left gracefully and we are
  // back (a restart within reapAfterMs). Refute it like a death, or the members that saw the
  // leave ignore our alive at the same incarnation until they forget us, sending us nothing:
  // our groups would hear no master and claim (memberlist refutes any bad news about itself).
  if (l.id === ctx.p.self.id && via !== ctx.p.self.id) return aboutSelf(ctx, { type: 'Left', id: l.id, incarnation: l.incarnation }, via);
  if (l.id !== via) {
    if (l.id !== ctx.p.self.id) dropItems(ctx, 'left-not-from-member');
    return;
  }
  const m = member(ctx, l.id);
  // memberlist deadNode ignores news about a member already dead or left.
  if (!m || newerIncarnation(m.incarnation, l.incarnation) || m.state === 'dead' || m.state === 'left') return;
  transition(ctx, m, { ...m, incarnation: l.incarnation, state: 'left', since: ctx.now }, 'left the cluster');
}

/**
 * Another member's claim about `m` may run at most MAX_INCARNATION_JUMP ahead of what we know
 * (limits.ts): only `m` raises its incarnation. What `m` says about itself is not bounded.
 */
function jumpsTooFar(ctx: Ctx, m: Member, incarnation: number, via: string): boolean {
  if (via === ctx.p.self.id) return false;
  // The member's own word may jump further (a restarted node refutes an earlier life's claims),
  // but never as far as half the ring, where RFC 1982 order is undefined (incarnation.ts).
  const bound = via === m.id ? MAX_SELF_INCARNATION_JUMP + MAX_INCARNATION_JUMP + 1 : MAX_INCARNATION_JUMP;
  if (incarnationsAhead(incarnation, m.incarnation) <= bound) return false;
  dropItems(ctx, 'incarnation-jump');
  return true;
}

/** Gossip or a record about `id`, or an accusation by `accuser`, from outside the allow-list is ignored. */
function outsider(ctx: Ctx, id: string, accuser?: string): boolean {
  if (admitted(ctx, id) && (accuser === undefined || admitted(ctx, accuser))) return false;
  dropItems(ctx, 'not-allowed');
  return true;
}

/** Applies one piggybacked item heard from `sender` (the authenticated sender). */
export function applyGossip(ctx: Ctx, item: GossipItem, sender: string): void {
  switch (item.type) {
    case 'Alive':
      if (outsider(ctx, item.id)) return;
      return aliveReceived(ctx, item, sender);
    case 'Suspect':
      if (outsider(ctx, item.id, item.from)) return;
      return suspectReceived(ctx, item, sender);
    case 'Dead':
      if (outsider(ctx, item.id, item.from)) return;
      return deadReceived(ctx, item, sender);
    case 'Left':
      if (outsider(ctx, item.id)) return;
      return leftReceived(ctx, item, sender);
  }
}

/**
 * memberlist mergeState: a push-pull peer's view. Where it says dead we only suspect (the
 * peer may be partitioned from the member, not us); the peer is the accuser. `left` counts only
 * in the sender's own record; about others it is an unproven "gone", so we suspect as for dead.
 * At most MAX_RECORDS_PER_MESSAGE records are read (limits.ts).
 */
export function mergeRecords(ctx: Ctx, records: readonly unknown[], sender: string): void {
  const n = Math.min(records.length, MAX_RECORDS_PER_MESSAGE);
  dropItems(ctx, 'too-many', records.length - n);
  for (let i = 0; i < n; i++) {
    const r: unknown = records[i];
    if (!validMemberRecord(r)) {
      dropItems(ctx, 'malformed');
      continue;
    }
    if (outsider(ctx, r.id)) continue;
    const local = member(ctx, r.id);
    if (local && local.state === r.state && !newerIncarnation(r.incarnation, local.incarnation)) continue;
    switch (r.state) {
      case 'alive':
        aliveReceived(ctx, r, sender);
        break;
      case 'left':
        if (r.id === sender || r.id === ctx.p.self.id) leftReceived(ctx, r, sender);
        else suspectReceived(ctx, { id: r.id, incarnation: r.incarnation, from: sender }, sender);
        break;
      case 'suspect':
      case 'dead':
        suspectReceived(ctx, { id: r.id, incarnation: r.incarnation, from: sender }, sender);
        break;
    }
  }
}

/** Our own record, as a push-pull carries it. */
export function selfRecord(ctx: Ctx): MemberRecord {
  const state: MemberState = ctx.s.leaving ? 'left' : 'alive';
  return { id: ctx.p.self.id, address: ctx.p.self.address, incarnation: ctx.s.incarnation, state };
}

/** Our whole view for a push-pull: ourselves and every member we know. */
export function memberRecords(ctx: Ctx): MemberRecord[] {
  const out: MemberRecord[] = [selfRecord(ctx)];
  for (const m of ctx.s.members.values()) out.push({ id: m.id, address: m.address, incarnation: m.incarnation, state: m.state });
  return out;
}

/** Our own alive record, as a refutation carries it. */
export function aliveSelf(ctx: Ctx): GossipItem {
  return { type: 'Alive', id: ctx.p.self.id, address: ctx.p.self.address, incarnation: ctx.s.incarnation };
}

/**
 * Gossip that tells a member how we see it, when that is worse than alive (Lifeguard's buddy
 * system: a suspect learns of its suspicion from the prober itself and can refute at once).
 */
export function newsFor(ctx: Ctx, id: string): GossipItem | undefined {
  const m = member(ctx, id);
  if (!m) return undefined;
  switch (m.state) {
    case 'alive':
      return undefined;
    case 'suspect':
      return { type: 'Suspect', id, incarnation: m.incarnation, from: ctx.p.self.id };
    case 'dead':
      return { type: 'Dead', id, incarnation: m.incarnation, from: ctx.p.self.id };
    case 'left':
      return { type: 'Left', id, incarnation: m.incarnation };
  }
}

/** A suspicion ran out: the member is dead (memberlist suspicion timeoutFn). */
export function suspicionExpired(ctx: Ctx, id: string): void {
  const sus = ctx.s.suspicions.get(id);
  const m = member(ctx, id);
  if (!sus || !m || m.state !== 'suspect') {
    setSuspicion(ctx, id, undefined);
    return;
  }
  const waited = ctx.now - sus.startedAt;
  const confirmed = confirmations(sus);
  // vipd: a verdict nobody could confirm although K > 0 stays our own. We mark the member dead
  // but do not gossip `dead`: the suspicion was gossiped when it began, and any member that can
  // still reach the suspect would have confirmed it. This is what a cut-off member runs into
  // (its probes all fail, nobody confirms), and its verdicts must not kill live members on
  // the other side when the partition heals.
  const lone = confirmed === 0 && sus.k > 0;
  metric(ctx, 'vipd_membership_suspicion_timeouts_total', { confirmed: lone ? 'no' : 'yes' });
  deadReceived(ctx, { id, incarnation: m.incarnation, from: ctx.p.self.id }, ctx.p.self.id,
    `suspicion timed out after ${waited} ms with ${confirmed}/${sus.k} confirmations${lone ? '; not gossiped, nobody confirmed it' : ''}`,
    !lone);
}

/**
 * vipd: accusations from a member we consider dead or left are stale: it was cut off from us,
 * and probably from the member it accuses too. They count again once it is alive again.
 */
function staleAccuser(ctx: Ctx, from: string): boolean {
  if (from === ctx.p.self.id) return false;
  const state = member(ctx, from)?.state;
  if (state !== 'dead' && state !== 'left') return false;
  metric(ctx, 'vipd_membership_stale_accusations_total');
  return true;
}

/** Forgets dead and left members after reapAfterMs. */
export function reap(ctx: Ctx): void {
  const s = ctx.s;
  if (s.reapAt === undefined || ctx.now < s.reapAt) return;
  let next: number | undefined;
  const due: Member[] = [];
  for (const m of s.members.values()) {
    if (m.state !== 'dead' && m.state !== 'left') continue;
    const at = m.since + ctx.p.reapAfterMs;
    if (at <= ctx.now) due.push(m);
    else next = next === undefined ? at : Math.min(next, at);
  }
  s.reapAt = next;
  for (const m of due) transition(ctx, m, undefined, `forgotten ${ctx.now - m.since} ms after it became ${m.state}`);
}
