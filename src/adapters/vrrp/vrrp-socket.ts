/**
 * A raw IP protocol 112 socket on one interface (Linux), the PacketConn for VRRP (issue 4 §2).
 * IPv4: joins 224.0.0.18 with IP_ADD_MEMBERSHIP (a struct ip_mreqn: group, local address,
 * ifindex; without it nothing is received), sends with TTL 255 (RFC 5798 §5.1.1.3), TOS 0xc0
 * (network control, as keepalived and FRR), no multicast loopback. The kernel hands us the IPv4
 * header, so TTL is checked in user space and a bad one is counted (wire/ipv4.ts).
 * IPv6: joins ff02::12 with IPV6_ADD_MEMBERSHIP, hop limit 255, and asks the kernel to drop
 * anything with a hop limit below 255 (IPV6_MINHOPCOUNT, RFC 5082): raw IPv6 sockets do not
 * show the header and raw-socket has no recvmsg for IPV6_RECVHOPLIMIT, so those drops are the
 * kernel's and not counted by vipd (docs/lan-mode.md says so).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { networkInterfaces } from 'node:os';
import type { PacketConn, ReceivedPacket } from '../../ports/packet-conn.js';
import type * as RawSocket from 'raw-socket';

export const VRRP_PROTOCOL = 112;
export const VRRP_GROUP_V4 = '224.0.0.18';
export const VRRP_GROUP_V6 = 'ff02::12';

// Linux <netinet/in.h> / <linux/in6.h> option numbers raw-socket does not name.
const IP_MULTICAST_IF = 32;
const IP_MULTICAST_TTL = 33;
const IP_MULTICAST_LOOP = 34;
const IP_ADD_MEMBERSHIP = 35;
const IPV6_MULTICAST_IF = 17;
const IPV6_MULTICAST_HOPS = 18;
const IPV6_MULTICAST_LOOP = 19;
const IPV6_ADD_MEMBERSHIP = 20;
const IPV6_MINHOPCOUNT = 73;

/** Raised when the socket cannot be opened; says what to do. */
export class VrrpSocketError extends Error {
  override readonly name = 'VrrpSocketError';
}

export interface VrrpSocketOptions {
  readonly family: 4 | 6;
  readonly interface: string;
  /** Told when the socket failed and is being reopened (count and log it). */
  readonly onError?: (err: Error) => void;
}

function loadRaw(): typeof RawSocket {
  try {
    return createRequire(import.meta.url)('raw-socket') as typeof RawSocket;
  } catch (err) {
    throw new VrrpSocketError(`the raw-socket addon did not load (${err instanceof Error ? err.message : String(err)}); reinstall with npm ci (it is built by node-gyp)`);
  }
}

/** The interface's index and first address of the family (its primary address). */
export function interfaceInfo(name: string, family: 4 | 6): { index: number; address: string } {
  const addrs = networkInterfaces()[name];
  if (!addrs || addrs.length === 0) throw new VrrpSocketError(`interface ${name} does not exist or has no address`);
  const want = family === 4 ? 'IPv4' : 'IPv6';
  // IPv6 VRRP is sent from the link-local address (RFC 5798 §5.1.2.2).
  const a = addrs.find((x) => x.family === want && (family === 4 || x.address.startsWith('fe80:')));
  if (!a) throw new VrrpSocketError(`interface ${name} has no ${family === 4 ? 'IPv4' : 'IPv6 link-local'} address`);
  return { index: family === 6 && a.scopeid ? a.scopeid : ifIndexFromSys(name), address: a.address };
}

/** os.networkInterfaces gives scopeid only for IPv6; the index is in sysfs. */
function ifIndexFromSys(name: string): number {
  return Number(readFileSync(`/sys/class/net/${name}/ifindex`, 'utf8').trim());
}

export class VrrpSocket implements PacketConn {
  private socket: RawSocket.Socket | undefined;
  private retry: NodeJS.Timeout | undefined;
  /** Our primary address on the interface: the VRRP source address. */
  readonly address: string;
  private readonly index: number;

  constructor(private readonly opts: VrrpSocketOptions) {
    const info = interfaceInfo(opts.interface, opts.family);
    this.address = info.address;
    this.index = info.index;
  }

  async open(handler: (p: ReceivedPacket) => void): Promise<void> {
    if (this.socket) return;
    const raw = loadRaw();
    const { family } = this.opts;
    let s: RawSocket.Socket;
    try {
      s = raw.createSocket({ addressFamily: family === 4 ? raw.AddressFamily.IPv4 : raw.AddressFamily.IPv6, protocol: VRRP_PROTOCOL });
    } catch (err) {
      const msg = err instanceof Error ? err.message : String(err);
      throw new VrrpSocketError(/not permitted/i.test(msg)
        ? `opening a raw IP protocol 112 socket: ${msg}; vipd needs CAP_NET_RAW for VRRP (run as root or grant the capability: setcap cap_net_raw,cap_net_admin+ep $(which node))`
        : `opening a raw IP protocol 112 socket: ${msg}`);
    }
    try {
      const dev = Buffer.from(`${this.opts.interface}\0`);
      s.setOption(raw.SocketLevel.SOL_SOCKET, raw.SocketOption.SO_BINDTODEVICE, dev, dev.length);
      if (family === 4) {
        const ip = raw.SocketLevel.IPPROTO_IP;
        const mreqn = Buffer.alloc(12);
        Buffer.from(VRRP_GROUP_V4.split('.').map(Number)).copy(mreqn, 0);
        Buffer.from(this.address.split('.').map(Number)).copy(mreqn, 4);
        mreqn.writeInt32LE(this.index, 8);
        s.setOption(ip, IP_ADD_MEMBERSHIP, mreqn, mreqn.length);
        s.setOption(ip, IP_MULTICAST_IF, mreqn, mreqn.length);
        s.setOption(ip, IP_MULTICAST_TTL, 255);
        s.setOption(ip, raw.SocketOption.IP_TTL, 255);
        s.setOption(ip, IP_MULTICAST_LOOP, 0);
        s.setOption(ip, raw.SocketOption.IP_TOS, 0xc0);
      } else {
        const ip6 = raw.SocketLevel.IPPROTO_IPV6;
        const mreq = Buffer.alloc(20);
        ipv6Bytes(VRRP_GROUP_V6).copy(mreq, 0);
        mreq.writeInt32LE(this.index, 16);
        s.setOption(ip6, IPV6_ADD_MEMBERSHIP, mreq, mreq.length);
        s.setOption(ip6, IPV6_MULTICAST_IF, this.index);
        s.setOption(ip6, IPV6_MULTICAST_HOPS, 255);
        s.setOption(ip6, raw.SocketOption.IPV6_UNICAST_HOPS, 255);
        s.setOption(ip6, IPV6_MULTICAST_LOOP, 0);
        s.setOption(ip6, IPV6_MINHOPCOUNT, 255);
      }
    } catch (err) {
      s.close();
      throw new VrrpSocketError(`configuring the VRRP socket on ${this.opts.interface}: ${err instanceof Error ? err.message : String(err)}`);
    }
    s.on('message', (buffer: Buffer, source: string) => handler({ data: buffer, source }));
    // raw-socket closes the socket on any receive error; a VRRP node must not go deaf, so open
    // a new one (bounded: one attempt per 200 ms while the node runs).
    s.on('error', (err: Error) => {
      if (this.socket !== s) return;
      this.socket = undefined;
      this.opts.onError?.(err);
      this.retry = setTimeout(() => {
        this.retry = undefined;
        this.open(handler).catch((e: unknown) => this.opts.onError?.(e instanceof Error ? e : new Error(String(e))));
      }, 200);
    });
    this.socket = s;
  }

  send(data: Uint8Array, destination: string): Promise<void> {
    const s = this.socket;
    if (!s) return Promise.reject(new VrrpSocketError(`VRRP socket on ${this.opts.interface} is not open`));
    const buf = Buffer.from(data);
    return new Promise((resolve, reject) =>
      s.send(buf, 0, buf.length, destination, null, (err) =>
        err ? reject(new VrrpSocketError(`sending VRRP on ${this.opts.interface} to ${destination}: ${err.message}`)) : resolve(),
      ),
    );
  }

  async close(): Promise<void> {
    if (this.retry) clearTimeout(this.retry);
    this.retry = undefined;
    const s = this.socket;
    this.socket = undefined;
    s?.close();
  }
}

function ipv6Bytes(text: string): Buffer {
  const [head = '', tail = ''] = text.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = [...h, ...new Array<string>(8 - h.length - t.length).fill('0'), ...t];
  const out = Buffer.alloc(16);
  groups.forEach((g, i) => out.writeUInt16BE(parseInt(g, 16), i * 2));
  return out;
}
