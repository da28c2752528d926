/**
 * Relays a Unix socket to a TCP port on 127.0.0.1, run inside a network namespace
 * (`ip netns exec NS node --import tsx netns-relay.ts SOCKET PORT`): the test process stays in
 * its own namespace and reaches a fake listening on the namespace's loopback through the socket
 * (a Unix socket lives in the file system, which namespaces share). Prints "ready" once
 * listening; exits when its stdin closes.
 */
import { rmSync } from 'node:fs';
import { connect, createServer } from 'node:net';

const [socketPath, portText] = process.argv.slice(2);
const port = Number(portText);
if (!socketPath || !Number.isInteger(port) || port <= 0 || port > 65535) {
  process.stderr.write('usage: netns-relay.ts SOCKET PORT\n');
  process.exit(2);
}
rmSync(socketPath, { force: true });
const server = createServer((client) => {
  const upstream = connect(port, '127.0.0.1');
  client.pipe(upstream).pipe(client);
  const end = () => {
    client.destroy();
    upstream.destroy();
  };
  client.on('error', end);
  upstream.on('error', end);
});
server.listen(socketPath, () => process.stdout.write('ready\n'));
process.stdin.resume();
process.stdin.on('end', () => {
  server.close();
  rmSync(socketPath, { force: true });
  process.exit(0);
});
