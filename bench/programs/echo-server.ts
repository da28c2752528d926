/**
 * The service behind the VIP: a UDP echo server that answers every request with its node name
 * and the request's payload ("a 17"), so the client can tell which node holds the VIP.
 * Listens on every address (the VIP comes and goes); ends when stdin closes (its parent, the
 * bench, is gone) or after --max-seconds, whichever comes first.
 *
 *   echo-server.ts NODE PORT MAX_SECONDS
 */
import { createSocket } from 'node:dgram';

const [node, portText, maxText] = process.argv.slice(2);
const port = Number(portText);
const maxSeconds = Number(maxText);
if (!node || !Number.isInteger(port) || port < 1 || port > 65535 || !(maxSeconds > 0)) {
  process.stderr.write('usage: echo-server.ts NODE PORT MAX_SECONDS\n');
  process.exit(2);
}

const socket = createSocket('udp4');
socket.on('message', (msg, from) => {
  // The payload is a sequence number: a few bytes. Anything longer is not ours.
  if (msg.length > 32) return;
  socket.send(`${node} ${msg.toString('latin1')}`, from.port, from.address);
});
socket.on('error', (err) => {
  process.stderr.write(`echo-server ${node}: ${err.message}\n`);
  process.exit(1);
});
socket.bind(port, '0.0.0.0', () => process.stdout.write(`listening ${node} ${port}\n`));

const stop = () => socket.close(() => process.exit(0));
setTimeout(stop, maxSeconds * 1000).unref();
process.stdin.on('end', stop);
process.stdin.on('error', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
