/**
 * Standard VRRP as a PeerTransport (issue 4 §2): adverts of LAN groups go out as VRRPv2/v3
 * packets to 224.0.0.18 / ff02::12 on the group's interface, and VRRP packets received there
 * become adverts for the election, so vipd shares a VRID with keepalived, FRR or a router.
 * Receive checks, each dropped with a reason that is counted and logged once per window:
 * malformed IP/VRRP, TTL ≠ 255 (RFC 5798 §5.1.1.3), no address listed (RFC 5798 §5.2.5), a VRID
 * we do not run, a version other than the group's, and the VRRPv2 authentication (type 0; type 1
 * PASS only when configured).
 * The drop log is keyed by reason, so a flood of one kind prints one line per 10 s.
 */
import type { PacketConn, ReceivedPacket } from '../../ports/packet-conn.js';
import type { AdvertHandler, GroupAdvert, PeerTransport } from '../../ports/peer-transport.js';
import type { Logger } from '../../ports/logger.js';
import { LogLimiter } from '../../ports/log-limiter.js';
import type { Metrics } from '../../ports/metrics.js';
import { decodeIpv4, IPPROTO_VRRP } from '../../wire/ipv4.js';
import { checkTtl } from '../../wire/ttl.js';
import { decodeVrrp, encodeVrrp, passAuthData, VRRP_AUTH_NONE, VRRP_AUTH_PASS, VRRP_MULTICAST_IPV4, VRRP_MULTICAST_IPV6, type VrrpMessage } from '../../wire/vrrp.js';
import { fromElectionAdvert, toElectionAdvert } from '../../wire/vrrp-advert.js';
import { systemClock } from '../system-clock.js';
import type { VrrpDropReason } from './drop-reasons.js';

export interface VrrpGroup {
  readonly group: string;
  readonly vrid: number;
  readonly version: 2 | 3;
  readonly family: 4 | 6;
  readonly interface: string;
  /** The virtual addresses listed in our adverts. */
  readonly vips: readonly string[];
  /** VRRPv2 `auth_type PASS` password (cleartext on the wire: RFC 3768 removed it). */
  readonly pass?: string;
}

/** A socket on one interface and family; `address` is our source address there. */
export type VrrpConn = PacketConn & { readonly address: string };

export interface VrrpTransportOptions {
  readonly groups: readonly VrrpGroup[];
  readonly open: (iface: string, family: 4 | 6) => VrrpConn;
  readonly logger: Logger;
  readonly metrics: Metrics;
}

const key = (iface: string, family: 4 | 6) => `${iface}/IPv${family}`;

export class VrrpTransport implements PeerTransport {
  private readonly conns = new Map<string, VrrpConn>();
  private readonly limiter: LogLimiter;
  private handler: AdvertHandler | undefined;
  /** Sends still in the socket's queue: stop() lets them out (the priority-0 advert is one). */
  private readonly pending = new Set<Promise<void>>();
  private groups: readonly VrrpGroup[];

  constructor(private readonly opts: VrrpTransportOptions) {
    this.limiter = new LogLimiter(systemClock, opts.logger);
    this.groups = opts.groups;
    this.warnPass(opts.groups);
  }

  private warnPass(groups: readonly VrrpGroup[]): void {
    for (const g of groups) {
      if (g.pass !== undefined) this.opts.logger.warn({ group: g.group }, `group ${g.group} uses VRRPv2 PASS authentication: the password travels in cleartext and protects nothing (RFC 3768 removed it); use it only to match an existing keepalived setup`);
    }
  }

  /**
   * A reload (docs/api.md "Reload"): the groups become `groups`. A socket opens for an interface
   * and family no group used, and one that no group uses any more closes. Call it after the
   * removed groups stopped (their priority-0 adverts went out) and before the added ones start.
   */
  async setGroups(groups: readonly VrrpGroup[]): Promise<void> {
    this.warnPass(groups.filter((g) => !this.groups.some((x) => x.group === g.group)));
    this.groups = groups;
    const used = new Set(groups.map((g) => key(g.interface, g.family)));
    for (const [k, conn] of [...this.conns]) {
      if (used.has(k)) continue;
      this.conns.delete(k);
      await conn.close();
    }
    if (this.handler) await this.open();
  }

  /** Our source address on a group's interface (its RFC 5798 §6.4.3 tie-break address). */
  sourceAddress(group: string): string | undefined {
    const g = this.groups.find((x) => x.group === group);
    return g ? this.conns.get(key(g.interface, g.family))?.address : undefined;
  }

  /** Opens one socket per interface and family; call before start to learn source addresses. */
  async open(): Promise<void> {
    for (const g of this.groups) {
      const k = key(g.interface, g.family);
      if (this.conns.has(k)) continue;
      const conn = this.opts.open(g.interface, g.family);
      await conn.open((p) => this.receive(g.interface, g.family, p));
      this.conns.set(k, conn);
    }
  }

  async start(handler: AdvertHandler): Promise<void> {
    this.handler = handler;
    await this.open();
  }

  send(msg: GroupAdvert): void {
    const g = this.groups.find((x) => x.group === msg.group);
    const conn = g && this.conns.get(key(g.interface, g.family));
    if (!g || !conn) return;
    const destination = g.family === 4 ? VRRP_MULTICAST_IPV4 : VRRP_MULTICAST_IPV6;
    let bytes: Uint8Array;
    try {
      const vrrp = fromElectionAdvert({ ...msg.advert, vrid: g.vrid }, {
        version: g.version,
        addresses: [...g.vips],
        ...(g.pass !== undefined ? { authType: VRRP_AUTH_PASS, authData: passAuthData(g.pass) } : {}),
      });
      bytes = encodeVrrp(vrrp, { family: g.family, source: conn.address, destination });
    } catch (err) {
      this.opts.metrics.inc('vipd_vrrp_send_errors_total', { interface: g.interface });
      this.limiter.log('warn', `cannot encode VRRP advert for ${g.group}: ${err instanceof Error ? err.message : String(err)}`, { reason: 'vrrp-encode' });
      return;
    }
    const sent = conn.send(bytes, destination).then(
      () => this.opts.metrics.inc('vipd_vrrp_sent_total', { interface: g.interface }),
      (err: unknown) => {
        this.opts.metrics.inc('vipd_vrrp_send_errors_total', { interface: g.interface });
        this.limiter.log('warn', err instanceof Error ? err.message : String(err), { reason: 'vrrp-send' });
      },
    );
    this.pending.add(sent);
    void sent.finally(() => this.pending.delete(sent));
  }

  /** Lets queued sends (the shutdown's priority-0 adverts) out, for at most 500 ms, then closes. */
  async stop(): Promise<void> {
    this.handler = undefined;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([Promise.allSettled([...this.pending]), new Promise((r) => (timer = setTimeout(r, 500)))]);
    clearTimeout(timer);
    await Promise.all([...this.conns.values()].map((c) => c.close()));
    this.conns.clear();
  }

  private drop(iface: string, reason: VrrpDropReason, detail: string): void {
    this.opts.metrics.inc('vipd_vrrp_dropped_total', { interface: iface, reason });
    this.limiter.log('warn', `dropped VRRP packet on ${iface}: ${detail}`, { reason: `vrrp-${reason}` });
  }

  private receive(iface: string, family: 4 | 6, p: ReceivedPacket): void {
    let payload = p.data;
    let destination = family === 4 ? VRRP_MULTICAST_IPV4 : VRRP_MULTICAST_IPV6;
    if (family === 4) {
      // A raw AF_INET socket delivers the IP header: check it here (the IPv6 hop limit is
      // enforced by the kernel with IPV6_MINHOPCOUNT, see vrrp-socket.ts).
      const ip = decodeIpv4(p.data);
      if (!ip.ok) return this.drop(iface, 'malformed', `from ${p.source}: ${ip.reason}`);
      if (ip.value.protocol !== IPPROTO_VRRP) return this.drop(iface, 'malformed', `from ${p.source}: protocol ${ip.value.protocol} is not VRRP`);
      const ttl = checkTtl(ip.value.ttl, 4);
      if (ttl) return this.drop(iface, 'ttl', `from ${p.source}: ${ttl}`);
      payload = ip.value.payload;
      destination = ip.value.destination;
    }
    const d = decodeVrrp(payload, { family, source: p.source, destination });
    if (!d.ok) return this.drop(iface, 'malformed', `from ${p.source}: ${d.reason}`);
    const msg = d.value;
    const g = this.groups.find((x) => x.interface === iface && x.family === family && x.vrid === msg.vrid);
    this.opts.metrics.inc('vipd_vrrp_received_total', { interface: iface });
    // RFC 5798 §5.2.5 (and RFC 3768 §5.3.5): Count IPvX Addrs is at least 1. An advert for no
    // address speaks for nothing we could hold; it must not move an election.
    if (msg.addresses.length === 0) return this.drop(iface, 'no-addresses', `advert from ${p.source} for VRID ${msg.vrid} lists no address (RFC 5798 §5.2.5: at least 1)`);
    if (!g) {
      // Another VRRP router on the segment: never ours to follow, but worth knowing (a VRID
      // collision waiting to happen). Counted, logged once per window.
      return this.drop(iface, 'other-vrid', `advert from ${p.source} for VRID ${msg.vrid}, which this node does not run on ${iface}`);
    }
    if (msg.version !== g.version) return this.drop(iface, 'version', `from ${p.source}: VRRPv${msg.version} advert for VRID ${msg.vrid}, the group runs v${g.version}`);
    const auth = checkAuth(msg, g);
    if (auth) return this.drop(iface, 'auth', `from ${p.source} for VRID ${msg.vrid}: ${auth}`);
    this.handler?.({ group: g.group, advert: toElectionAdvert(msg, p.source) });
  }
}

/** RFC 3768 §5.3.6: type 0 always; type 1 PASS only when configured and matching. */
function checkAuth(msg: VrrpMessage, g: VrrpGroup): string | undefined {
  if (msg.version !== 2) return undefined;
  if (g.pass === undefined) return msg.authType === VRRP_AUTH_NONE ? undefined : `authentication type ${msg.authType}; this group uses none`;
  if (msg.authType !== VRRP_AUTH_PASS) return `authentication type ${msg.authType}; this group uses PASS`;
  const want = passAuthData(g.pass);
  return msg.authData.length === want.length && msg.authData.every((b, i) => b === want[i]) ? undefined : 'wrong PASS password';
}
