// Who this node trusts and how (issue 3): mutual TLS (files and the allow-list of node ids)
// and advert signing (keys and their secrets). Files are checked and secrets decoded here, at
// load, so a typo in a path stops start-up with the file named instead of failing at the first
// connection. Secrets never appear in a message.
import { formatHostPort, type HostPort } from './address.js';
import { asRecord } from './cluster.js';
import { checkFile, looseModeReason, readSmallFile, resolveConfigPath, showPath } from './files.js';
import { duplicates, type Finding, type Path } from './findings.js';
import { authKeySchema, authSchema, insecureSchema, tlsSchema, type RawAuthKey } from './schema.js';
import type { AuthConfig, GroupConfig, TlsConfig } from './types.js';

export interface TrustContext {
  /** Directory of the configuration file; relative paths are resolved against it. */
  readonly baseDir: string;
  /** Why the configuration file may be read by others, when it may (files.ts looseModeReason). */
  readonly looseMode?: string;
  readonly nodeId?: string;
  readonly hasSeeds: boolean;
  /** Every valid listen, advertise and seed endpoint (cluster.ts). */
  readonly endpoints: readonly { readonly path: Path; readonly endpoint: HostPort }[];
  /** The groups that passed the schema; `allGroupsValid` says whether that is every group. */
  readonly groups: readonly { readonly index: number; readonly group: GroupConfig }[];
  readonly allGroupsValid: boolean;
  readonly role?: string;
}

export interface TrustResult {
  readonly errors: Finding[];
  readonly warnings: Finding[];
  /** undefined when `insecure` itself is invalid. */
  readonly insecure?: boolean;
  /** Set when every part is valid and `insecure` is false. */
  readonly tls?: TlsConfig;
  readonly auth?: AuthConfig;
}

export const INSECURE_WARNING = 'insecure: true disables TLS and advert signing; for demos only';

/** HMAC-SHA256 keys shorter than this are guessable offline from one captured advert. */
export const MIN_SECRET_BYTES = 16;

const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const HEX = /^(?:[0-9a-fA-F]{2})+$/;

type Outcome<T> = { ok: true; value: T } | { ok: false; reason: string };

export function trustFindings(doc: Record<string, unknown>, context: TrustContext): TrustResult {
  const insecure = insecureSchema.safeParse(doc.insecure);
  if (insecure.success && insecure.data) {
    const ignored = (key: 'tls' | 'auth'): Finding[] =>
      doc[key] === undefined ? [] : [{ path: [key], message: `ignored: insecure: true disables ${key === 'tls' ? 'TLS' : 'advert signing'}` }];
    const errors = context.endpoints.flatMap(({ path, endpoint }) => (isLoopback(endpoint) ? [] : [{ path, message: notLoopback(endpoint) }]));
    return { errors, warnings: [{ path: ['insecure'], message: INSECURE_WARNING }, ...ignored('tls'), ...ignored('auth')], insecure: true };
  }
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  // With an invalid `insecure` (reported by the schema) we cannot tell whether tls and auth
  // are required, but the files that are named can still be checked. A node that only speaks
  // VRRP on its LAN (every group multicast, no seeds, not a witness) has no peer links to
  // protect: like keepalived it needs no certificates (issue 4).
  const lanOnly = context.allGroupsValid && context.groups.length > 0 && !context.hasSeeds && context.role !== 'witness' &&
    context.groups.every((g) => g.group.transport === 'multicast');
  const required = insecure.success && !lanOnly;

  let tls: TlsConfig | undefined;
  if (doc.tls !== undefined) {
    const result = checkTls(asRecord(doc.tls), context);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    tls = result.tls;
  } else if (required) {
    errors.push({ path: ['tls'], message: 'required unless insecure: true (mutual TLS between nodes: ca, cert and key files)' });
  }

  let auth: AuthConfig | undefined;
  if (doc.auth !== undefined) {
    const result = checkAuth(asRecord(doc.auth), context);
    errors.push(...result.errors);
    warnings.push(...result.warnings);
    auth = result.auth;
  } else if (required) {
    errors.push({ path: ['auth'], message: 'required unless insecure: true (advert signing: mode, active_key and keys)' });
  }

  return { errors, warnings, ...(insecure.success && { insecure: false }), ...(tls && { tls }), ...(auth && { auth }) };
}

/**
 * Plaintext peer links and unsigned adverts are safe only where no other host can reach them or
 * inject into them (issue 8 finding 9): loopback. A host name may resolve to anything, even
 * "localhost" (/etc/hosts), so only addresses count.
 */
function isLoopback(endpoint: HostPort): boolean {
  if (endpoint.kind === 'ipv4') return endpoint.host.startsWith('127.');
  return endpoint.kind === 'ipv6' && endpoint.host === '::1';
}

function notLoopback(endpoint: HostPort): string {
  const rule = 'insecure: true (no TLS, unsigned adverts) is allowed only on loopback (127.0.0.0/8, [::1]); configure tls and auth to use other addresses';
  const text = formatHostPort(endpoint);
  if (endpoint.kind === 'name') return `${text}: a host name may resolve to any address; write 127.0.0.1 or [::1] (${rule})`;
  return `${text} is not a loopback address: ${rule}`;
}

const TLS_FILES = [
  ['ca', 'CA certificate'],
  ['cert', 'certificate'],
  ['key', 'private key'],
] as const;

function checkTls(raw: Record<string, unknown>, context: TrustContext): { errors: Finding[]; warnings: Finding[]; tls?: TlsConfig } {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const paths: Partial<Record<'ca' | 'cert' | 'key', string>> = {};
  for (const [field, label] of TLS_FILES) {
    const written = tlsSchema.shape[field].safeParse(raw[field]);
    if (!written.success) continue;
    const absolute = resolveConfigPath(context.baseDir, written.data);
    const found = checkFile(absolute);
    if (found.ok) paths[field] = absolute;
    else errors.push({ path: ['tls', field], message: `${label} file ${showPath(written.data, absolute)}: ${found.reason}` });
    // Certificates are public; the key is this node's identity.
    const loose = found.ok && field === 'key' ? looseModeReason(absolute) : undefined;
    if (loose !== undefined) warnings.push({ path: ['tls', field], message: `${label} file ${showPath(written.data, absolute)} ${loose}` });
  }

  const allow = allowList(raw.allow, context);
  if (allow.ok) {
    errors.push(...allow.value.errors);
    warnings.push(...allow.value.warnings);
  }
  const { ca, cert, key } = paths;
  if (ca === undefined || cert === undefined || key === undefined || !allow.ok) return { errors, warnings };
  return { errors, warnings, tls: { ca, cert, key, allow: allow.value.ids } };
}

/**
 * Explicit, or by default every node this one votes with. Not ok when it cannot be known: an
 * invalid allow (reported by the schema) or, for the default, a group that failed the schema.
 */
function allowList(written: unknown, context: TrustContext): Outcome<{ ids: string[]; errors: Finding[]; warnings: Finding[] }> {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  let ids: string[];
  if (written === undefined) {
    if (!context.allGroupsValid) return { ok: false, reason: 'a group is invalid' };
    ids = [...new Set(context.groups.flatMap(({ group }) => [...group.peers, ...group.witnesses]))];
  } else {
    const parsed = tlsSchema.shape.allow.safeParse(written);
    if (!parsed.success || parsed.data === undefined) return { ok: false, reason: 'invalid allow' };
    ids = parsed.data;
    const entries = ids.map((id, index) => ({ key: id, path: ['tls', 'allow', index] }));
    errors.push(...duplicates(entries, (id, first) => `duplicate node id "${id}" (also at ${first})`));
    for (const { key, path } of entries) {
      if (key === context.nodeId) errors.push({ path, message: `"${key}" is this node's own id (node.id); list the other nodes` });
    }
    // A voter outside the allow-list is refused at the handshake, and its group loses a vote.
    for (const { index, group } of context.groups) {
      for (const field of ['peers', 'witnesses'] as const) {
        group[field].forEach((id, j) => {
          if (!ids.includes(id)) warnings.push({ path: ['groups', index, field, j], message: `"${id}" is not in tls.allow, so its connections will be refused; add it there` });
        });
      }
    }
  }
  if (ids.length === 0 && context.hasSeeds) {
    errors.push(
      written === undefined
        ? { path: ['tls', 'allow'], message: "required when seeds are set and no group lists peers or witnesses (its default): with an empty allow-list every node is refused; list the node ids that may connect" }
        : { path: ['tls', 'allow'], message: 'must list at least one node id when seeds are set: an empty allow-list refuses every node, the seeds included' },
    );
  }
  return { ok: true, value: { ids: [...ids], errors, warnings } };
}

function checkAuth(raw: Record<string, unknown>, { baseDir, looseMode }: TrustContext): { errors: Finding[]; warnings: Finding[]; auth?: AuthConfig } {
  const errors: Finding[] = [];
  const warnings: Finding[] = [];
  const mode = authSchema.shape.mode.safeParse(raw.mode);
  const active = authSchema.shape.active_key.safeParse(raw.active_key);

  const keys: { id: string; secret: Buffer }[] = [];
  const ids: { key: string; path: Path }[] = [];
  const items: unknown[] = Array.isArray(raw.keys) ? raw.keys : [];
  items.forEach((item, index) => {
    const at = ['auth', 'keys', index];
    const id = asRecord(item).id;
    if (typeof id === 'string') ids.push({ key: id, path: [...at, 'id'] });
    const parsed = authKeySchema.safeParse(item);
    if (!parsed.success) return;
    const secret = readSecret(parsed.data, at, baseDir, looseMode);
    if ('finding' in secret) errors.push(secret.finding);
    else keys.push({ id: parsed.data.id, secret: secret.bytes });
    if ('warning' in secret && secret.warning !== undefined) warnings.push(secret.warning);
  });
  errors.push(...duplicates(ids, (id, first) => `duplicate key id "${id}" (also at ${first}); every key needs its own id`));

  const known = ids.map((entry) => entry.key);
  const oneOf = known.length === 0 ? 'the id of one of keys' : `one of ${known.join(', ')}`;
  // Without a single key id the keys list itself is the error; "not among the keys" would repeat it.
  if (active.success && active.data !== undefined && known.length > 0 && !known.includes(active.data)) {
    errors.push({ path: ['auth', 'active_key'], message: `"${active.data}" is not among the keys; must be ${oneOf}` });
  }
  if (mode.success && mode.data !== 'receive-only' && raw.active_key === undefined) {
    errors.push({ path: ['auth', 'active_key'], message: `required in mode ${mode.data} (the key adverts are signed with: ${oneOf})` });
  }

  if (!mode.success || !active.success || keys.length !== items.length || keys.length === 0) return { errors, warnings };
  const auth: AuthConfig = { mode: mode.data, ...(active.data !== undefined && { activeKeyId: active.data }), keys };
  return { errors, warnings, auth };
}

/** Exactly one source; the file is read and the text decoded now, so every error names it. */
function readSecret(key: RawAuthKey, at: Path, baseDir: string, looseMode: string | undefined): { bytes: Buffer; warning?: Finding } | { finding: Finding } {
  if (key.secret !== undefined && key.secret_file !== undefined) {
    return { finding: { path: [...at, 'secret'], message: 'give exactly one of secret_file and secret, not both' } };
  }
  if (key.secret_file !== undefined) {
    const absolute = resolveConfigPath(baseDir, key.secret_file);
    const subject = `secret file ${showPath(key.secret_file, absolute)}`;
    const read = readSmallFile(absolute);
    const decoded = read.ok ? decodeSecret(read.bytes.toString('utf8')) : read;
    if (!decoded.ok) return { finding: { path: [...at, 'secret_file'], message: `${subject}: ${decoded.reason}` } };
    const loose = looseModeReason(absolute);
    return { bytes: decoded.value, ...(loose !== undefined && { warning: { path: [...at, 'secret_file'], message: `${subject} ${loose}` } }) };
  }
  if (key.secret !== undefined) {
    const decoded = decodeSecret(key.secret);
    if (!decoded.ok) return { finding: { path: [...at, 'secret'], message: `the secret ${decoded.reason}` } };
    const warning = { path: [...at, 'secret'], message: `an inline secret in a configuration file that ${looseMode ?? ''}, or move the secret to a secret_file of mode 600` };
    return { bytes: decoded.value, ...(looseMode !== undefined && { warning }) };
  }
  return { finding: { path: at, message: `key "${key.id}" needs exactly one of secret_file and secret; got neither` } };
}

/**
 * Base64 or hex, whitespace ignored (`base64` wraps long output). Text made only of hex digits
 * is read as hex: `openssl rand -hex 32` output is valid base64 too, but meant as hex, while
 * random base64 of a useful length is practically never all hex digits. Strict, because
 * Buffer.from skips bad characters and would silently yield a different, shorter key.
 */
export function decodeSecret(text: string): Outcome<Buffer> {
  const compact = text.replace(/\s+/g, '');
  if (compact === '') return { ok: false, reason: 'is empty' };
  let bytes: Buffer;
  if (HEX.test(compact)) bytes = Buffer.from(compact, 'hex');
  else if (BASE64.test(compact)) bytes = Buffer.from(compact, 'base64');
  else return { ok: false, reason: 'is neither base64 (with "=" padding) nor hex (an even number of 0-9, a-f)' };
  if (bytes.length < MIN_SECRET_BYTES) {
    return { ok: false, reason: `decodes to ${bytes.length} bytes; at least ${MIN_SECRET_BYTES} are needed (e.g. head -c 32 /dev/urandom | base64)` };
  }
  return { ok: true, value: bytes };
}
