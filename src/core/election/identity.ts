/**
 * Tie-break by primary address (RFC 5798 §6.4.3: "the primary IP address of the sender is
 * greater than the local primary IP address"). Addresses are compared as unsigned numbers;
 * when either side has none we fall back to the node id, so the order is still total.
 */
import type { PeerIdentity } from './types.js';

/** Bytes of an IPv4 or IPv6 literal, or undefined if it is neither. Pure: no node:net. */
export function addressBytes(text: string): number[] | undefined {
  if (text.includes(':')) return ipv6Bytes(text);
  return ipv4Bytes(text);
}

function ipv4Bytes(text: string): number[] | undefined {
  const parts = text.split('.');
  if (parts.length !== 4) return undefined;
  const out: number[] = [];
  for (const p of parts) {
    if (!/^\d{1,3}$/.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    out.push(n);
  }
  return out;
}

function ipv6Bytes(text: string): number[] | undefined {
  const halves = text.split('::');
  if (halves.length > 2) return undefined;
  const groups = (s: string): number[] | undefined => {
    if (s === '') return [];
    const out: number[] = [];
    for (const g of s.split(':')) {
      if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return undefined;
      out.push(parseInt(g, 16));
    }
    return out;
  };
  const head = groups(halves[0] ?? '');
  const tail = halves.length === 2 ? groups(halves[1] ?? '') : [];
  if (!head || !tail) return undefined;
  const fill = 8 - head.length - tail.length;
  if (halves.length === 1 ? fill !== 0 : fill < 1) return undefined;
  const all = [...head, ...new Array<number>(halves.length === 2 ? fill : 0).fill(0), ...tail];
  return all.flatMap((g) => [g >> 8, g & 0xff]);
}

function compareBytes(a: number[], b: number[]): number {
  if (a.length !== b.length) return a.length - b.length; // IPv6 sorts above IPv4; mixed groups are a config error anyway
  for (let i = 0; i < a.length; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** > 0 when `a` wins a tie against `b`. */
export function compareIdentity(a: PeerIdentity, b: PeerIdentity): number {
  const ab = a.address === undefined ? undefined : addressBytes(a.address);
  const bb = b.address === undefined ? undefined : addressBytes(b.address);
  if (ab && bb) {
    const d = compareBytes(ab, bb);
    if (d !== 0) return d;
  }
  return a.nodeId < b.nodeId ? -1 : a.nodeId > b.nodeId ? 1 : 0;
}

export function describeIdentity(p: PeerIdentity): string {
  return p.address && p.address !== p.nodeId ? `${p.nodeId}(${p.address})` : p.nodeId;
}
