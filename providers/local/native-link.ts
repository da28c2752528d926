/**
 * The local provider's native path: rtnetlink (RFC 3549) for addresses, an AF_PACKET socket for
 * gratuitous ARP (RFC 5227 §3), an ICMPv6 socket for unsolicited Neighbor Advertisements
 * (RFC 4861 §7.2.6), through the small addon in native/local_link.c. Nothing is spawned: from the
 * decision to the VIP bound and the first announcement on the wire is one turn of the event
 * loop (providers/local/README.md, "Native path", has the measurements).
 *
 * Every call is synchronous and never waits (the addon uses MSG_DONTWAIT; rtnetlink answers
 * inside sendmsg). Sockets are opened on first use and kept; with a namespace they are made
 * inside it (setns on this thread for the one call) and stay there.
 *
 * Messages are built and parsed here and in src/wire (rtnetlink.ts, arp.ts, ndp.ts); the addon
 * only moves bytes.
 */
import { createRequire } from 'node:module';
import { constants as osConstants } from 'node:os';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { VipConfig } from '../../src/config/types.js';
import { parseIp } from '../../src/wire/address.js';
import { encodeArpFrame, gratuitousArp, decodeArpFrame, type ArpFrame } from '../../src/wire/arp.js';
import { BROADCAST_MAC } from '../../src/wire/mac.js';
import { ALL_NODES_IPV6, encodeNeighborAdvert, decodeNeighborAdvert, unsolicitedNeighborAdvert } from '../../src/wire/ndp.js';
import {
  decodeAck, decodeAddress, decodeLink, decodeMessages, encodeDeleteAddress, encodeDeleteRoute, encodeGetAddresses, encodeGetLink,
  encodeNewAddress, IFA_F_NODAD, NLMSG_DONE, NLMSG_ERROR, RTM_NEWADDR, RTM_NEWLINK, RTPROT_KERNEL, type NetlinkMessage,
} from '../../src/wire/rtnetlink.js';
import type { LinkState } from './parse.js';

/** What native/local_link.c exports. */
export interface LinkAddon {
  open(kind: 'route' | 'packet' | 'arp' | 'icmp6' | 'nd', netnsPath: string | undefined, ifindex: number): number;
  close(fd: number): void;
  request(fd: number, message: Uint8Array): Buffer;
  sendFrame(fd: number, ifindex: number, frame: Uint8Array): number;
  sendIcmp6(fd: number, ifindex: number, destination: Uint8Array, message: Uint8Array): number;
  receive(fd: number): Buffer[];
}

/** A failed kernel call: the errno (positive) and the kernel's own words when it gave some. */
export class LinkCallError extends Error {
  override readonly name = 'LinkCallError';
  constructor(readonly what: string, readonly errno: number, kernelMessage?: string) {
    super(`${what}: ${errnoText(errno)}${kernelMessage ? ` (${kernelMessage})` : ''}`);
  }
}

const ERRNO_NAMES = new Map(Object.entries(osConstants.errno).map(([name, n]) => [n, name]));
export const ERRNO = osConstants.errno;

function errnoText(errno: number): string {
  const words: Record<string, string> = {
    EPERM: 'Operation not permitted', EEXIST: 'File exists', ENODEV: 'No such device', EADDRNOTAVAIL: 'Cannot assign requested address',
    ESRCH: 'No such process', EACCES: 'Permission denied', ENOENT: 'No such file or directory', EINVAL: 'Invalid argument',
  };
  const name = ERRNO_NAMES.get(errno) ?? `errno ${errno}`;
  return words[name] ? `${words[name]} (${name})` : name;
}

let loaded: { addon: LinkAddon } | { error: string } | undefined;

/**
 * The addon, built by `npm ci` (native/build.mjs); undefined with the reason when it is not there
 * or does not load (then the provider runs ip/arping/ndptool: README.md, "Without the native part").
 * VIPD_NATIVE=0 turns it off.
 */
export function loadLinkAddon(): { addon: LinkAddon } | { error: string } {
  if (loaded) return loaded;
  if (process.env.VIPD_NATIVE === '0') return (loaded = { error: 'VIPD_NATIVE=0' });
  if (process.platform !== 'linux') return (loaded = { error: `the native part is Linux only (this is ${process.platform})` });
  // providers/local/ when run from source, dist/providers/local/ when built: the addon stays in the source tree.
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'native/build/Release/local_link.node'), join(here, '../../../providers/local/native/build/Release/local_link.node')];
  const path = candidates.find((p) => existsSync(p));
  if (!path) return (loaded = { error: `native/build/Release/local_link.node is not built (npm ci builds it; did node-gyp fail?)` });
  try {
    return (loaded = { addon: createRequire(import.meta.url)(path) as LinkAddon });
  } catch (err) {
    return (loaded = { error: `${path} did not load: ${(err as Error).message}` });
  }
}

export interface NativeLinkState extends LinkState {
  readonly ifindex: number;
  /** The interface's IPv6 link-local address: the source the kernel gives an unsolicited NA. */
  readonly linkLocal: string | undefined;
}

type KeptKind = 'route' | 'packet' | 'icmp6';

/**
 * The kept sockets, one set per network namespace for the whole process (100 groups share three
 * descriptors, not 300). Every call is synchronous on the one JS thread, so requests never
 * interleave; their sequence numbers come from one counter.
 */
const KEPT = new Map<string, Partial<Record<KeptKind, number>>>();
let lastSeq = 0;

/** One interface, through the process's kept sockets of its namespace. */
export class NativeLink {
  private readonly fds: Partial<Record<KeptKind, number>>;
  private readonly netnsPath: string | undefined;

  constructor(private readonly addon: LinkAddon, readonly ifname: string, netns: string | undefined) {
    // `ip netns add NAME` binds the namespace at /run/netns/NAME (/var/run is a link to /run).
    this.netnsPath = netns === undefined ? undefined : join('/run/netns', netns);
    const key = this.netnsPath ?? '';
    let fds = KEPT.get(key);
    if (!fds) {
      fds = {};
      KEPT.set(key, fds);
    }
    this.fds = fds;
  }

  /** The interface's index, MAC and addresses; undefined when it does not exist. */
  read(): NativeLinkState | undefined {
    const link = this.request('reading the link', encodeGetLink(this.nextSeq(), this.ifname), true);
    if (link === undefined) return undefined;
    const info = link.map((m) => (m.type === RTM_NEWLINK ? decodeLink(m) : undefined)).find((d) => d?.ok);
    if (!info?.ok) throw new LinkCallError(`reading the link ${this.ifname}: no RTM_NEWLINK in the answer`, ERRNO.EPROTO);
    const addresses = new Set<string>();
    const metrics = new Map<string, number>();
    let linkLocal: string | undefined;
    for (const m of this.request('reading the addresses', encodeGetAddresses(this.nextSeq(), info.value.ifindex), false) ?? []) {
      if (m.type !== RTM_NEWADDR) continue;
      const a = decodeAddress(m);
      if (!a.ok || a.value.ifindex !== info.value.ifindex) continue;
      addresses.add(a.value.address);
      if (a.value.metric !== undefined) metrics.set(a.value.address, a.value.metric);
      if (a.value.family === 6 && a.value.address.startsWith('fe80:')) linkLocal ??= a.value.address;
    }
    return { ifindex: info.value.ifindex, mac: info.value.mac, addresses, metrics, linkLocal };
  }

  /** RTM_NEWADDR with the mark; false when the address was there already (EEXIST). Throws LinkCallError. */
  add(ifindex: number, vip: VipConfig, label: string | undefined, metric: number): boolean {
    const address = this.bytes(vip);
    const message = encodeNewAddress(this.nextSeq(), {
      family: vip.family, address, prefixLength: vip.prefixLength, ifindex, metric,
      ...(vip.family === 4 && label !== undefined ? { label } : {}),
      // nodad: README.md "IPv6" (DAD would keep the VIP tentative, or fail it, on takeover).
      ...(vip.family === 6 ? { flags: IFA_F_NODAD } : {}),
    });
    try {
      this.request(`adding ${vip.address}/${vip.prefixLength}`, message, false);
      return true;
    } catch (err) {
      if (err instanceof LinkCallError && err.errno === ERRNO.EEXIST) return false;
      throw err;
    }
  }

  /** RTM_DELADDR; false when it was not there (EADDRNOTAVAIL) or the interface is gone (ENODEV). */
  remove(ifindex: number, vip: VipConfig): boolean {
    const message = encodeDeleteAddress(this.nextSeq(), { family: vip.family, address: this.bytes(vip), prefixLength: vip.prefixLength, ifindex });
    try {
      this.request(`removing ${vip.address}/${vip.prefixLength}`, message, false);
      return true;
    } catch (err) {
      if (err instanceof LinkCallError && (err.errno === ERRNO.EADDRNOTAVAIL || err.errno === ERRNO.ENODEV)) return false;
      throw err;
    }
  }

  /** RTM_DELROUTE of the IPv6 prefix route with our metric and proto kernel; false when there is none (ESRCH). */
  removePrefixRoute(ifindex: number, prefix: Uint8Array, prefixLength: number, metric: number): boolean {
    const message = encodeDeleteRoute(this.nextSeq(), { destination: prefix, prefixLength, ifindex, metric, protocol: RTPROT_KERNEL });
    try {
      this.request('removing the prefix route', message, false);
      return true;
    } catch (err) {
      if (err instanceof LinkCallError && err.errno === ERRNO.ESRCH) return false;
      throw err;
    }
  }

  /** One gratuitous ARP (RFC 5227 §3 announcement: a request with sender = target = the VIP), broadcast. */
  announceArp(ifindex: number, mac: string, address: string): void {
    this.send(() => this.addon.sendFrame(this.fd('packet'), ifindex, encodeArpFrame(gratuitousArp(address, mac))), `gratuitous ARP for ${address}`);
  }

  /**
   * One unsolicited NA to all-nodes ff02::1, Override set, with our MAC as Target Link-Layer
   * Address (RFC 4861 §7.2.6), hop limit 255 (§7.1.2). The kernel picks the link-local source
   * and recomputes the checksum (RFC 3542 §3.1); computed here with that source it is the same.
   */
  announceNa(ifindex: number, mac: string, address: string, linkLocal: string | undefined): void {
    const message = encodeNeighborAdvert(unsolicitedNeighborAdvert(address, mac), { source: linkLocal ?? '::', destination: ALL_NODES_IPV6 });
    const destination = parseIp(ALL_NODES_IPV6, 6) ?? new Uint8Array(16);
    this.send(() => this.addon.sendIcmp6(this.fd('icmp6'), ifindex, destination, message), `unsolicited NA for ${address}`);
  }

  /**
   * RFC 5227 §2.1.1 probe: an ARP request from 0.0.0.0 for `address`, twice, `waitMs` / 2 apart
   * (as iputils `arping -D -c 2 -w 1`); after `waitMs`, the MACs of every ARP whose sender IP is
   * `address` (a reply, or another host's announcement). The interface's one ARP listener
   * (arpWatch, shared by the probes running at once) is open before the first probe goes out.
   */
  async probeArp(ifindex: number, mac: string, address: string, waitMs: number, wait: (ms: number) => Promise<void>): Promise<string[]> {
    const watch = arpWatch(`${this.netnsPath ?? ''}/${ifindex}`, () => this.openListener('arp', ifindex), this.addon);
    const macs = new Set<string>();
    const waiter = { address, macs };
    watch.waiters.add(waiter);
    try {
      const probe: ArpFrame = { destination: BROADCAST_MAC, source: mac, arp: { operation: 'request', senderMac: mac, senderIp: '0.0.0.0', targetMac: '00:00:00:00:00:00', targetIp: address } };
      for (let i = 0; i < 2; i++) {
        this.addon.sendFrame(this.fd('packet'), ifindex, encodeArpFrame(probe));
        await wait(waitMs / 2);
      }
      watch.drain();
      return [...macs];
    } finally {
      watch.leave(waiter);
    }
  }

  /**
   * A Neighbor Solicitation for `address` to its solicited-node group (RFC 4861 §7.2.2), twice,
   * `waitMs` / 2 apart (as `ndisc6 -r 2 -w 500`); after `waitMs`, the Target Link-Layer
   * Addresses of every NA for it (the ICMPv6 socket lets in nothing but NAs).
   */
  async probeNdp(ifindex: number, mac: string, address: string, waitMs: number, wait: (ms: number) => Promise<void>): Promise<string[]> {
    const target = this.bytes({ address, prefixLength: 128, family: 6 });
    const group = Uint8Array.from([0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff, target[13] ?? 0, target[14] ?? 0, target[15] ?? 0]);
    const listener = this.openListener('nd', ifindex);
    try {
      for (let i = 0; i < 2; i++) {
        this.addon.sendIcmp6(listener, ifindex, group, neighborSolicitation(target, mac));
        await wait(waitMs / 2);
      }
      const macs = new Set<string>();
      for (const message of this.addon.receive(listener)) {
        // No path: the kernel checked the checksum before letting it in (RFC 3542 §3.1).
        const d = decodeNeighborAdvert(message);
        if (d.ok && d.value.target === address && d.value.targetMac) macs.add(d.value.targetMac);
      }
      return [...macs];
    } finally {
      this.addon.close(listener);
    }
  }

  /** Opens the announcement sockets now (validate: CAP_NET_RAW shows here, not at the first takeover). */
  openSockets(ipv6: boolean): void {
    this.fd('packet');
    if (ipv6) this.fd('icmp6');
  }

  // ---- internals ----

  private nextSeq(): number {
    lastSeq = (lastSeq % 0x7fffffff) + 1;
    return lastSeq;
  }

  private bytes(vip: VipConfig): Uint8Array {
    const b = parseIp(vip.address, vip.family);
    if (!b) throw new LinkCallError(`${vip.address} is not an IPv${vip.family} address`, ERRNO.EINVAL);
    return b;
  }

  private fd(kind: KeptKind): number {
    let fd = this.fds[kind];
    if (fd === undefined) {
      fd = this.openListener(kind, 0);
      this.fds[kind] = fd;
    }
    return fd;
  }

  private openListener(kind: KeptKind | 'arp' | 'nd', ifindex: number): number {
    try {
      return this.addon.open(kind, this.netnsPath, ifindex);
    } catch (err) {
      throw new LinkCallError(`opening the ${kind} socket${this.netnsPath ? ` in ${this.netnsPath}` : ''}`, errnoOf(err));
    }
  }

  private send(fn: () => number, what: string): void {
    try {
      fn();
    } catch (err) {
      if (err instanceof LinkCallError) throw err;
      throw new LinkCallError(`sending the ${what} on ${this.ifname}`, errnoOf(err));
    }
  }

  /**
   * One request, its answers. An NLMSG_ERROR with an errno throws LinkCallError, except ENODEV
   * when `missingIsUndefined` (the interface does not exist: undefined).
   */
  private request(what: string, message: Uint8Array, missingIsUndefined: boolean): NetlinkMessage[] | undefined {
    let raw: Buffer;
    try {
      raw = this.addon.request(this.fd('route'), message);
    } catch (err) {
      if (err instanceof LinkCallError) throw err;
      throw new LinkCallError(`${what} on ${this.ifname}`, errnoOf(err));
    }
    const decoded = decodeMessages(raw);
    if (!decoded.ok) throw new LinkCallError(`${what} on ${this.ifname}: ${decoded.reason}`, ERRNO.EPROTO);
    const out: NetlinkMessage[] = [];
    for (const m of decoded.value) {
      if (m.type === NLMSG_DONE) break;
      if (m.type === NLMSG_ERROR) {
        const ack = decodeAck(m);
        if (!ack.ok) throw new LinkCallError(`${what} on ${this.ifname}: ${ack.reason}`, ERRNO.EPROTO);
        if (ack.value.errno === 0) break;
        if (missingIsUndefined && ack.value.errno === ERRNO.ENODEV) return undefined;
        throw new LinkCallError(`${what} on ${this.ifname}`, ack.value.errno, ack.value.message);
      }
      out.push(m);
    }
    return out;
  }
}

function errnoOf(err: unknown): number {
  const n = (err as { errno?: unknown }).errno;
  return typeof n === 'number' ? Math.abs(n) : ERRNO.EIO;
}

/**
 * RFC 4861 §4.3 Neighbor Solicitation for `target` with our MAC as Source Link-Layer Address;
 * the kernel fills the checksum of an ICMPv6 raw socket.
 */
function neighborSolicitation(target: Uint8Array, mac: string): Uint8Array {
  const out = new Uint8Array(32);
  out[0] = 135;
  out.set(target, 8);
  out[24] = 1; // Source Link-Layer Address
  out[25] = 1;
  out.set(mac.split(':').map((h) => parseInt(h, 16)), 26);
  return out;
}

interface ArpWaiter {
  readonly address: string;
  readonly macs: Set<string>;
}

interface ArpWatch {
  readonly waiters: Set<ArpWaiter>;
  /** Reads what the listener holds and gives each frame to every waiter it answers. */
  drain(): void;
  leave(w: ArpWaiter): void;
}

/**
 * One ARP listener per interface for every probe running on it. With a listener per probe, a
 * node with 100 groups probing at once (their refreshes fall due together) had each of 100
 * packet sockets receive every one of the 200 probes, and decoded 20,000 frames in one turn:
 * its adverts stopped for ~400 ms and the backups took over (test/netns/lan-groups.test.ts).
 */
const arpWatches = new Map<string, ArpWatch>();

function arpWatch(key: string, open: () => number, addon: LinkAddon): ArpWatch {
  const known = arpWatches.get(key);
  if (known) return known;
  const fd = open();
  const waiters = new Set<ArpWaiter>();
  const watch: ArpWatch = {
    waiters,
    drain: () => {
      for (const frame of addon.receive(fd)) {
        const d = decodeArpFrame(frame);
        if (!d.ok) continue;
        for (const w of waiters) if (d.value.arp.senderIp === w.address) w.macs.add(d.value.arp.senderMac);
      }
    },
    leave: (w) => {
      waiters.delete(w);
      if (waiters.size > 0) return;
      arpWatches.delete(key);
      addon.close(fd);
    },
  };
  arpWatches.set(key, watch);
  return watch;
}
