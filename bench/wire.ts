/**
 * Decision → VIP bound → first gratuitous ARP on the wire (issue 10 §5), measured on the new
 * master b during the failover runs of vipd. Three clocks, all the system's real-time clock:
 *
 * - the decision: b's log line that issues AcquireVip, by pino's own `time` (epoch ms,
 *   Date.now(): whole milliseconds, so the decision lies in [time, time + 1) and every interval
 *   below is an upper bound by at most 1 ms). For a leased unicast group that is "lease granted
 *   …: taking the VIP" (src/core/election/step.ts onLeaseAck); for a VRRP group without leases,
 *   the role change to MASTER (the same step acquires);
 * - VIP bound: the kernel's RTM_NEWADDR for the VIP as `ip -timestamp monitor address` in b's
 *   namespace printed it (microseconds; read when ip got the message, so a little late);
 * - first gratuitous ARP: `tcpdump -tt --immediate-mode -Q out arp` on b's interface, the
 *   capture time the kernel stamped on b's first outgoing ARP with the VIP as sender
 *   (RFC 5227 §3: an ARP announcement is a request "who-has VIP tell VIP"; a reply "VIP is-at"
 *   counts too).
 *
 * Pure parsers and arithmetic here (test/unit/bench/wire.test.ts); the capture processes are in
 * bench/wire-capture.ts.
 */

/** One capture event on the real-time clock, microseconds since the epoch. */
export interface WireEvent {
  readonly kind: 'bound' | 'unbound' | 'garp';
  readonly address: string;
  readonly wallUs: number;
}

/**
 * A line of `ip -timestamp -tshort monitor address` (TZ=UTC):
 * "[2026-12-02T04:54:48.454734] 3: eth0    inet 192.0.2.50/24 scope global eth0", or with
 * "Deleted " before the index.
 */
export function parseMonitorLine(line: string): WireEvent | undefined {
  const m = /^\[(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)\.(\d{6})\]\s+(Deleted\s+)?\d+:\s+\S+\s+inet\s+([0-9.]+)\//.exec(line);
  if (!m) return undefined;
  const seconds = Date.parse(`${m[1]}Z`);
  if (!Number.isFinite(seconds)) return undefined;
  return { kind: m[3] ? 'unbound' : 'bound', address: m[4] as string, wallUs: seconds * 1000 + Number(m[2]) };
}

/**
 * A line of `tcpdump -n -tt -l arp`: "1796187288.463756 ARP, Request who-has 192.0.2.50
 * (ff:ff:ff:ff:ff:ff) tell 192.0.2.50, length 28" or "… ARP, Reply 192.0.2.50 is-at …".
 * Only gratuitous ones (sender = target for a request): a node resolving its peers is not one.
 */
export function parseTcpdumpLine(line: string): WireEvent | undefined {
  const m = /^(\d+)\.(\d{6}) ARP, (?:Request who-has ([0-9.]+)(?: \([^)]*\))? tell ([0-9.]+)|Reply ([0-9.]+) is-at )/.exec(line);
  if (!m) return undefined;
  const wallUs = Number(m[1]) * 1e6 + Number(m[2]);
  if (m[5]) return { kind: 'garp', address: m[5], wallUs };
  if (m[3] && m[3] === m[4]) return { kind: 'garp', address: m[3], wallUs };
  return undefined;
}

export interface WireTimes {
  /** Decision → the VIP on b's interface (ms; upper bound by < 1 ms, see the header). */
  readonly boundMs?: number;
  /** Decision → b's first gratuitous ARP for the VIP on the wire. */
  readonly garpMs?: number;
  /** Which line was the decision. */
  readonly decision: string;
}

/**
 * The first bound and gratuitous-ARP events for `vip` at or after the decision. Events before
 * the decision (a VIP left bound, an earlier term) do not count; a bound event more than 10 s
 * later is not this decision's.
 */
export function wireTimes(events: readonly WireEvent[], vip: string, decisionWallMs: number, decision: string): WireTimes {
  const fromUs = decisionWallMs * 1000;
  const first = (kind: WireEvent['kind']) => events.filter((e) => e.kind === kind && e.address === vip && e.wallUs >= fromUs && e.wallUs - fromUs < 10e6).sort((x, y) => x.wallUs - y.wallUs)[0];
  const ms = (e: WireEvent | undefined) => (e === undefined ? undefined : Math.round((e.wallUs - fromUs) / 10) / 100);
  const bound = ms(first('bound'));
  const garp = ms(first('garp'));
  return { decision, ...(bound === undefined ? {} : { boundMs: bound }), ...(garp === undefined ? {} : { garpMs: garp }) };
}

/** vipd's JSON log lines of b for one group, as they came (pino's `time` and `msg`). */
export interface LogEntry {
  readonly wallMs: number;
  readonly msg: string;
}

export function parseLogEntry(text: string, group: string): LogEntry | undefined {
  if (!text.startsWith('{')) return undefined;
  try {
    const e = JSON.parse(text) as { msg?: unknown; group?: unknown; time?: unknown };
    if (e.group !== group || typeof e.msg !== 'string' || typeof e.time !== 'number') return undefined;
    return { wallMs: e.time, msg: e.msg };
  } catch {
    return undefined;
  }
}

/**
 * The decision that issued AcquireVip after `sinceWallMs`: the first "…: taking the VIP" line
 * (a leased group), else the first role change into MASTER (a group without leases).
 */
export function decisionEntry(entries: readonly LogEntry[], sinceWallMs: number): LogEntry | undefined {
  const after = entries.filter((e) => e.wallMs >= sinceWallMs);
  return after.find((e) => /: taking the VIP$/.test(e.msg)) ?? after.find((e) => /^[A-Z]+ -> MASTER \(/.test(e.msg));
}
