/**
 * Who is on the other end of a mutual-TLS connection, and may it take part?
 *
 * TLS has already checked that the peer's certificate chains to the cluster CA (server
 * `requestCert` + `rejectUnauthorized`, client `ca`). What remains is identity: the peer is the
 * node named by the certificate's single SPIFFE URI SAN, `spiffe://<clusterId>/node/<nodeId>`,
 * and it must belong to this cluster and be in the allow-list. Peers are authorised by
 * certificate identity, never by source IP: addresses move (that is the point of a VIP), NAT
 * rewrites them, and anyone on the path can use one.
 *
 * `peerIdentity` and `authorize` sit on the connection path and never throw (they return reasons);
 * `loadTlsFiles` runs at start-up and throws a SecurityError naming the file and the reason.
 */
import { X509Certificate, createPrivateKey, type KeyObject } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SecurityError, fileErrorReason } from './errors.js';
import { parseSpiffeId, spiffeId } from './spiffe.js';

export type PeerIdentity =
  | { readonly ok: true; readonly nodeId: string; readonly clusterId: string; readonly spiffeId: string }
  | { readonly ok: false; readonly reason: string };

export type Authorization = { readonly ok: true; readonly nodeId: string } | { readonly ok: false; readonly reason: string };

/**
 * Splits node:crypto's `subjectAltName` text (`URI:spiffe://c/node/x, DNS:x, IP Address:…`).
 * Since the CVE-2021-44532 fix node quotes any value that contains a separator as a JSON string,
 * so a SAN cannot smuggle a second entry through a comma. Undefined when the text is malformed.
 */
export function parseSubjectAltName(text: string): { type: string; value: string }[] | undefined {
  const entries: { type: string; value: string }[] = [];
  let i = 0;
  while (i < text.length) {
    const colon = text.indexOf(':', i);
    if (colon < 0) return undefined;
    const type = text.slice(i, colon);
    i = colon + 1;
    let value: string;
    if (text[i] === '"') {
      let end = i + 1;
      while (end < text.length && text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
      if (end >= text.length) return undefined;
      try {
        value = JSON.parse(text.slice(i, end + 1)) as string;
      } catch {
        return undefined;
      }
      i = end + 1;
      if (i < text.length && !text.startsWith(', ', i)) return undefined;
    } else {
      const sep = text.indexOf(', ', i);
      value = text.slice(i, sep < 0 ? text.length : sep);
      i = sep < 0 ? text.length : sep;
    }
    entries.push({ type, value });
    if (text.startsWith(', ', i)) i += 2;
  }
  return entries;
}

function toX509(cert: string | Buffer | X509Certificate): X509Certificate | undefined {
  if (cert instanceof X509Certificate) return cert;
  try {
    return new X509Certificate(cert);
  } catch {
    return undefined;
  }
}

/**
 * The node a certificate names, if it names exactly one node of `expectedClusterId`.
 * Accepts PEM text, DER bytes (grpc-js `getAuthContext().sslPeerCertificate.raw`) or a node
 * X509Certificate (`tls.TLSSocket#getPeerX509Certificate()`). Never throws.
 */
export function peerIdentity(cert: string | Buffer | X509Certificate, expectedClusterId: string): PeerIdentity {
  const x = toX509(cert);
  if (!x) return { ok: false, reason: 'peer certificate is not a parsable X.509 certificate' };
  const expected = `URI:${spiffeId(expectedClusterId, '<node-id>')}`;
  if (x.subjectAltName === undefined) return { ok: false, reason: `peer certificate (${x.subject.replace(/\n/g, ', ')}) has no subjectAltName; expected ${expected}` };
  const sans = parseSubjectAltName(x.subjectAltName);
  if (!sans) return { ok: false, reason: `peer certificate subjectAltName is malformed: ${JSON.stringify(x.subjectAltName)}` };
  const spiffe = sans.filter((s) => s.type === 'URI' && s.value.toLowerCase().startsWith('spiffe://')).map((s) => s.value);
  if (spiffe.length === 0) return { ok: false, reason: `peer certificate has no spiffe URI SAN (it has ${x.subjectAltName}); expected ${expected}` };
  // X509-SVID rule: exactly one SPIFFE ID per certificate, so "which node is this?" has one answer.
  if (spiffe.length > 1) return { ok: false, reason: `peer certificate has ${spiffe.length} spiffe URI SANs (${spiffe.join(', ')}); a node certificate carries exactly one` };
  const uri = spiffe[0] ?? '';
  const id = parseSpiffeId(uri);
  if (!id) return { ok: false, reason: `peer certificate SAN ${uri} is not a vipd node identity; expected ${expected}` };
  if (id.clusterId !== expectedClusterId) return { ok: false, reason: `peer certificate is for cluster ${id.clusterId}, not ${expectedClusterId} (${uri})` };
  return { ok: true, nodeId: id.nodeId, clusterId: id.clusterId, spiffeId: uri };
}

/**
 * Whether an identified peer may take part. Fails closed: an empty allow-list admits no one.
 * A failed identity passes its reason through, so callers can chain the two.
 */
export function authorize(identity: PeerIdentity | { readonly ok: true; readonly nodeId: string }, allowList: readonly string[]): Authorization {
  if (!identity.ok) return identity;
  const { nodeId } = identity;
  if (allowList.includes(nodeId)) return { ok: true, nodeId };
  return { ok: false, reason: `node ${nodeId} is not in the allow-list [${allowList.join(', ')}]` };
}

// ---------------------------------------------------------------------------------------------
// Start-up: load and cross-check the TLS files.

export const EXPIRY_WARNING_DAYS = 30;
const DAY_MS = 86_400_000;

export interface TlsFiles {
  /** CA certificate(s) (PEM, may be a bundle during a CA change) that sign every node. */
  ca: string;
  /** This node's certificate (PEM). */
  cert: string;
  /** This node's private key (PEM, unencrypted: vipd starts unattended). */
  key: string;
}

export interface TlsMaterial {
  readonly ca: Buffer;
  readonly cert: Buffer;
  readonly key: Buffer;
  /** When this node's certificate expires. */
  readonly notAfter: Date;
  /** Things that work today but need attention, e.g. "expires in 12 days". Log each at start. */
  readonly warnings: readonly string[];
}

export interface LoadTlsOptions {
  /** Wall-clock now in ms (default Date.now()); injected for tests. */
  now?: number;
  /** Warn when a certificate expires within this many days (default 30). */
  warnWithinDays?: number;
  /** Also check that the certificate names this cluster (and node), as peers will. */
  expect?: { clusterId: string; nodeId?: string };
}

/**
 * Checks a certificate's validity period. 'expired' and 'not-yet-valid' mean no peer will
 * accept it; 'expiring' means it works today. Long-running nodes should call this daily.
 */
export function checkExpiry(cert: X509Certificate, now: number, warnWithinDays = EXPIRY_WARNING_DAYS): { status: 'ok' | 'expiring' | 'expired' | 'not-yet-valid'; message: string } {
  const from = new Date(cert.validFrom).getTime();
  const to = new Date(cert.validTo).getTime();
  const toText = new Date(to).toISOString();
  if (now < from) return { status: 'not-yet-valid', message: `not valid until ${new Date(from).toISOString()} (is this host's clock right?)` };
  if (now >= to) return { status: 'expired', message: `expired on ${toText}; renew it with \`vipd certs issue\`` };
  const daysLeft = Math.floor((to - now) / DAY_MS);
  if (to - now <= warnWithinDays * DAY_MS) return { status: 'expiring', message: `expires on ${toText} (in ${daysLeft} day${daysLeft === 1 ? '' : 's'}); renew it with \`vipd certs issue\`` };
  return { status: 'ok', message: `valid until ${toText}` };
}

const OP = 'loading TLS file';
const CERT_PEM = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const KEY_PEM = /-----BEGIN (?:EC |RSA )?PRIVATE KEY-----/;
const SERVER_AUTH = '1.3.6.1.5.5.7.3.1';
const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

async function readBytes(path: string): Promise<Buffer> {
  try {
    return await readFile(path);
  } catch (err) {
    const { reason, retryable } = fileErrorReason(err);
    throw new SecurityError(OP, path, reason === 'permission denied' ? 'not readable (permission denied)' : reason, { cause: err, retryable });
  }
}

function parseCerts(path: string, bytes: Buffer): X509Certificate[] {
  const blocks = bytes.toString('utf8').match(CERT_PEM);
  if (!blocks) throw new SecurityError(OP, path, 'not PEM: no "-----BEGIN CERTIFICATE-----" block (DER? convert with `openssl x509 -inform der`)');
  return blocks.map((block, n) => {
    try {
      return new X509Certificate(block);
    } catch (err) {
      throw new SecurityError(OP, path, `certificate #${n + 1} is not a valid X.509 certificate`, { cause: err });
    }
  });
}

function parseKey(path: string, bytes: Buffer): KeyObject {
  const text = bytes.toString('utf8');
  if (text.includes('-----BEGIN ENCRYPTED PRIVATE KEY-----')) throw new SecurityError(OP, path, 'the private key is encrypted; vipd starts unattended and needs an unencrypted key (mode 0600)');
  if (!KEY_PEM.test(text)) throw new SecurityError(OP, path, 'not PEM: no "-----BEGIN PRIVATE KEY-----" block');
  try {
    return createPrivateKey(text);
  } catch (err) {
    throw new SecurityError(OP, path, 'not a valid private key', { cause: err });
  }
}

function subjectText(cert: X509Certificate): string {
  return cert.subject.replace(/\n/g, ', ');
}

/**
 * Reads a node's CA, certificate and key, and checks what would otherwise fail later as an
 * opaque handshake error: each file exists and is PEM, the key matches the certificate, the
 * certificate is signed by (one of) the CA(s), both are within their validity period, and the
 * certificate can serve as both TLS client and server. Throws a SecurityError naming the file;
 * an expiry within `warnWithinDays` is a warning, not an error.
 */
export async function loadTlsFiles(files: TlsFiles, opts: LoadTlsOptions = {}): Promise<TlsMaterial> {
  const now = opts.now ?? Date.now();
  const warnWithinDays = opts.warnWithinDays ?? EXPIRY_WARNING_DAYS;
  const [ca, cert, key] = await Promise.all([readBytes(files.ca), readBytes(files.cert), readBytes(files.key)]);
  const cas = parseCerts(files.ca, ca);
  const [leaf] = parseCerts(files.cert, cert);
  const keyObject = parseKey(files.key, key);
  if (!leaf) throw new SecurityError(OP, files.cert, 'no certificate');

  const warnings: string[] = [];
  for (const c of cas) {
    if (!c.ca) throw new SecurityError(OP, files.ca, `${subjectText(c)} is not a CA certificate (basicConstraints CA:false); is this a node certificate?`);
  }
  if (!leaf.checkPrivateKey(keyObject)) {
    throw new SecurityError(OP, files.key, `private key does not match the certificate in ${files.cert} (${subjectText(leaf)})`);
  }
  const issuer = cas.find((c) => leaf.checkIssued(c) && leaf.verify(c.publicKey));
  if (!issuer) {
    throw new SecurityError(OP, files.cert, `not signed by the CA in ${files.ca} (certificate issuer: ${leaf.issuer.replace(/\n/g, ', ')}; CA: ${cas.map(subjectText).join(' | ')})`);
  }
  for (const [file, c] of [[files.ca, issuer], [files.cert, leaf]] as const) {
    const expiry = checkExpiry(c, now, warnWithinDays);
    if (expiry.status === 'expired' || expiry.status === 'not-yet-valid') throw new SecurityError(OP, file, `certificate ${subjectText(c)} ${expiry.message}`);
    if (expiry.status === 'expiring') warnings.push(`${file}: certificate ${subjectText(c)} ${expiry.message}`);
  }
  // Every node both dials and accepts, so its certificate must allow both (an openssl-made
  // server-only certificate fails only when the first peer dials out).
  const eku = leaf.keyUsage;
  if (eku !== undefined && eku.length > 0) {
    const missing = [[SERVER_AUTH, 'serverAuth'], [CLIENT_AUTH, 'clientAuth']].filter(([oid]) => !eku.includes(oid as string)).map(([, name]) => name);
    if (missing.length > 0) throw new SecurityError(OP, files.cert, `extendedKeyUsage lacks ${missing.join(' and ')}; every node is both TLS client and server`);
  }
  if (opts.expect) {
    const id = peerIdentity(leaf, opts.expect.clusterId);
    if (!id.ok) throw new SecurityError(OP, files.cert, id.reason.replace(/^peer certificate/, 'certificate'));
    if (opts.expect.nodeId !== undefined && id.nodeId !== opts.expect.nodeId) {
      throw new SecurityError(OP, files.cert, `certificate is for node ${id.nodeId}, but this node is ${opts.expect.nodeId}; peers would know it as ${id.nodeId}`);
    }
  }
  return { ca, cert, key, notAfter: new Date(leaf.validTo), warnings };
}
