/**
 * The redial of a crash verdict (issue 10, docs/leases.md "Crash verdict"): after an established
 * stream to a peer ended, is anything listening at its address? A plain TCP connect answers it
 * without TLS or gRPC in the way:
 * - `refused`: the peer's host answered the SYN with a reset (ECONNREFUSED): no socket listens on
 *   that port, so the process that served it is gone (a killed process's kernel closes its
 *   listener with it);
 * - `answered`: the connection opened and stayed open for `settleMs` (a stalled process's kernel
 *   still completes the handshake into its backlog; a restarted agent listens again): no verdict;
 * - `reset`: the connection opened and was reset or closed within `settleMs`, with nothing sent:
 *   a listener closing under it. A killed process's kernel closes its sockets one after another,
 *   and its streams can end a few ms before its listener closes (seen in network namespaces: a
 *   redial 1-3 ms after the break was answered, then reset); the caller redials again;
 * - `silent`: no answer within the timeout, or any other error (a partition, a dead host, a
 *   firewall that drops): no verdict.
 * The socket is closed as soon as the result is known (at most `settleMs` after it opened);
 * nothing is written on it.
 */
import * as net from 'node:net';

/** `vipd_crash_probes_total{result}`: what one redial found. */
export const CRASH_PROBE_RESULTS = ['refused', 'answered', 'reset', 'silent'] as const;
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

/**
 * How long an opened redial is watched for a reset. A live vipd sends nothing before our
 * ClientHello and holds a silent TLS handshake open for seconds, so only a closing listener
 * resets it this soon; the close of a dying process's sockets takes a few ms at most.
 */
export const CRASH_PROBE_SETTLE_MS = 25;

/** One TCP connect to `address`: refused, answered, reset or silent within `timeoutMs`. Never rejects. */
export function probeListener(address: string, timeoutMs: number, settleMs = CRASH_PROBE_SETTLE_MS): Promise<CrashProbeResult> {
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
    let timer = setTimeout(() => finish('silent'), timeoutMs);
    let opened = false;
    socket.once('connect', () => {
      opened = true;
      clearTimeout(timer);
      timer = setTimeout(() => finish('answered'), settleMs);
    });
    // After the connect: a reset or a close with nothing sent is a listener closing under us.
    socket.once('close', () => finish(opened ? 'reset' : 'silent'));
    socket.on('data', () => finish('answered'));
    // ECONNRESET before the connect event: the handshake completed and the reset came in the same turn.
    socket.once('error', (err: NodeJS.ErrnoException) => finish(opened || err.code === 'ECONNRESET' ? 'reset' : err.code === 'ECONNREFUSED' ? 'refused' : 'silent'));
  });
}
