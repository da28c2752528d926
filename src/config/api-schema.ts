/**
 * `api:` (issue 11 §4, docs/api.md): the Unix socket vipctl talks to and the HTTP listener for
 * /metrics and the dashboard. The rule that a non-loopback listener needs a token or mTLS is in
 * api.ts, where the parsed values are turned into ApiConfig.
 */
import { z } from 'zod';
import { filePath, section } from './fields.js';
import { fieldError } from './messages.js';
import { parseHostPort } from './address.js';

export const DEFAULT_API_SOCKET = '/run/vipd/vipd.sock';
export const DEFAULT_API_LISTEN = '127.0.0.1:9641';

const owner = (what: string) =>
  z.union([z.string().regex(/^[a-z_][a-z0-9_-]{0,31}$/), z.int().min(0).max(2 ** 32 - 2)], {
    error: fieldError(`a ${what} name or a numeric id`, `${what} that owns the socket`),
  }).optional().describe(`${what} (name or id) that owns the socket, default the agent's; changing it needs root`);

const listen = z
  .union([z.literal(false), z.string().max(259)], { error: fieldError('host:port or false', 'where the HTTP API listens') })
  .superRefine((text, ctx) => {
    if (text === false) return;
    const parsed = parseHostPort(text);
    if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.reason, input: text });
  })
  .default(DEFAULT_API_LISTEN)
  .describe(`host:port the HTTP API (metrics, dashboard) listens on, default ${DEFAULT_API_LISTEN}; false: none; anything but loopback needs token_file or tls`);

export const apiHttpSchema = section({
  listen,
  token_file: filePath('file holding the bearer token clients send as "Authorization: Bearer TOKEN" (whitespace around it ignored, at least 16 characters)').optional(),
  tls: section({
    cert: filePath('PEM certificate the HTTP API serves'),
    key: filePath('PEM private key of that certificate'),
    client_ca: filePath('PEM CA that must have signed every client certificate (mTLS)'),
  }, 'HTTPS with client certificates (mTLS): cert, key, client_ca').optional(),
}, 'the HTTP API: listen, token_file, tls').prefault({});

export const apiSchema = section({
  socket: z.union([z.literal(false), filePath('path of the Unix socket vipctl talks to')], { error: fieldError('a path or false', 'the Unix socket vipctl talks to') })
    .default(DEFAULT_API_SOCKET)
    .describe(`path of the Unix socket vipctl talks to, default ${DEFAULT_API_SOCKET}; false: none`),
  socket_mode: z.string({ error: fieldError('an octal mode such as "0660"', 'permissions of the socket') }).regex(/^0?[0-7]{3}$/, 'must be an octal mode such as "0660"').default('0660')
    .describe('permissions of the socket, octal as chmod takes it, default "0660"'),
  socket_owner: owner('user'),
  socket_group: owner('group'),
  http: apiHttpSchema,
}, 'the local API (docs/api.md): Unix socket for vipctl, HTTP for metrics and the dashboard').prefault({});

export type RawApi = z.output<typeof apiSchema>;
