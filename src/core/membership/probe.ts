/**
 * The SWIM failure detector (memberlist probeNode / handleIndirectPing) with Lifeguard:
 * direct ping → ack within the probe timeout; otherwise k random helpers ping the target and
 * relay its ack, or nack when it stays silent; no ack by the end of the probe interval makes
 * the target suspect. Both timeouts are stretched by the local health score.
 */
import { SUCCESSFUL_PROBE_DELTA, applyAwarenessDelta, failedProbeDelta } from './awareness.js';
import { type Ctx, admitted, drop, envelope, log, member, metric, nextSeq, piggyback, send, setProbeOrder } from './context.js';
import { aliveSelf, newsFor, suspectReceived } from './members.js';
import type { GossipItem, Message } from './messages.js';
import { sample, shuffle } from './prng.js';
import { nackTimeoutMs, scaleByAwareness } from './timers.js';
import type { Destination, Member, Probe } from './types.js';

type Msg<T extends Message['type']> = Extract<Message, { type: T }>;

/** More concurrent relays than this are refused: a flood of ping-reqs must not grow the state. */
export const MAX_RELAYS = 64;

const probeable = (m: Member | undefined): m is Member => m !== undefined && (m.state === 'alive' || m.state === 'suspect');

/** Piggyback for a message to `to`: how we see it first (buddy system), then the queue. */
function gossipFor(ctx: Ctx, to: string): readonly GossipItem[] {
  const news = newsFor(ctx, to);
  if (!news) return piggyback(ctx);
  return [news, ...piggyback(ctx, ctx.p.maxGossipPerMessage - 1)];
}

function ping(ctx: Ctx, to: Destination & { readonly id: string }, seq: number): void {
  send(ctx, to, { type: 'Ping', ...envelope(ctx), seq, target: to.id, gossip: gossipFor(ctx, to.id) });
}

function replaceProbe(ctx: Ctx, seq: number, next: Probe | undefined): void {
  const out: Probe[] = [];
  for (const p of ctx.s.probes) {
    if (p.seq !== seq) out.push(p);
    else if (next) out.push(next);
  }
  ctx.s.probes = out;
}

export function startProbe(ctx: Ctx, target: Member, cause: Probe['cause']): void {
  const seq = nextSeq(ctx);
  const { probeIntervalMs, probeTimeoutMs } = ctx.p;
  const probe: Probe = {
    target: target.id, seq, cause, startedAt: ctx.now, phase: 'direct',
    directDeadline: ctx.now + scaleByAwareness(probeTimeoutMs, ctx.s.awareness),
    deadline: ctx.now + scaleByAwareness(probeIntervalMs, ctx.s.awareness),
    helpers: [], nacks: [],
  };
  ctx.s.probes = [...ctx.s.probes, probe];
  ping(ctx, target, seq);
}

/**
 * vipd (issue 10): a probe on a local input (inputs.ts) skips the direct phase: the input says
 * the direct path failed already (refused: nothing listens; BFD down: silent for a Detection
 * Time). Helpers are asked at once and get the usual indirect window, probe interval − probe
 * timeout, stretched by awareness; a BFD probe pings directly once more as well.
 */
export function startIndirectProbe(ctx: Ctx, target: Member, cause: 'gone' | 'bfd-down'): void {
  const window = scaleByAwareness(ctx.p.probeIntervalMs - ctx.p.probeTimeoutMs, ctx.s.awareness);
  const probe: Probe = {
    target: target.id, seq: nextSeq(ctx), cause, startedAt: ctx.now, phase: 'direct',
    directDeadline: ctx.now, deadline: ctx.now + window, helpers: [], nacks: [],
  };
  ctx.s.probes = [...ctx.s.probes, probe];
  escalate(ctx, probe, cause === 'gone' ? 'send-failed' : 'bfd-down');
}

/**
 * No direct ack in time (or the transport could not deliver at all): ask k random live members
 * to probe for us. Unless the direct send failed outright, ping once more ourselves, as
 * memberlist's TCP fallback does, so one lost packet is not enough to accuse.
 */
export function escalate(ctx: Ctx, probe: Probe, why: 'timeout' | 'send-failed' | 'bfd-down'): void {
  const target = member(ctx, probe.target);
  if (!probeable(target)) return replaceProbe(ctx, probe.seq, undefined);
  const drawn = sample(ctx.s.probeOrder, ctx.p.indirectProbes, (id) => id !== target.id && member(ctx, id)?.state === 'alive', ctx.s.rng);
  ctx.s.rng = drawn.rng;
  for (const id of drawn.value) {
    const helper = member(ctx, id) as Member;
    send(ctx, { id, address: helper.address }, {
      type: 'PingReq', ...envelope(ctx), seq: probe.seq, target: target.id, targetAddress: target.address, nack: true,
      gossip: piggyback(ctx),
    });
  }
  if (why !== 'send-failed') ping(ctx, target, probe.seq);
  // A late escalation (a stalled process) still gives the helpers their full window: a node
  // that was slow itself must not accuse others (Lifeguard).
  const window = probe.deadline - probe.directDeadline;
  replaceProbe(ctx, probe.seq, {
    ...probe, phase: 'indirect', helpers: drawn.value, deadline: Math.max(probe.deadline, ctx.now + window),
  });
  const what = why === 'timeout' ? 'no direct ack' : why === 'send-failed' ? 'send failed' : 'BFD session down';
  log(ctx, 'debug', `probe of ${target.id}: ${what}, asking ${drawn.value.length} helpers`,
    { member: target.id, seq: probe.seq, helpers: drawn.value });
}

/** The probe interval ran out without an ack: the target is suspect. */
function fail(ctx: Ctx, probe: Probe): void {
  replaceProbe(ctx, probe.seq, undefined);
  const target = member(ctx, probe.target);
  if (!probeable(target)) return;
  ctx.s.awareness = applyAwarenessDelta(ctx.s.awareness, failedProbeDelta(probe.helpers.length, probe.nacks.length), ctx.p.awarenessMax);
  metric(ctx, 'vipd_membership_probes_total', { result: 'failed', cause: probe.cause });
  const why = `no ack to direct probe or ${probe.helpers.length} indirect probes (${probe.nacks.length} nacks)`;
  suspectReceived(ctx, { id: target.id, incarnation: target.incarnation, from: ctx.p.self.id }, ctx.p.self.id, 'probe', why);
}

/** Tick: probes whose direct phase or whole interval ran out. */
export function expireProbes(ctx: Ctx): void {
  for (const probe of ctx.s.probes) {
    if (probe.phase === 'direct' && ctx.now >= probe.directDeadline) escalate(ctx, probe, 'timeout');
  }
  for (const probe of ctx.s.probes) {
    if (probe.phase === 'indirect' && ctx.now >= probe.deadline) fail(ctx, probe);
  }
}

/** Tick: helpers' pings that got no ack: nack the requester (Lifeguard). */
export function expireRelays(ctx: Ctx): void {
  const relays = ctx.s.relays;
  if (!relays.some((r) => ctx.now >= r.deadline)) return;
  ctx.s.relays = relays.filter((r) => ctx.now < r.deadline);
  for (const r of relays) {
    if (ctx.now >= r.deadline && r.nack) send(ctx, r.requester, { type: 'Nack', ...envelope(ctx), seq: r.requesterSeq, gossip: piggyback(ctx) });
  }
}

/** Tick: the next round-robin probe, over a shuffled list reshuffled each full round. */
export function roundRobin(ctx: Ctx): void {
  const s = ctx.s;
  if (s.nextProbeAt === undefined || ctx.now < s.nextProbeAt) return;
  s.nextProbeAt = ctx.now + scaleByAwareness(ctx.p.probeIntervalMs, s.awareness);
  while (s.probeFirst.length > 0) {
    const id = s.probeFirst[0] as string;
    s.probeFirst = s.probeFirst.slice(1);
    const m = member(ctx, id);
    if (m?.state === 'suspect' && !s.probes.some((p) => p.target === id)) return startProbe(ctx, m, 'suspect-first');
  }
  for (let checked = 0; checked <= s.probeOrder.length; checked++) {
    if (s.probeIndex >= s.probeOrder.length) {
      const sh = shuffle(s.probeOrder, s.rng);
      setProbeOrder(ctx, sh.value);
      s.rng = sh.rng;
      s.probeIndex = 0;
      if (s.probeOrder.length === 0) return;
    }
    const id = s.probeOrder[s.probeIndex] as string;
    s.probeIndex++;
    const m = member(ctx, id);
    if (probeable(m) && !s.probes.some((p) => p.target === id)) return startProbe(ctx, m, 'round-robin');
  }
}

export function probeNow(ctx: Ctx, id: string): void {
  const m = member(ctx, id);
  if (id === ctx.p.self.id || !probeable(m)) {
    return log(ctx, 'debug', `ProbeNow ${id}: not probing (${id === ctx.p.self.id ? 'ourselves' : m ? m.state : 'unknown member'})`);
  }
  if (ctx.s.probes.some((p) => p.target === id)) return log(ctx, 'debug', `ProbeNow ${id}: a probe is already running`);
  metric(ctx, 'vipd_membership_probe_now_total');
  startProbe(ctx, m, 'probe-now');
}

/**
 * The transport could not deliver to `to`: a direct probe of it goes indirect at once, and a
 * relay we run for it nacks at once. Nothing is marked by this alone.
 */
export function sendFailed(ctx: Ctx, to: Destination): void {
  let id = to.id;
  if (id === undefined) {
    for (const m of ctx.s.members.values()) if (m.address === to.address) id = m.id;
  }
  if (id === undefined) return;
  for (const probe of ctx.s.probes) {
    if (probe.target === id && probe.phase === 'direct') escalate(ctx, probe, 'send-failed');
  }
  const relays = ctx.s.relays;
  if (relays.some((r) => r.target === id)) {
    ctx.s.relays = relays.filter((r) => r.target !== id);
    for (const r of relays) {
      if (r.target === id && r.nack) send(ctx, r.requester, { type: 'Nack', ...envelope(ctx), seq: r.requesterSeq, gossip: piggyback(ctx) });
    }
  }
}

function senderOf(m: Message): Destination & { readonly id: string } {
  return { id: m.from, address: m.fromAddress };
}

export function onPing(ctx: Ctx, m: Msg<'Ping'>): void {
  if (m.target !== ctx.p.self.id) return drop(ctx, 'wrong-target', `ping from ${m.from} for ${m.target}, we are ${ctx.p.self.id}`);
  const gossip = gossipFor(ctx, m.from);
  send(ctx, senderOf(m), { type: 'Ack', ...envelope(ctx), seq: m.seq, gossip: ctx.staleNewsOfSelf ? [aliveSelf(ctx), ...gossip] : gossip });
}

export function onPingReq(ctx: Ctx, m: Msg<'PingReq'>): void {
  if (m.target === ctx.p.self.id) {
    // Asked to probe ourselves: the answer is that we are here.
    return send(ctx, senderOf(m), { type: 'Ack', ...envelope(ctx), seq: m.seq, gossip: gossipFor(ctx, m.from) });
  }
  // A helper pings only members: a ping-req must not make us dial any address it names.
  if (!admitted(ctx, m.target)) return drop(ctx, 'target-not-allowed', `ping-req from ${m.from} for ${m.target}, who is not in the allow-list`);
  if (ctx.s.relays.length >= MAX_RELAYS) return drop(ctx, 'too-many-relays', `ping-req from ${m.from} refused: ${MAX_RELAYS} relays running`);
  const seq = nextSeq(ctx);
  ctx.s.relays = [...ctx.s.relays, {
    seq, target: m.target, requester: senderOf(m), requesterSeq: m.seq, nack: m.nack, deadline: ctx.now + nackTimeoutMs(ctx.p.probeTimeoutMs),
  }];
  ping(ctx, { id: m.target, address: m.targetAddress }, seq);
}

export function onAck(ctx: Ctx, m: Msg<'Ack'>): void {
  const relay = ctx.s.relays.find((r) => r.seq === m.seq);
  if (relay && relay.target === m.from) {
    ctx.s.relays = ctx.s.relays.filter((r) => r !== relay);
    return send(ctx, relay.requester, { type: 'Ack', ...envelope(ctx), seq: relay.requesterSeq, gossip: piggyback(ctx) });
  }
  const probe = ctx.s.probes.find((p) => p.seq === m.seq);
  if (!probe || (m.from !== probe.target && !probe.helpers.includes(m.from))) return drop(ctx, 'unexpected-ack');
  replaceProbe(ctx, probe.seq, undefined);
  ctx.s.awareness = applyAwarenessDelta(ctx.s.awareness, SUCCESSFUL_PROBE_DELTA, ctx.p.awarenessMax);
  const result = m.from === probe.target ? 'ack' : 'indirect-ack';
  metric(ctx, 'vipd_membership_probes_total', { result, cause: probe.cause });
  if (probe.cause === 'probe-now') log(ctx, 'debug', `ProbeNow ${probe.target}: ${result} after ${ctx.now - probe.startedAt} ms`);
}

export function onNack(ctx: Ctx, m: Msg<'Nack'>): void {
  const probe = ctx.s.probes.find((p) => p.seq === m.seq);
  if (!probe || !probe.helpers.includes(m.from) || probe.nacks.includes(m.from)) return drop(ctx, 'unexpected-nack');
  replaceProbe(ctx, probe.seq, { ...probe, nacks: [...probe.nacks, m.from] });
}
