/**
 * From `api:` (ApiConfig) to what the API server opens: the token and TLS files read, and the
 * socket's owner and group resolved to ids (from /etc/passwd and /etc/group, as `chown` does
 * for local accounts). Any problem names the file or field; the agent then runs without that
 * listener (docs/api.md), never without its VIPs.
 */
import { readFile } from 'node:fs/promises';
import type { ApiConfig } from '../config/types.js';
import { readToken, type ApiListeners } from '../api/server.js';

async function idOf(name: string | number, db: '/etc/passwd' | '/etc/group'): Promise<number> {
  if (typeof name === 'number') return name;
  const text = await readFile(db, 'utf8').catch(() => '');
  for (const line of text.split('\n')) {
    const [n, , id] = line.split(':');
    if (n === name && id !== undefined && /^\d+$/.test(id)) return Number(id);
  }
  throw new Error(`api.socket_${db === '/etc/passwd' ? 'owner' : 'group'}: no ${db === '/etc/passwd' ? 'user' : 'group'} ${JSON.stringify(name)} in ${db}`);
}

export async function apiListeners(api: ApiConfig): Promise<ApiListeners> {
  const socket = api.socket && {
    path: api.socket.path,
    mode: api.socket.mode,
    ...(api.socket.owner !== undefined && { uid: await idOf(api.socket.owner, '/etc/passwd') }),
    ...(api.socket.group !== undefined && { gid: await idOf(api.socket.group, '/etc/group') }),
  };
  const h = api.http;
  const http = h && {
    host: h.host,
    port: h.port,
    ...(h.tokenFile !== undefined && { token: await readToken(h.tokenFile) }),
    ...(h.tls && { tls: { cert: await readFile(h.tls.cert), key: await readFile(h.tls.key), ca: await readFile(h.tls.clientCa) } }),
  };
  return { ...(socket && { socket }), ...(http && { http }) };
}
