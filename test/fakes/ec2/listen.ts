/**
 * Where the fake's servers listen: loopback by default, or an address a test put on an interface
 * it created (a veth into a namespace), and then only from the documentation ranges, so a fake
 * never answers on an address that could be someone's.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import { isIP, type AddressInfo } from 'node:net';

const ALLOWED = [/^127\./, /^::1$/, /^192\.0\.2\./, /^198\.51\.100\./, /^203\.0\.113\./, /^2001:db8:/i];

export function checkListenHost(host: string): void {
  if (isIP(host) === 0 || !ALLOWED.some((re) => re.test(host))) {
    throw new Error(`listen address '${host}' must be loopback or in 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24 or 2001:db8::/32`);
  }
}

/** Starts an HTTP server on host:0 and returns it with its http:// base URL. */
export async function listenHttp(handler: RequestListener, host = '127.0.0.1'): Promise<{ server: Server; url: string }> {
  checkListenHost(host);
  const server = createServer(handler);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://${isIP(host) === 6 ? `[${host}]` : host}:${port}` };
}
