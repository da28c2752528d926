/**
 * The client of the benchmark: sends a small UDP request (its sequence number) to the VIP every
 * INTERVAL_MS and prints one line per request sent and per answer received:
 *
 *   s SEQ T          request SEQ sent at T
 *   a SEQ T NODE     NODE answered request SEQ at T
 *
 * T is milliseconds on CLOCK_MONOTONIC (process.hrtime), the clock the bench itself reads, so
 * fault times and answer times compare directly across processes. The socket is not connected:
 * an answer is accepted from whichever address the echo server's kernel picks as source.
 * Ends when stdin closes (the bench is gone) or after MAX_SECONDS.
 *
 *   probe-client.ts VIP PORT INTERVAL_MS MAX_SECONDS
 */
import { createSocket } from 'node:dgram';

const [vip, portText, intervalText, maxText] = process.argv.slice(2);
const port = Number(portText);
const intervalMs = Number(intervalText);
const maxSeconds = Number(maxText);
if (!vip || !Number.isInteger(port) || !(intervalMs >= 1) || !(maxSeconds > 0)) {
  process.stderr.write('usage: probe-client.ts VIP PORT INTERVAL_MS MAX_SECONDS\n');
  process.exit(2);
}

const now = (): number => Number(process.hrtime.bigint()) / 1e6;
const socket = createSocket('udp4');
let seq = 0;
let timer: NodeJS.Timeout | undefined;
const start = now();

socket.on('message', (msg) => {
  const at = now();
  const [node, seqText] = msg.toString('latin1').split(' ');
  if (!node || seqText === undefined || !/^\d+$/.test(seqText)) return;
  process.stdout.write(`a ${seqText} ${at.toFixed(3)} ${node}\n`);
});
// ICMP errors (no route to the VIP yet, host unreachable) surface here on some kernels: not ours to act on.
socket.on('error', () => undefined);

function tick(): void {
  seq += 1;
  const at = now();
  socket.send(String(seq), port, vip as string);
  process.stdout.write(`s ${seq} ${at.toFixed(3)}\n`);
  // Fixed schedule from the start, so a late tick does not shift every later one.
  const next = start + (seq + 1) * intervalMs;
  timer = setTimeout(tick, Math.max(0, next - now()));
}

socket.bind(0, () => tick());

const stop = () => {
  if (timer) clearTimeout(timer);
  socket.close(() => process.exit(0));
};
setTimeout(stop, maxSeconds * 1000).unref();
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
process.stdout.on('error', stop);
