/**
 * The redial of a crash verdict (issue 10, docs/leases.md "Crash verdict"): after an established
 * stream to a peer ended, is anything listening at its address? A plain TCP connect answers it
 * without TLS or gRPC in the way:
 * - `refused`: the peer's host answered the SYN with a reset (ECONNREFUSED): no socket listens on
 *   that port, so the process that served it is gone (a killed process's kernel closes its
 *   listener with it);
 * - `answered`: the connection opened (a stalled process's kernel still completes the handshake
 *   into its backlog; a restarted agent listens again): no verdict;
 * - `silent`: no answer within the timeout, or any other error (a partition, a dead host, a
 *   firewall that drops): no verdict.
 * The socket is closed at once either way; nothing is written on it.
 */
import * as net from 'node:net';

/** `vipd_crash_probes_total{result}`: what one redial found. */
export const CRASH_PROBE_RESULTS = ['refused', 'answered', 'silent'] as const;
export type CrashProbeResult = (typeof CRASH_PROBE_RESULTS)[number];

/** host:port, [v6]:port or v6-with-port as the transport spells addresses. */
export function splitHostPort(address: string): { host: string; port: number } | undefined {
  const colon = address.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const host = address.slice(0, colon).replace(/^\[(.*)\]$/, '$1');
  const port = Number(address.slice(colon + 1));
  if (!Number.isInteger(port) || port <= 0 || port > 65535 || host === '') return undefined;
  return { host, port };
}

/** One TCP connect to `address`: refused, answered or silent within `timeoutMs`. Never rejects. */
export function probeListener(address: string, timeoutMs: number): Promise<CrashProbeResult> {
  const target = splitHostPort(address);
  if (!target) return Promise.resolve('silent');
  return new Promise((resolve) => {
    let done = false;
    const socket = net.connect({ host: target.host, port: target.port });
    const finish = (r: CrashProbeResult): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(r);
    };
    const timer = setTimeout(() => finish('silent'), timeoutMs);
    socket.once('connect', () => finish('answered'));
    socket.once('error', (err: NodeJS.ErrnoException) => finish(err.code === 'ECONNREFUSED' ? 'refused' : 'silent'));
  });
}
