/**
 * Opens a listening TCP socket on 127.0.0.1 (an ephemeral port) in the network namespace it
 * was started in (`ip netns exec NS node ns-listener.ts`) and hands it to its parent over the
 * IPC channel (child_process `send(message, server)`, which passes the file descriptor), then
 * exits. A socket keeps the namespace it was made in, so the bench — in the host's namespace —
 * accepts the connections that programs inside NS make to 127.0.0.1:PORT, and nothing outside
 * NS can reach it (bench/ec2-endpoint.ts).
 */
import { createServer } from 'node:net';

if (!process.send) {
  process.stderr.write('ns-listener.ts: start it with an IPC channel (spawn stdio "ipc")\n');
  process.exit(2);
}
const server = createServer();
server.on('error', (err) => {
  process.stderr.write(`ns-listener.ts: ${err.message}\n`);
  process.exit(1);
});
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  process.send?.({ port }, server, () => {
    // The parent has its own copy of the descriptor now.
    server.close();
    process.disconnect?.();
  });
});
