/**
 * From `api:` as parsed to ApiConfig, with the one rule that spans its fields: a listener that is
 * not on loopback must authenticate its clients (bearer token or mTLS), or the file is refused
 * (docs/api.md). An API that can drain a group must never be open on a network by accident.
 */
import { isIP } from 'node:net';
import { resolve } from 'node:path';
import { parseHostPort } from './address.js';
import type { RawApi } from './api-schema.js';
import type { Finding } from './findings.js';
import type { ApiConfig } from './types.js';

/** 127.0.0.0/8, ::1 and the name localhost: reachable from this host only. */
export function isLoopbackHost(host: string): boolean {
  if (host === 'localhost') return true;
  if (isIP(host) === 4) return host.startsWith('127.');
  return host === '::1';
}

export function normalizeApi(raw: RawApi, configDir: string): { api?: ApiConfig; errors: Finding[] } {
  const errors: Finding[] = [];
  const file = (p: string) => resolve(configDir, p);
  let http: ApiConfig['http'];
  if (raw.http.listen !== false) {
    const parsed = parseHostPort(raw.http.listen);
    if (!parsed.ok) return { errors };
    const auth = raw.http.token_file !== undefined || raw.http.tls !== undefined;
    if (!isLoopbackHost(parsed.host) && !auth) {
      errors.push({ path: ['api', 'http', 'listen'], message: `${parsed.host} is not a loopback address: a listener others can reach needs api.http.token_file or api.http.tls (mTLS), so that nobody else can drain a group (docs/api.md)` });
    }
    http = {
      host: parsed.host,
      port: parsed.port,
      ...(raw.http.token_file !== undefined && { tokenFile: file(raw.http.token_file) }),
      ...(raw.http.tls && { tls: { cert: file(raw.http.tls.cert), key: file(raw.http.tls.key), clientCa: file(raw.http.tls.client_ca) } }),
    };
  }
  const api: ApiConfig = {
    ...(raw.socket !== false && {
      socket: {
        path: file(raw.socket),
        mode: Number.parseInt(raw.socket_mode, 8),
        ...(raw.socket_owner !== undefined && { owner: raw.socket_owner }),
        ...(raw.socket_group !== undefined && { group: raw.socket_group }),
      },
    }),
    ...(http && { http }),
  };
  return { api, errors };
}
