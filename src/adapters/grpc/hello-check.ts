/**
 * The rule both ends of a stream apply to the other's Hello (issue 8 finding 8): it is for our
 * cluster, it names the node its TLS certificate names, and, when we dialled, the node we meant
 * to reach. Without the last two a node holding any allow-listed certificate could speak as
 * another node, or answer at another node's address.
 */
import type { Hello } from '../../wire/peer-frame.js';
import type { PeerRefusal } from './limits.js';
import type { Authenticated } from './peer-server.js';

export type HelloVerdict = { readonly ok: true } | { readonly ok: false; readonly reason: PeerRefusal; readonly detail: string };

/**
 * `certificate` is what the stream's TLS identity authenticated to (no nodeId in insecure mode:
 * then the Hello is all we know). `expected` is the node we dialled, when we know it.
 */
export function checkHello(h: Hello, clusterId: string, certificate: Authenticated, expected?: string): HelloVerdict {
  if (h.clusterId !== clusterId) return { ok: false, reason: 'wrong-cluster', detail: `hello from ${h.nodeId} is for cluster "${h.clusterId}", we are "${clusterId}"` };
  if (!certificate.ok) return { ok: false, reason: 'identity', detail: certificate.reason };
  if (certificate.nodeId !== undefined && h.nodeId !== certificate.nodeId) {
    return { ok: false, reason: 'identity-mismatch', detail: `hello claims node ${h.nodeId} but the certificate is ${certificate.nodeId}` };
  }
  if (expected !== undefined && h.nodeId !== expected) return { ok: false, reason: 'unexpected-peer', detail: `expected ${expected}, but node ${h.nodeId} answered` };
  return { ok: true };
}
