/**
 * A cluster CA and per-node certificates, so a first cluster needs no openssl knowledge
 * (issue 3 §6, security on by default).
 *
 * - CA: ECDSA P-256 / SHA-256, CN "vipd CA <clusterId>", basicConstraints CA:true pathlen 0,
 *   keyUsage keyCertSign|cRLSign, 10 years. Its CN carries the cluster id, so `issue` needs
 *   only the directory.
 * - Node: CN = node id; SAN URI `spiffe://<clusterId>/node/<nodeId>` (the identity peers check,
 *   see identity.ts), DNS = node id, plus optional DNS/IP names; extKeyUsage serverAuth and
 *   clientAuth because every node dials and is dialled; 1 year by default.
 * - Keys are PKCS#8 PEM written 0600, certificates PEM 0644, each through a temporary file and a
 *   rename so a crash never leaves half a file.
 *
 * notBefore is set 5 minutes in the past: a freshly issued certificate copied to a node whose
 * clock is slightly behind must not be "not yet valid".
 */
import 'reflect-metadata';
import * as x509 from '@peculiar/x509';
import { KeyObject, X509Certificate as NodeX509Certificate, createPrivateKey, randomBytes, webcrypto } from 'node:crypto';
import { chmod, lstat, mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { SecurityError, fileErrorReason } from './errors.js';
import { nameProblem, spiffeId } from './spiffe.js';

x509.cryptoProvider.set(webcrypto);

type CryptoKey = webcrypto.CryptoKey;
type CryptoKeyPair = webcrypto.CryptoKeyPair;

const KEY_ALGORITHM = { name: 'ECDSA', namedCurve: 'P-256' } as const;
const SIGNING_ALGORITHM = { name: 'ECDSA', hash: 'SHA-256' } as const;
const DAY_MS = 86_400_000;
const CLOCK_SKEW_MS = 5 * 60_000;
const CA_CN_PREFIX = 'vipd CA ';

import { CA_CERT_FILE, DEFAULT_NODE_DAYS, MAX_NODE_DAYS, parseSan, type SanEntry } from './cert-rules.js';

export { CA_CERT_FILE, DEFAULT_NODE_DAYS, MAX_NODE_DAYS, parseSan };
export const CA_KEY_FILE = 'ca.key';
export const KEY_FILE_MODE = 0o600;
export const CERT_FILE_MODE = 0o644;
export const CA_YEARS = 10;

/** A certificate and its private key, both PEM. */
export interface PemPair {
  readonly cert: string;
  readonly key: string;
}

/** A CA ready to sign: its certificate, signing key and the cluster it serves. */
interface SigningCa {
  readonly clusterId: string;
  readonly cert: x509.X509Certificate;
  readonly signingKey: CryptoKey;
}

// ---------------------------------------------------------------------------------------------
// In memory: the same code serves files (initCa / issueNodeCert) and throwaway PKIs (makeTestPki).

async function generateKeyPair(): Promise<CryptoKeyPair> {
  return webcrypto.subtle.generateKey(KEY_ALGORITHM, true, ['sign', 'verify']);
}

function privateKeyPem(key: CryptoKey): string {
  return KeyObject.from(key).export({ type: 'pkcs8', format: 'pem' }) as string;
}

async function createCa(clusterId: string, now: Date): Promise<{ ca: SigningCa; pem: PemPair }> {
  const keys = await generateKeyPair();
  const notAfter = new Date(now);
  notAfter.setUTCFullYear(notAfter.getUTCFullYear() + CA_YEARS);
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name: [{ CN: [`${CA_CN_PREFIX}${clusterId}`] }],
    keys,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
    ],
  });
  return {
    ca: { clusterId, cert, signingKey: keys.privateKey },
    pem: { cert: `${cert.toString('pem').trimEnd()}\n`, key: privateKeyPem(keys.privateKey) },
  };
}

async function createNodeCert(ca: SigningCa, nodeId: string, extra: readonly SanEntry[], days: number, now: Date): Promise<{ pem: PemPair; notAfter: Date; sans: string[] }> {
  const keys = await generateKeyPair();
  const names: SanEntry[] = [{ type: 'dns', value: nodeId }];
  for (const san of extra) if (!names.some((n) => n.type === san.type && n.value === san.value)) names.push(san);
  const notAfter = new Date(now.getTime() + days * DAY_MS);
  const cert = await x509.X509CertificateGenerator.create({
    subject: [{ CN: [nodeId] }],
    issuer: ca.cert.subjectName,
    publicKey: keys.publicKey,
    signingKey: ca.signingKey,
    notBefore: new Date(now.getTime() - CLOCK_SKEW_MS),
    notAfter,
    signingAlgorithm: SIGNING_ALGORITHM,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      new x509.SubjectAlternativeNameExtension([{ type: 'url', value: spiffeId(ca.clusterId, nodeId) }, ...names]),
      await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
      await x509.AuthorityKeyIdentifierExtension.create(ca.cert.publicKey),
    ],
  });
  return {
    pem: { cert: `${cert.toString('pem').trimEnd()}\n`, key: privateKeyPem(keys.privateKey) },
    notAfter,
    sans: [`URI:${spiffeId(ca.clusterId, nodeId)}`, ...names.map((n) => `${n.type === 'dns' ? 'DNS' : 'IP'}:${n.value}`)],
  };
}

// ---------------------------------------------------------------------------------------------
// Validation shared by the file and in-memory variants.

function checkNodeId(operation: string, subject: string, nodeId: string): void {
  const problem = nameProblem('node id', nodeId);
  if (problem) throw new SecurityError(operation, subject, problem);
  // ca.crt / ca.key live in the same directory: a node called "ca" would overwrite the CA.
  if (nodeId === 'ca') throw new SecurityError(operation, subject, 'node id "ca" is reserved: its files would overwrite the CA (ca.crt, ca.key)');
}

function checkSans(operation: string, subject: string, sans: readonly string[]): SanEntry[] {
  return sans.map((name) => {
    const r = parseSan(name);
    if (!r.ok) throw new SecurityError(operation, subject, r.reason);
    return r.san;
  });
}

function checkDays(operation: string, subject: string, days: number): void {
  if (!Number.isInteger(days) || days < 1 || days > MAX_NODE_DAYS) {
    throw new SecurityError(operation, subject, `validity of ${days} days is invalid: it must be an integer 1-${MAX_NODE_DAYS}`);
  }
}

// ---------------------------------------------------------------------------------------------
// Files.

async function exists(path: string): Promise<boolean> {
  try {
    await lstat(path);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    const { reason, retryable } = fileErrorReason(err);
    throw new SecurityError('checking', path, reason, { cause: err, retryable });
  }
}

/**
 * Writes through a temporary file created with the final mode (a key is never readable by
 * others, not even for a moment), chmods it (the umask may have removed bits), then renames it.
 */
async function writeFileAtomic(operation: string, path: string, data: string, mode: number): Promise<void> {
  const tmp = `${path}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`;
  try {
    await writeFile(tmp, data, { mode, flag: 'wx' });
    await chmod(tmp, mode);
    await rename(tmp, path);
  } catch (err) {
    await rm(tmp, { force: true });
    const { reason, retryable } = fileErrorReason(err);
    throw new SecurityError(operation, path, reason, { cause: err, retryable });
  }
}

async function readTextFile(operation: string, path: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    const { reason, retryable } = fileErrorReason(err);
    throw new SecurityError(operation, path, reason, { cause: err, retryable });
  }
}

async function ensureDir(dir: string): Promise<void> {
  try {
    // 0700: the directory holds the CA key.
    await mkdir(dir, { recursive: true, mode: 0o700 });
  } catch (err) {
    const { reason, retryable } = fileErrorReason(err);
    throw new SecurityError('creating directory', dir, reason, { cause: err, retryable });
  }
}

/** Reads ca.crt and ca.key from `dir` and checks they belong together and can still sign. */
async function loadCa(dir: string, now: Date): Promise<SigningCa> {
  const certPath = join(dir, CA_CERT_FILE);
  const keyPath = join(dir, CA_KEY_FILE);
  const op = 'reading CA';
  if (!(await exists(certPath))) throw new SecurityError(op, certPath, `file not found; create the CA first: vipd certs init --dir ${dir} --cluster <cluster-id>`);
  const certPem = await readTextFile(op, certPath);
  const keyPem = await readTextFile(op, keyPath);
  let cert: x509.X509Certificate;
  let nodeCert: NodeX509Certificate;
  try {
    cert = new x509.X509Certificate(certPem);
    nodeCert = new NodeX509Certificate(certPem);
  } catch (err) {
    throw new SecurityError(op, certPath, 'not a PEM certificate', { cause: err });
  }
  let keyObject: KeyObject;
  try {
    keyObject = createPrivateKey(keyPem);
  } catch (err) {
    throw new SecurityError(op, keyPath, 'not a PEM private key', { cause: err });
  }
  if (!nodeCert.ca) throw new SecurityError(op, certPath, 'not a CA certificate (basicConstraints CA:false)');
  if (!nodeCert.checkPrivateKey(keyObject)) throw new SecurityError(op, keyPath, `private key does not match the CA certificate ${certPath}`);
  const cn = cert.subjectName.getField('CN')[0] ?? '';
  const clusterId = cn.startsWith(CA_CN_PREFIX) ? cn.slice(CA_CN_PREFIX.length) : '';
  if (nameProblem('cluster id', clusterId) !== undefined) {
    throw new SecurityError(op, certPath, `subject CN ${JSON.stringify(cn)} is not "${CA_CN_PREFIX}<cluster-id>"; was this CA made by \`vipd certs init\`?`);
  }
  if (cert.notAfter.getTime() <= now.getTime()) throw new SecurityError(op, certPath, `CA expired on ${cert.notAfter.toISOString()}`);
  let signingKey: CryptoKey;
  try {
    const der = keyObject.export({ type: 'pkcs8', format: 'der' });
    signingKey = await webcrypto.subtle.importKey('pkcs8', der, KEY_ALGORITHM, false, ['sign']);
  } catch (err) {
    throw new SecurityError(op, keyPath, 'not an ECDSA P-256 private key', { cause: err });
  }
  return { clusterId, cert, signingKey };
}

export interface InitCaOptions {
  /** Directory for ca.crt and ca.key; created (0700) if missing. */
  dir: string;
  clusterId: string;
  /** Replace an existing CA. Every certificate it signed stops being trusted. */
  force?: boolean;
}

export interface InitCaResult {
  clusterId: string;
  certFile: string;
  keyFile: string;
  notAfter: Date;
  /** An existing CA was overwritten (force). */
  replaced: boolean;
}

/** Creates the cluster CA in `dir`. Refuses to overwrite an existing CA unless `force`. */
export async function initCa(opts: InitCaOptions, now: Date = new Date()): Promise<InitCaResult> {
  const certFile = join(opts.dir, CA_CERT_FILE);
  const keyFile = join(opts.dir, CA_KEY_FILE);
  const op = 'creating CA';
  const problem = nameProblem('cluster id', opts.clusterId);
  if (problem) throw new SecurityError(op, certFile, problem);
  let replaced = false;
  for (const file of [certFile, keyFile]) {
    if (!(await exists(file))) continue;
    if (!opts.force) {
      throw new SecurityError(op, file, 'already exists; a new CA would stop every node certificate signed by the old one from being trusted (replace it with --force)');
    }
    replaced = true;
  }
  await ensureDir(opts.dir);
  const { ca, pem } = await createCa(opts.clusterId, now);
  // Key first: a crash in between leaves a key without a certificate, never the reverse.
  await writeFileAtomic(op, keyFile, pem.key, KEY_FILE_MODE);
  await writeFileAtomic(op, certFile, pem.cert, CERT_FILE_MODE);
  return { clusterId: opts.clusterId, certFile, keyFile, notAfter: ca.cert.notAfter, replaced };
}

export interface IssueNodeCertOptions {
  /** Directory holding ca.crt and ca.key; `<nodeId>.crt` and `<nodeId>.key` are written here. */
  dir: string;
  nodeId: string;
  /** Extra DNS names or IP addresses (e.g. 127.0.0.1 for loopback tests). */
  sans?: readonly string[];
  /** Validity in days (default 365); must not outlive the CA. */
  days?: number;
}

export interface IssueNodeCertResult {
  nodeId: string;
  spiffeId: string;
  certFile: string;
  keyFile: string;
  /** Every SAN, as `URI:…`, `DNS:…`, `IP:…`. */
  sans: string[];
  notAfter: Date;
  /** An earlier certificate for this node was overwritten (a renewal). */
  replaced: boolean;
}

/**
 * Issues `<nodeId>.crt` / `<nodeId>.key` signed by the CA in `dir`. Re-issuing for the same node
 * replaces its files: that is how a certificate is renewed.
 */
export async function issueNodeCert(opts: IssueNodeCertOptions, now: Date = new Date()): Promise<IssueNodeCertResult> {
  const certFile = join(opts.dir, `${opts.nodeId}.crt`);
  const keyFile = join(opts.dir, `${opts.nodeId}.key`);
  const op = 'issuing node certificate';
  checkNodeId(op, certFile, opts.nodeId);
  const extra = checkSans(op, certFile, opts.sans ?? []);
  const days = opts.days ?? DEFAULT_NODE_DAYS;
  checkDays(op, certFile, days);
  const ca = await loadCa(opts.dir, now);
  if (now.getTime() + days * DAY_MS > ca.cert.notAfter.getTime()) {
    throw new SecurityError(op, certFile, `${days} days would outlive the CA in ${join(opts.dir, CA_CERT_FILE)} (it expires on ${ca.cert.notAfter.toISOString()}); use fewer days or a new CA`);
  }
  const replaced = (await exists(certFile)) || (await exists(keyFile));
  const issued = await createNodeCert(ca, opts.nodeId, extra, days, now);
  await writeFileAtomic(op, keyFile, issued.pem.key, KEY_FILE_MODE);
  await writeFileAtomic(op, certFile, issued.pem.cert, CERT_FILE_MODE);
  return { nodeId: opts.nodeId, spiffeId: spiffeId(ca.clusterId, opts.nodeId), certFile, keyFile, sans: issued.sans, notAfter: issued.notAfter, replaced };
}

export interface TestPki {
  readonly clusterId: string;
  readonly ca: PemPair;
  readonly nodes: ReadonlyMap<string, PemPair>;
  /** The certificate and key of `nodeId`; throws for a node that was not issued. */
  node(nodeId: string): PemPair;
}

/**
 * A throwaway CA and node certificates in memory, for tests (`vipd demo` writes real files with
 * initCa / issueNodeCert instead). It stays here, not under test/, because it shares the private
 * issuing code and checks of initCa / issueNodeCert; nothing touches the disk.
 */
export async function makeTestPki(opts: { clusterId: string; nodes: readonly string[]; sans?: readonly string[]; days?: number }, now: Date = new Date()): Promise<TestPki> {
  const op = 'making test PKI for cluster';
  const problem = nameProblem('cluster id', opts.clusterId);
  if (problem) throw new SecurityError(op, opts.clusterId, problem);
  const extra = checkSans(op, opts.clusterId, opts.sans ?? []);
  const days = opts.days ?? DEFAULT_NODE_DAYS;
  checkDays(op, opts.clusterId, days);
  const { ca, pem } = await createCa(opts.clusterId, now);
  const nodes = new Map<string, PemPair>();
  for (const nodeId of opts.nodes) {
    checkNodeId(op, opts.clusterId, nodeId);
    nodes.set(nodeId, (await createNodeCert(ca, nodeId, extra, days, now)).pem);
  }
  return {
    clusterId: opts.clusterId,
    ca: pem,
    nodes,
    node(nodeId) {
      const pair = nodes.get(nodeId);
      if (!pair) throw new Error(`test PKI for cluster ${opts.clusterId} has no node ${nodeId} (it has ${[...nodes.keys()].join(', ')})`);
      return pair;
    },
  };
}
