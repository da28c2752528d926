/**
 * The cloud phase's numbers from the EC2 fake's request log (bench/cloud.ts). Pure: events and
 * times in (all on the bench's performance.now() clock), durations out.
 *
 * - fault → first request / first AssociateAddress: the new master's request ARRIVING at the
 *   fake (its own timestamp), measured from the moment the bench injected the fault;
 * - fault → visible: when the fake's state first shows the address on the new master's ENI
 *   (checked after every request's outcome, the only way the state changes);
 * - decision → first request / AssociateAddress: from the new master's decision to take the
 *   address. keepalived: its role change (notify_master runs then), when its "Entering MASTER
 *   STATE" line reached the bench. vipd: the log line of the action that issues AcquireVip, by
 *   its own time — the role change for a group without leases, and "lease granted by …: taking
 *   the VIP" for a leased one (quorum majority: a new master takes the VIP only once a majority
 *   of voters has promised it, docs/leases.md), which can come well after the role change.
 */

/** One request to the fake, as the bench saw it. */
export interface CloudEvent {
  /** Which HA node signed it (by access key). */
  readonly node: string | undefined;
  readonly action: string;
  /** performance.now() when the request arrived at the fake. */
  readonly at: number;
  /** performance.now() when its outcome was known (after the configured latency). */
  readonly doneAt: number;
  /** HTTP status; 0 when none was sent. */
  readonly status: number;
  readonly error?: string;
  /** The node holding the address right after this request. */
  readonly owner: string | undefined;
}

export interface CloudTimes {
  readonly firstRequestMs?: number;
  readonly firstAssociateMs?: number;
  readonly visibleMs?: number;
  /** fault → the new master's role change. */
  readonly masterMs?: number;
  /** fault → the new master's decision to take the address (see the header). */
  readonly decisionMs?: number;
  readonly decisionToRequestMs?: number;
  readonly decisionToAssociateMs?: number;
  /** Requests after the fault, by node. */
  readonly requestsAfter: Readonly<Record<string, number>>;
  /** The new master's requests after the fault that failed (status other than 200). */
  readonly failedAfter: number;
  /** Who holds the address after the last request. */
  readonly finalOwner: string | undefined;
}

const round = (x: number | undefined): number | undefined => (x === undefined ? undefined : Math.round(x * 100) / 100);

/**
 * `decisionAt` is on the same clock as the events (undefined when the new master's role change
 * was not seen). Requests that arrived before the fault do not count.
 */
export function cloudTimes(events: readonly CloudEvent[], o: { faultAt: number; newMaster: string; masterAt?: number; decisionAt?: number }): CloudTimes {
  const after = events.filter((e) => e.at >= o.faultAt).sort((x, y) => x.at - y.at);
  const mine = after.filter((e) => e.node === o.newMaster);
  const firstAt = (es: readonly CloudEvent[]) => es[0]?.at;
  const associate = mine.filter((e) => e.action === 'AssociateAddress');
  const visible = [...events].filter((e) => e.doneAt >= o.faultAt && e.owner === o.newMaster).sort((x, y) => x.doneAt - y.doneAt)[0];
  const since = (t: number | undefined, from: number | undefined) => (t === undefined || from === undefined ? undefined : round(t - from));
  // Decision → request counts the first request at or after the decision (an earlier one was not caused by it).
  const afterDecision = o.decisionAt === undefined ? [] : mine.filter((e) => e.at >= (o.decisionAt as number));
  const requestsAfter: Record<string, number> = {};
  for (const e of after) requestsAfter[e.node ?? '?'] = (requestsAfter[e.node ?? '?'] ?? 0) + 1;
  const last = [...events].sort((x, y) => x.doneAt - y.doneAt).at(-1);
  const out: { -readonly [K in keyof CloudTimes]: CloudTimes[K] } = {
    requestsAfter,
    failedAfter: mine.filter((e) => e.status !== 200).length,
    finalOwner: last?.owner,
  };
  const set = <K extends keyof CloudTimes>(k: K, v: CloudTimes[K] | undefined) => {
    if (v !== undefined) out[k] = v;
  };
  set('firstRequestMs', since(firstAt(mine), o.faultAt));
  set('firstAssociateMs', since(firstAt(associate), o.faultAt));
  set('visibleMs', since(visible?.doneAt, o.faultAt));
  set('masterMs', since(o.masterAt, o.faultAt));
  set('decisionMs', since(o.decisionAt, o.faultAt));
  set('decisionToRequestMs', since(firstAt(afterDecision), o.decisionAt));
  set('decisionToAssociateMs', since(firstAt(afterDecision.filter((e) => e.action === 'AssociateAddress')), o.decisionAt));
  return out;
}

/**
 * A wall-clock time (epoch ms, e.g. pino's `time`) on the performance.now() clock, given
 * `offset` = Date.now() − performance.now() sampled in the bench close to that time. Both
 * processes read the same system clock, so the error is the two whole-millisecond truncations
 * (pino's and this offset's): the result is within (−1, +1) ms of the truth.
 */
export function wallToPerf(wallMs: number, offset: number): number {
  return wallMs - offset;
}

/** Events with times relative to the fault (the JSON Lines record keeps them so a run can be recomputed). */
export function relativeEvents(events: readonly CloudEvent[], faultAt: number): CloudEvent[] {
  const r = (x: number) => Math.round((x - faultAt) * 100) / 100;
  return events.map((e) => ({ ...e, at: r(e.at), doneAt: r(e.doneAt) }));
}

/** The packets counted by every `counter` of an `nft list table` listing (the cloud phase's egress guard). */
export function parseNftPackets(listing: string): number {
  let n = 0;
  for (const m of listing.matchAll(/\bcounter packets (\d+) bytes \d+/g)) n += Number(m[1]);
  return n;
}

/** What issues a leased group's AcquireVip (src/core/election/step.ts onLeaseAck). */
const TAKING = /: taking the VIP$/;

/** A vipd JSON log line saying the group takes the VIP now: its own time (epoch ms), else undefined. */
export function parseTakingLine(text: string, group: string): { wallMs: number; msg: string } | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(text) as { msg?: unknown; group?: unknown; time?: unknown };
    if (e.group !== group || typeof e.msg !== 'string' || !TAKING.test(e.msg) || typeof e.time !== 'number') return undefined;
    return { wallMs: e.time, msg: e.msg };
  } catch {
    return undefined;
  }
}
